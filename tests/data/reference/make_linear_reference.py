#!/usr/bin/env python3
"""Writes linear_pytorch.json: PyTorch's MinMaxObserver parameters and quantize_per_tensor codes
for a few tensors, the reference that tests/core/tst_linear.cpp checks the core against.

Run with Debian's python3-torch and python3-numpy: /usr/bin/python3 make_linear_reference.py > linear_pytorch.json
"""
import json
import sys

import numpy as np
import torch


def tensors():
    rng = np.random.default_rng(2024)
    yield "gaussian", rng.normal(0.0, 0.02, 1000).astype(np.float32)
    yield "relu", np.maximum(rng.normal(-0.2, 1.0, 1000), 0.0).astype(np.float32)
    yield "shifted", rng.uniform(0.5, 3.0, 500).astype(np.float32)
    yield "negative", rng.uniform(-7.0, -0.25, 500).astype(np.float32)
    # Values placed exactly on half steps exercise round-half-to-even.
    yield "halves", (np.arange(-40, 41, dtype=np.float32) * np.float32(0.125))
    yield "seed002_weights", np.array([-23.543, 8.533, 1.012, -12.4756, 34.53], dtype=np.float32)
    yield "constant", np.full(7, 0.75, dtype=np.float32)
    yield "zeros", np.zeros(5, dtype=np.float32)
    yield "single", np.array([-3.5], dtype=np.float32)


def reference(values, qscheme, dtype, qmin, qmax):
    observer = torch.ao.quantization.MinMaxObserver(
        dtype=dtype, qscheme=qscheme, quant_min=qmin, quant_max=qmax)
    x = torch.from_numpy(values)
    observer(x)
    scale, zero_point = observer.calculate_qparams()
    q = torch.quantize_per_tensor(x, float(scale), int(zero_point), dtype)
    # quantize_per_tensor saturates to the dtype (e.g. 0..255); the observer's narrower
    # [quant_min, quant_max] is applied on top, as fake_quantize_per_tensor_affine does.
    codes = torch.clamp(q.int_repr().int(), qmin, qmax)
    return {
        "scale": float(scale),
        "zero_point": int(zero_point),
        "codes": codes.tolist(),
    }


def main():
    cases = []
    inputs = {}
    for name, values in tensors():
        inputs[name] = values.tolist()
        for bits in range(2, 9):
            half = 2 ** (bits - 1) - 1
            cases.append({"tensor": name, "scheme": "symmetric", "bits": bits,
                          **reference(values, torch.per_tensor_symmetric, torch.qint8, -half, half)})
            cases.append({"tensor": name, "scheme": "asymmetric", "bits": bits,
                          **reference(values, torch.per_tensor_affine, torch.quint8, 0, 2 ** bits - 1)})
    json.dump({"generator": "torch " + torch.__version__, "tensors": inputs, "cases": cases},
              sys.stdout)


if __name__ == "__main__":
    main()
