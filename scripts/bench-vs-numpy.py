#!/usr/bin/env python3
"""numpy beside quantscope-cli on the same float32 gaussian data; prints the ratios.

usage: /usr/bin/python3 scripts/bench-vs-numpy.py [--cli build/bin/quantscope-cli]
           [--elements 1e7,1e8] [--repeats 3] [--dir DIR]

For each size it writes one array (fixed seed) as .npy, then, repeats times and interleaved so
that both sides meet the same machine load:
  - numpy's sort of the array (np.sort, timed in this process) against the Distribution build of
    `quantscope-cli bench FILE --json`, both timed alike: the median of three runs, each on the
    memory the run before freed (build_ms), and apart the first run on memory the process has
    not used for a while (build_first_ms; on a virtual machine the host may have to back such
    memory first). bench also reports, on the same tensor, a std::sort of a copy, one memcpy, the
    symmetric 8-bit apply and its peak memory;
  - a numpy quantize script (load, max-abs, round/clip, save, MSE; timed in this process,
    imports excluded) against `quantscope-cli quantize FILE --scheme symmetric --bits 8
    --dequant-out OUT.npy` (the whole process), and checks that both wrote the same values.
Prints the medians as a Markdown table (the README's benchmark table).
Needs Debian's numpy: run it with /usr/bin/python3.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

SEED = 2017


def numpy_quantize(path, out):
    """The script quantize is compared with: symmetric max-abs int8, dequantized and saved."""
    a = np.load(path)
    scale = np.float32(np.abs(a).max() / 127)
    q = np.clip(np.rint(a / scale), -127, 127)
    dequantized = (q * scale).astype(np.float32)
    np.save(out, dequantized)
    return float(np.mean((dequantized.astype(np.float64) - a) ** 2))


def timed(function):
    start = time.perf_counter()
    result = function()
    return time.perf_counter() - start, result


def run_cli(cli, args):
    start = time.perf_counter()
    done = subprocess.run([cli] + args, check=True, capture_output=True, text=True)
    return time.perf_counter() - start, done.stdout


def cpu_description():
    """The CPU's model name with its family and model numbers (which tell generations apart)."""
    fields = {}
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                key, _, value = line.partition(":")
                fields.setdefault(key.strip(), value.strip())
    except OSError:
        return "unknown CPU"
    return "%s (family %s, model %s)" % (fields.get("model name", "unknown CPU"),
                                         fields.get("cpu family", "?"), fields.get("model", "?"))


def measure(cli, n, repeats, folder):
    path = os.path.join(folder, "bench-%d.npy" % n)
    ours = os.path.join(folder, "bench-%d-quantscope.npy" % n)
    theirs = os.path.join(folder, "bench-%d-numpy.npy" % n)
    x = np.random.default_rng(SEED).standard_normal(n, dtype=np.float32)
    np.save(path, x)
    rows = {key: [] for key in ("np_sort_first", "np_sort", "build_first", "build", "std_sort",
                                "apply", "memcpy", "rss", "np_quantize", "quantize")}
    mse = {}
    simd_target = "?"
    for _ in range(repeats):
        # As bench times its builds: the first sort on memory this process has not used for a
        # while, then a median of three, each on the memory the sort before freed.
        rows["np_sort_first"].append(timed(lambda: np.sort(x))[0])
        rows["np_sort"].append(statistics.median(timed(lambda: np.sort(x))[0] for _ in range(3)))
        _, report = run_cli(cli, ["bench", path, "--json"])
        bench = json.loads(report)
        rows["build_first"].append(bench["build_first_ms"] / 1e3)
        rows["build"].append(bench["build_ms"] / 1e3)
        rows["std_sort"].append(bench["sort_baseline_ms"] / 1e3)
        rows["apply"].append(bench["apply_ms"] / 1e3)
        rows["memcpy"].append(bench["memcpy_ms"] / 1e3)
        rows["rss"].append(bench["peak_rss_mb"])
        simd_target = bench["simd_target"]
        seconds, mse["numpy"] = timed(lambda: numpy_quantize(path, theirs))
        rows["np_quantize"].append(seconds)
        seconds, report = run_cli(cli, ["quantize", path, "--scheme", "symmetric", "--bits", "8",
                                        "--dequant-out", ours, "--json"])
        rows["quantize"].append(seconds)
        mse["quantscope"] = json.loads(report)["metrics"]["mse"]
    apart = np.load(ours) != np.load(theirs)
    differing = (int(np.count_nonzero(apart)),
                 float(np.max(np.abs(np.load(ours)[apart] - np.load(theirs)[apart]), initial=0)))
    step = float(np.abs(x).max() / 127)
    for name in (path, ours, theirs):
        os.remove(name)
    medians = {key: statistics.median(values) for key, values in rows.items()}
    medians["tensor_mb"] = x.nbytes / 2**20
    return medians, mse, differing, step, simd_target


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cli", default=os.path.join(os.path.dirname(__file__), os.pardir,
                                                      "build", "bin", "quantscope-cli"))
    parser.add_argument("--elements", default="1e7,1e8",
                        help="comma-separated sizes (1e7 notation accepted)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--dir", default=None,
                        help="where the arrays go (default: the system's temporary folder)")
    args = parser.parse_args()
    sizes = [int(float(text)) for text in args.elements.split(",")]
    load = os.getloadavg()[0]
    print("numpy %s, %d CPUs, load average %.2f at the start, medians of %d runs" %
          (np.__version__, os.cpu_count(), load, args.repeats), file=sys.stderr)
    if load > 1.0:
        print("warning: the machine is busy; ratios will be noisy", file=sys.stderr)

    lines = ["| elements | np.sort | prepare | np.sort / prepare | first of each | std::sort "
             "| apply | memcpy | apply / memcpy | numpy quantize | quantize --dequant-out "
             "| numpy / quantize | peak RSS / tensor |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    with tempfile.TemporaryDirectory(dir=args.dir) as folder:
        for n in sizes:
            print("%d elements..." % n, file=sys.stderr)
            m, mse, (count, largest), step, simd_target = measure(args.cli, n, args.repeats,
                                                                  folder)
            # The script divides by the scale, quantscope multiplies by its float32 inverse as
            # PyTorch does: a value on a rounding tie may land one step apart.
            print("  MSE numpy %.9g, quantscope %.9g; %d dequantized values differ, by at most "
                  "%.3g (one step is %.3g)" % (mse["numpy"], mse["quantscope"], count, largest,
                                               step), file=sys.stderr)
            lines.append(
                "| 10^%g | %.3f s | %.3f s | **%.1f×** | %.3f / %.3f s = %.1f× | %.2f s | %.1f ms "
                "| %.1f ms | **%.1f×** | %.3f s | %.3f s | **%.1f×** | **%.2f×** |" % (
                    np.log10(n), m["np_sort"], m["build"], m["np_sort"] / m["build"],
                    m["np_sort_first"], m["build_first"], m["np_sort_first"] / m["build_first"],
                    m["std_sort"],
                    m["apply"] * 1e3, m["memcpy"] * 1e3, m["apply"] / m["memcpy"],
                    m["np_quantize"], m["quantize"], m["np_quantize"] / m["quantize"],
                    m["rss"] / m["tensor_mb"]))
    print("\n".join(lines))
    print("\n%s, %d CPUs; numpy %s; quantscope's SIMD target %s." %
          (cpu_description(), os.cpu_count(), np.__version__, simd_target))


if __name__ == "__main__":
    main()
