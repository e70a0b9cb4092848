#!/usr/bin/env python3
"""Writes model files with the reference libraries (onnx, numpy) and what those libraries
report about them, for tests/core/tst_io_reference.cpp.

usage: make_reference.py OUTDIR   -> OUTDIR/*.onnx, *.npz, *.safetensors, expected.json

expected.json: {file: {"tensors": [{"name", "shape", "dtype", "values"}], "skipped": [names]}}.
Dequantized values of QDQ models are computed here with numpy, independently of QuantScope.
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
expected["model.onnx"] = {"tensors": onnx_tensors, "skipped": []}


# ONNX sub-graphs three deep (If > Loop > Scan), every Constant attribute kind, a sparse
# initializer, a name repeated in a sub-graph, an empty and a string tensor.
def const_node(output, **value):
    return helper.make_node("Constant", [], [output], **value)


def graph_of(name, nodes, initializers=(), sparse=()):
    out = helper.make_tensor_value_info(name + "_out", TensorProto.FLOAT, None)
    return helper.make_graph(nodes, name, [], [out], initializer=list(initializers),
                             sparse_initializer=list(sparse))


deep_w = rng.standard_normal((3, 2)).astype(np.float32)
scan_body = graph_of("scan_body", [const_node("deep_const", value=numpy_helper.from_array(
    rng.standard_normal(4).astype(np.float32), "ignored"))],
                     [numpy_helper.from_array(deep_w, "w")])
loop_body = graph_of("loop_body", [
    helper.make_node("Scan", ["s"], ["s_out"], name="scan", body=scan_body, num_scan_inputs=1),
    const_node("c_float", value_float=1.5), const_node("c_floats", value_floats=[0.25, -2.0]),
    const_node("c_int", value_int=-7), const_node("c_ints", value_ints=[3, 4, 5]),
    const_node("c_sparse", sparse_value=helper.make_sparse_tensor(
        numpy_helper.from_array(np.array([2.5, -1.0], dtype=np.float32), "sv"),
        numpy_helper.from_array(np.array([1, 5], dtype=np.int64), "si"), [2, 3])),
    const_node("c_string", value_string="text")])
then_graph = graph_of("then", [
    helper.make_node("Loop", ["n", "cond"], ["l_out"], name="loop", body=loop_body)],
                      [numpy_helper.from_array(rng.standard_normal(5).astype(np.float32),
                                               "then_w")])
else_graph = graph_of("else", [const_node("else_const", value=numpy_helper.from_array(
    rng.standard_normal((2, 2)).astype(np.float16), "ignored"))])
main_w = rng.standard_normal((2, 3)).astype(np.float32)
sparse_init = helper.make_sparse_tensor(
    numpy_helper.from_array(np.array([4.0, 8.0, -1.5], dtype=np.float32), "sparse_w"),
    numpy_helper.from_array(np.array([[0, 1], [2, 0], [3, 3]], dtype=np.int64), "idx"), [4, 4])
empty = numpy_helper.from_array(np.zeros((0, 3), dtype=np.float32), "empty")
strings = helper.make_tensor("strings", TensorProto.STRING, [2], [b"a", b"b"])
graph = graph_of("main", [helper.make_node("If", ["cond"], ["if_out"], name="branch",
                                           then_branch=then_graph, else_branch=else_graph)],
                 [numpy_helper.from_array(main_w, "w"), empty, strings], [sparse_init])
onnx.save_model(helper.make_model(graph), os.path.join(out, "subgraphs.onnx"))
sparse_dense = np.zeros((4, 4), dtype=np.float32)
sparse_dense[0, 1], sparse_dense[2, 0], sparse_dense[3, 3] = 4.0, 8.0, -1.5
c_sparse_dense = np.zeros(6, dtype=np.float32)
c_sparse_dense[1], c_sparse_dense[5] = 2.5, -1.0
expected["subgraphs.onnx"] = {"tensors": [
    describe("w", main_w), describe("sparse_w", sparse_dense, "float32 (sparse)"),
    describe("then_w", numpy_helper.to_array(then_graph.initializer[0])),
    describe("else_const", numpy_helper.to_array(else_graph.node[0].attribute[0].t)),
    describe("c_float", np.array(1.5, dtype=np.float32)),
    describe("c_floats", np.array([0.25, -2.0], dtype=np.float32)),
    describe("c_int", np.array(-7), "int64"), describe("c_ints", np.array([3, 4, 5]), "int64"),
    describe("c_sparse", c_sparse_dense.reshape(2, 3), "float32 (sparse)"),
    describe("deep_const", numpy_helper.to_array(scan_body.node[0].attribute[0].t)),
    describe("branch/then_branch/loop/body/scan/body/w", deep_w)],
    "skipped": ["empty", "strings", "c_string"]}


# QDQ: integer initializers feeding DequantizeLinear per tensor, per axis and blocked (opset 21,
# int4 packed two per byte as onnx stores it).
INT4 = 22  # TensorProto.INT4, newer than this onnx module


def int4_tensor(name, values):
    flat = (values.ravel().astype(np.int16) & 0xF).astype(np.uint8)
    packed = flat[0::2] | (np.append(flat[1::2], 0)[:len(flat[0::2])] << 4)
    tensor = TensorProto(name=name, dims=list(values.shape), data_type=INT4)
    tensor.raw_data = packed.astype(np.uint8).tobytes()
    return tensor


q_tensor = rng.integers(-128, 128, (4, 6)).astype(np.int8)
q_axis = rng.integers(0, 256, (3, 5)).astype(np.uint8)
q_block = rng.integers(-8, 8, (2, 7)).astype(np.int8)
scale_t = np.array(0.05, dtype=np.float32)
scale_axis = np.array([0.1, 0.02, 0.5], dtype=np.float32)
zero_axis = np.array([128, 100, 3], dtype=np.uint8)
scale_block = np.array([[0.5, 0.25, 2.0], [1.5, 0.125, 4.0]], dtype=np.float32)  # blocks of 3
qdq_nodes = [
    helper.make_node("DequantizeLinear", ["q_tensor", "s_t"], ["d1"]),
    helper.make_node("DequantizeLinear", ["q_axis", "s_axis", "z_axis"], ["d2"], axis=0),
    helper.make_node("DequantizeLinear", ["q_block", "s_block"], ["d3"], axis=1, block_size=3),
    helper.make_node("DequantizeLinear", ["activation", "s_t"], ["d4"])]
graph = graph_of("qdq", qdq_nodes, [
    numpy_helper.from_array(q_tensor, "q_tensor"), numpy_helper.from_array(scale_t, "s_t"),
    numpy_helper.from_array(q_axis, "q_axis"), numpy_helper.from_array(scale_axis, "s_axis"),
    numpy_helper.from_array(zero_axis, "z_axis"), int4_tensor("q_block", q_block),
    numpy_helper.from_array(scale_block, "s_block")])
onnx.save_model(helper.make_model(graph), os.path.join(out, "qdq.onnx"))
block_scales = np.repeat(scale_block, 3, axis=1)[:, :7]
expected["qdq.onnx"] = {"tensors": [
    describe("q_tensor", (q_tensor.astype(np.float32) * scale_t).astype(np.float32),
             "int8 via DequantizeLinear, per-tensor"),
    describe("s_t", scale_t),
    describe("q_axis", ((q_axis.astype(np.int32) - zero_axis[:, None]).astype(np.float32) *
                        scale_axis[:, None]).astype(np.float32), "uint8 via DequantizeLinear, per-axis 0"),
    describe("s_axis", scale_axis), describe("z_axis", zero_axis),
    describe("q_block", (q_block.astype(np.float32) * block_scales).astype(np.float32),
             "int4 via DequantizeLinear, blocked 3 along axis 1"),
    describe("s_block", scale_block)], "skipped": []}

# The 8-bit and 4-bit float types and int4/uint4, raw and in the typed int32_data field; every
# non-NaN code, decoded here from the formats' definitions.
def small_float(code, exponent_bits, mantissa_bits, bias, ieee=False):
    sign = -1.0 if code >> (exponent_bits + mantissa_bits) else 1.0
    exponent = (code >> mantissa_bits) & ((1 << exponent_bits) - 1)
    mantissa = code & ((1 << mantissa_bits) - 1)
    if ieee and exponent == (1 << exponent_bits) - 1:
        return sign * float("inf") if mantissa == 0 else None
    if exponent == 0:
        return sign * mantissa / (1 << mantissa_bits) * 2.0 ** (1 - bias)
    return sign * (1 + mantissa / (1 << mantissa_bits)) * 2.0 ** (exponent - bias)


float_types = {  # name: (TensorProto id, exponent bits, mantissa bits, bias, NaN codes, IEEE)
    "float8e4m3fn": (17, 4, 3, 7, {0x7F, 0xFF}, False),
    "float8e4m3fnuz": (18, 4, 3, 8, {0x80}, False),
    "float8e5m2": (19, 5, 2, 15, set(), True),
    "float8e5m2fnuz": (20, 5, 2, 16, {0x80}, False),
    "float4e2m1": (23, 2, 1, 1, set(), False)}
type_tensors, type_expected = [], []
for name, (type_id, e, m, bias, nans, ieee) in float_types.items():
    width = 1 + e + m
    codes = [c for c in range(1 << width) if c not in nans and
             small_float(c, e, m, bias, ieee) is not None and
             abs(small_float(c, e, m, bias, ieee)) != float("inf")]
    if width == 4:
        codes = codes + [0] * (len(codes) % 2)
        raw = bytes(codes[i] | codes[i + 1] << 4 for i in range(0, len(codes), 2))
    else:
        raw = bytes(codes)
    type_tensors.append(TensorProto(name=name, dims=[len(codes)], data_type=type_id, raw_data=raw))
    values = np.array([small_float(c, e, m, bias, ieee) for c in codes])
    type_expected.append(describe(name, values, name))
int4_values = np.array([-8, -1, 0, 7, 3], dtype=np.int8)
uint4_values = np.array([0, 15, 9], dtype=np.uint8)
for name, type_id, values in (("int4", 22, int4_values), ("uint4", 21, uint4_values)):
    nibbles = [int(v) & 0xF for v in values] + [0]
    packed = [nibbles[i] | nibbles[i + 1] << 4 for i in range(0, len(values), 2)]
    type_tensors.append(TensorProto(name=name + "_typed", dims=[len(values)], data_type=type_id,
                                    int32_data=packed))
    type_expected.append(describe(name + "_typed", values, name))
type_tensors.append(TensorProto(name="e4m3_typed", dims=[3], data_type=17, int32_data=[0x7E, 0x01,
                                                                                       0xB8]))
type_expected.append(describe("e4m3_typed", np.array([448.0, 2.0 ** -9, -1.0]), "float8e4m3fn"))
onnx.save_model(helper.make_model(graph_of("types", [], type_tensors)),
                os.path.join(out, "types.onnx"))
expected["types.onnx"] = {"tensors": type_expected, "skipped": []}

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
        expected[name] = {"tensors": [describe(key, data[key],
                                               data[key].dtype.newbyteorder("=").name)
                                      for key in data.files], "skipped": []}

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
expected["model.safetensors"] = {"tensors": [describe(k, v) for k, v in st.items()],
                                 "skipped": []}

with open(os.path.join(out, "expected.json"), "w") as f:
    json.dump(expected, f)
