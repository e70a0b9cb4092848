#!/usr/bin/env python3
"""Writes model files with the reference libraries (onnx, numpy) and what those libraries
report about them, for tests/core/tst_io_reference.cpp.

usage: make_reference.py OUTDIR   -> OUTDIR/*.onnx, *.npz, *.safetensors, expected.json
"""
import json
import os
import struct
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
expected = {}
rng = np.random.default_rng(5)


def describe(name, array, dtype=None):
    return {"name": name, "shape": list(array.shape), "dtype": dtype or str(array.dtype),
            "values": [float(v) for v in np.asarray(array, dtype=np.float64).ravel()]}


# ONNX: initializers stored as raw_data and as typed fields, a Constant node, external data.
weight = rng.standard_normal((4, 3)).astype(np.float32)
bias16 = rng.standard_normal(3).astype(np.float16)
ids = np.array([[1, -2], [3, 40000000000]], dtype=np.int64)
typed = helper.make_tensor("typed_f32", TensorProto.FLOAT, [2, 2], [0.5, -1.25, 3.0, 1e-3])
small = helper.make_tensor("typed_i8", TensorProto.INT8, [3], [-128, 0, 127])
const = numpy_helper.from_array(rng.standard_normal((2, 5)).astype(np.float32), "unused")
big = rng.standard_normal((64, 32)).astype(np.float32)
nodes = [
    helper.make_node("Constant", [], ["const_out"], value=const),
    helper.make_node("Gemm", ["x", "weight", "bias16_f32"], ["y"]),
]
graph = helper.make_graph(
    nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])],
    initializer=[numpy_helper.from_array(weight, "weight"),
                 numpy_helper.from_array(bias16, "bias16"),
                 numpy_helper.from_array(ids, "ids"), typed, small,
                 numpy_helper.from_array(big, "big_external")])
model = helper.make_model(graph)
onnx.save_model(model, os.path.join(out, "model.onnx"), save_as_external_data=True,
                all_tensors_to_one_file=True, location="model.weights", size_threshold=4096)
loaded = onnx.load(os.path.join(out, "model.onnx"))  # loads the external data too
onnx_tensors = [describe(t.name, numpy_helper.to_array(t)) for t in loaded.graph.initializer]
for node in loaded.graph.node:
    if node.op_type == "Constant":
        value = next(a.t for a in node.attribute if a.name == "value")
        onnx_tensors.append(describe(node.output[0], numpy_helper.to_array(value)))
expected["model.onnx"] = onnx_tensors

# npz: stored and deflated, C and Fortran order, both byte orders.
arrays = {"a": rng.standard_normal((3, 4)).astype(np.float32),
          "fortran": np.asfortranarray(np.arange(12, dtype=np.float64).reshape(3, 4)),
          "big_endian": np.arange(5, dtype=">i4"),
          "half": np.array([1.0, -2.5, 65504.0], dtype=np.float16),
          "flags": np.array([True, False, True])}
np.savez(os.path.join(out, "stored.npz"), **arrays)
np.savez_compressed(os.path.join(out, "deflated.npz"), **arrays)
for name in ("stored.npz", "deflated.npz"):
    with np.load(os.path.join(out, name)) as data:
        expected[name] = [describe(key, data[key], data[key].dtype.newbyteorder("=").name)
                          for key in data.files]

# safetensors, written as the format specifies (header padded to 8 bytes).
def write_safetensors(path, tensors):
    header, blobs, offset = {"__metadata__": {"format": "np"}}, [], 0
    codes = {"float32": "F32", "float16": "F16", "int64": "I64", "uint8": "U8", "bool": "BOOL"}
    for name, array in tensors.items():
        blob = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": codes[array.dtype.name], "shape": list(array.shape),
                        "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


st = {"embed": rng.standard_normal((6, 4)).astype(np.float32),
      "norm": rng.standard_normal(4).astype(np.float16),
      "positions": np.arange(4, dtype=np.int64), "mask": np.array([1, 0, 1], dtype=bool)}
write_safetensors(os.path.join(out, "model.safetensors"), st)
expected["model.safetensors"] = [describe(k, v) for k, v in st.items()]

with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f)
