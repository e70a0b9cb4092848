#!/usr/bin/env python3
"""Writes calibration_pytorch.json: PyTorch's HistogramObserver (its defaults: 2048 bins,
quint8, per-tensor affine) on a few tensors, the new min/max of its L2 search and the scale and
zero point it reports, plus torch.histc counts of the same tensors. tests/core/tst_calibration.cpp
checks the histogram-l2 scheme against them.

PyTorch 1.13's observer builds its first histogram with torch.histc(x, min=int(min), max=int(max)),
a truncation later releases dropped; the tensors here keep min and max inside one integer cell
(or on integers), where the truncation changes nothing.

Run with Debian's python3-torch and python3-numpy:
    /usr/bin/python3 make_calibration_reference.py > calibration_pytorch.json
"""
import json
import sys

import numpy as np
import torch


def tensors():
    rng = np.random.default_rng(2025)
    yield "gaussian", (rng.normal(0.0, 0.05, 1000)).astype(np.float32)
    yield "laplacian", rng.laplace(0.0, 0.03, 1000).clip(-0.95, 0.95).astype(np.float32)
    relu = np.maximum(rng.normal(0.1, 0.3, 800), 0.0).clip(0.0, 0.99)
    yield "relu", relu.astype(np.float32)
    outliers = rng.normal(0.0, 0.02, 800)
    outliers[::200] = 0.9
    yield "outliers", outliers.astype(np.float32)
    # Integer end points: -2 and 3 are present, so int() keeps the range.
    ends = np.concatenate([[-2.0, 3.0], rng.normal(0.3, 0.5, 600).clip(-2.0, 3.0)])
    yield "integer_range", ends.astype(np.float32)
    yield "shifted", rng.uniform(1.1, 1.9, 500).astype(np.float32)
    yield "constant", np.full(9, 0.375, dtype=np.float32)
    yield "two_values", np.array([-0.5, 0.25] * 50, dtype=np.float32)


def observe(values):
    observer = torch.ao.quantization.HistogramObserver()
    observer(torch.from_numpy(values))
    new_min, new_max = observer._non_linear_param_search()
    scale, zero_point = observer.calculate_qparams()
    return {
        "new_min": float(new_min),
        "new_max": float(new_max),
        "scale": float(scale),
        "zero_point": int(zero_point),
    }


def float32_text(values):
    """The shortest decimal texts that read back as the same float32 values."""
    return [float(np.format_float_positional(v, unique=True, trim="-")) for v in values]


def nonzero_bins(counts):
    """A histogram as [bin, count] pairs of its non-empty bins."""
    return [[i, int(c)] for i, c in enumerate(counts.int().tolist()) if c != 0]


def main():
    cases = []
    inputs = {}
    for name, values in tensors():
        inputs[name] = float32_text(values)
        x = torch.from_numpy(values)
        lo, hi = float(x.min()), float(x.max())
        case = {"tensor": name, **observe(values)}
        if lo < hi:
            case["histc"] = nonzero_bins(torch.histc(x, 2048, min=lo, max=hi))
            top = float(x.abs().max())
            case["abs_histc"] = nonzero_bins(torch.histc(x.abs(), 2048, min=0, max=top))
        cases.append(case)
    json.dump({"generator": "torch " + torch.__version__, "tensors": inputs, "cases": cases},
              sys.stdout)


if __name__ == "__main__":
    main()
