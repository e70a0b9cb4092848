#!/usr/bin/env python3
"""Writes a synthetic sharded safetensors checkpoint shaped like a decoder LLM, for measuring
`quantscope-cli report` (speed, memory) on large models. Needs python3-numpy.

usage: make-checkpoint.py OUTDIR [--params 1e9] [--layers 24] [--dtype F32|BF16] [--shard-gb 2]

Writes OUTDIR/model-0000K-of-0000N.safetensors and OUTDIR/model.safetensors.index.json: an
embedding and an output head, per layer q/k/v/o projections, an MLP and two norms, plus an int64
`position_ids`; weights are Gaussian with a few large outliers, in the largest-first order real
checkpoints have. Run with Debian's python3 (/usr/bin/python3).
"""
import argparse
import json
import os
import struct

import numpy as np


def tensors(params, layers):
    # hidden h with params ≈ 2·vocab·h + layers·12·h²; vocab = 16·h.
    h = int(((params / layers / 12) ** 0.5) // 64 * 64) or 64
    vocab = 16 * h
    yield "model.embed_tokens.weight", (vocab, h)
    for layer in range(layers):
        prefix = f"model.layers.{layer}."
        yield prefix + "input_layernorm.weight", (h,)
        for name in ("q_proj", "k_proj", "v_proj", "o_proj"):
            yield prefix + f"self_attn.{name}.weight", (h, h)
        yield prefix + "post_attention_layernorm.weight", (h,)
        yield prefix + "mlp.gate_proj.weight", (4 * h, h)
        yield prefix + "mlp.up_proj.weight", (4 * h, h)
        yield prefix + "mlp.down_proj.weight", (h, 4 * h)
    yield "model.norm.weight", (h,)
    yield "lm_head.weight", (vocab, h)


def values(shape, rng, dtype):
    array = rng.standard_normal(shape, dtype=np.float32)
    if len(shape) == 1:
        array = 1.0 + 0.05 * array
    else:
        array *= 0.02
        flat = array.reshape(-1)
        flat[rng.integers(0, flat.size, max(1, flat.size // 100000))] *= 50.0
    if dtype == "BF16":
        return (array.view(np.uint32) >> 16).astype(np.uint16)
    return array


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--params", type=float, default=1e9)
    parser.add_argument("--layers", type=int, default=24)
    parser.add_argument("--dtype", choices=("F32", "BF16"), default="F32")
    parser.add_argument("--shard-gb", type=float, default=2.0)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(0)
    itemsize = 4 if args.dtype == "F32" else 2
    shards, current, size = [], [], 0
    for name, shape in tensors(args.params, args.layers):
        nbytes = int(np.prod(shape)) * itemsize
        if current and size + nbytes > args.shard_gb * 1e9:
            shards.append(current)
            current, size = [], 0
        current.append((name, shape))
        size += nbytes
    current.append(("position_ids", (4096,)))
    shards.append(current)
    weight_map = {}
    for k, shard in enumerate(shards):
        file = f"model-{k + 1:05d}-of-{len(shards):05d}.safetensors"
        header, offset = {}, 0
        for name, shape in shard:
            dtype = "I64" if name == "position_ids" else args.dtype
            nbytes = int(np.prod(shape)) * (8 if dtype == "I64" else itemsize)
            header[name] = {"dtype": dtype, "shape": list(shape),
                            "data_offsets": [offset, offset + nbytes]}
            offset += nbytes
            weight_map[name] = file
        text = json.dumps(header).encode()
        text += b" " * (-len(text) % 8)
        with open(os.path.join(args.out, file), "wb") as f:
            f.write(struct.pack("<Q", len(text)) + text)
            for name, shape in shard:
                if name == "position_ids":
                    f.write(np.arange(shape[0], dtype=np.int64).tobytes())
                else:
                    f.write(values(shape, rng, args.dtype).tobytes())
        print(file, f"{offset / 1e9:.2f} GB")
    with open(os.path.join(args.out, "model.safetensors.index.json"), "w") as f:
        json.dump({"metadata": {}, "weight_map": weight_map}, f)


if __name__ == "__main__":
    main()
