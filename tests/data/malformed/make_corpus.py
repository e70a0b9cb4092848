#!/usr/bin/env python3
"""Regenerates the malformed model files in this directory and expected.json (standard library
only).

A file whose container is broken must be refused with an InputError naming it; a file with one
bad tensor must open with that tensor skipped (with a reason) and every other tensor readable.
expected.json says which, per file; tests/core/tst_io_malformed.cpp checks every file it lists,
and the fuzzers start from them. Files named ok_* are valid helpers the others refer to.
"""
import io
import json
import os
import struct
import zipfile

here = os.path.dirname(os.path.abspath(__file__))


expected = {}


def put(name, data):
    with open(os.path.join(here, name), "wb") as f:
        f.write(data)


def refuse(name, data):
    """The file is refused whole."""
    put(name, data)
    expected[name] = {"refused": True}


def skip(name, data, skipped, tensors=()):
    """The file opens: `skipped` are listed as skipped, `tensors` are listed and load."""
    put(name, data)
    expected[name] = {"skipped": list(skipped), "tensors": list(tensors)}


# safetensors
def st(header, data=b"", length=None):
    text = json.dumps(header).encode() if not isinstance(header, bytes) else header
    return struct.pack("<Q", len(text) if length is None else length) + text + data


entry = lambda dtype, shape, offsets: {"dtype": dtype, "shape": shape, "data_offsets": offsets}
refuse("st_truncated_length.safetensors", b"\x10\x00\x00")
refuse("st_header_past_end.safetensors", st({"a": entry("F32", [1], [0, 4])}, b"\0" * 4, 4096))
refuse("st_header_huge.safetensors", st(b"{}", length=1 << 62))
refuse("st_not_json.safetensors", st(b"{\"a\": [1, 2"))
# Data that begin inside the file but run past its end (a cut download): that tensor is skipped.
skip("st_offsets_past_end.safetensors",
     st({"ok": entry("F32", [1], [0, 4]), "a": entry("F32", [4], [4, 20])}, b"\0" * 12), ["a"],
     ["ok"])
refuse("st_offsets_start_past_end.safetensors", st({"a": entry("F32", [1], [16, 20])}, b"\0" * 8))
refuse("st_offsets_reversed.safetensors", st({"a": entry("F32", [0], [8, 4])}, b"\0" * 8))
# One bad tensor "a" beside a good one, "ok", whose data follow a's 8 bytes.
def st_skip(name, bad):
    ok = entry("F32", [1], [8, 12])
    skip(name, st({"a": bad, "ok": ok}, b"\0" * 12), ["a"], ["ok"])


st_skip("st_size_mismatch.safetensors", entry("F32", [3], [0, 8]))
st_skip("st_shape_overflow.safetensors", entry("U8", [1 << 32, 1 << 32, 1 << 32], [0, 8]))
st_skip("st_negative_dim.safetensors", entry("F32", [-2], [0, 8]))
st_skip("st_unsupported_dtype.safetensors", entry("C64", [1], [0, 8]))
st_skip("st_empty_tensor.safetensors", entry("F32", [0, 3], [0, 0]))
st_skip("st_not_object.safetensors", [1, 2, 3])
refuse("st_deep_json.safetensors", st(b"[" * 100000 + b"]" * 100000))

# sharded safetensors
put("ok_shard.safetensors", st({"w": entry("F32", [1], [0, 4])}, b"\0" * 4))
# The shard path escapes the index's folder, or is missing; "w" in ok_shard still opens.
skip("idx_escapes.index.json", json.dumps({"weight_map": {
    "x": "../malformed/ok_shard.safetensors", "w": "ok_shard.safetensors"}}).encode(), ["x"], ["w"])
skip("idx_missing_shard.index.json", json.dumps({"weight_map": {
    "x": "nope.safetensors", "w": "ok_shard.safetensors"}}).encode(), ["x"], ["w"])
skip("idx_tensor_not_in_shard.index.json", json.dumps({"weight_map": {
    "v": "ok_shard.safetensors", "w": "ok_shard.safetensors"}}).encode(), ["v"], ["w"])
refuse("idx_no_weight_map.index.json", b'{"metadata": {}}')
refuse("idx_not_json.index.json", b'{"weight_map": ')


# GGUF
def gs(text):
    return struct.pack("<Q", len(text)) + text


def gguf(tensors, kv=b"", nkv=0, version=3, ntensors=None, pad=32, data=b""):
    head = b"GGUF" + struct.pack("<IQQ", version, len(tensors) if ntensors is None else ntensors,
                                 nkv) + kv
    for name, ne, typ, off in tensors:
        head += gs(name) + struct.pack("<I", len(ne)) + b"".join(struct.pack("<Q", n) for n in ne)
        head += struct.pack("<IQ", typ, off)
    head += b"\0" * (-len(head) % pad)
    return head + data


refuse("gguf_truncated.gguf", gguf([(b"t", [4], 0, 0)], data=b"\0" * 16)[:30])
refuse("gguf_bad_version.gguf", gguf([], version=7))
refuse("gguf_huge_counts.gguf", gguf([], ntensors=1 << 60))
refuse("gguf_string_past_end.gguf", b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 1 << 40))
refuse("gguf_offset_past_end.gguf", gguf([(b"t", [4], 0, 1024)], data=b"\0" * 16))
refuse("gguf_unaligned.gguf", gguf([(b"t", [1], 0, 4)], data=b"\0" * 64))
# One bad tensor "t" at offset 0 beside a good float32 "ok" at offset 160 (past any bad data).
def gguf_skip(name, ne, typ):
    tensors = [(b"t", ne, typ, 0), (b"ok", [1], 0, 160)]
    skip(name, gguf(tensors, data=b"\0" * 192), ["t"], ["ok"])


gguf_skip("gguf_unknown_type.gguf", [4], 99)
gguf_skip("gguf_q4_row.gguf", [20], 2)
gguf_skip("gguf_dims_overflow.gguf", [1 << 40, 1 << 40], 0)
skip("gguf_duplicate.gguf", gguf([(b"t", [1], 0, 0), (b"t", [1], 0, 32)], data=b"\0" * 64), ["t"],
     ["t"])
refuse("gguf_too_many_dims.gguf", gguf([(b"t", [1] * 40, 0, 0)], data=b"\0" * 16))
gguf_skip("gguf_empty_tensor.gguf", [0], 0)
# ggml types: a removed id, rows that do not fill whole blocks (K-quant, IQ, NVFP4, Q1_0 and a
# scalar Q8_0), a float64 whose byte size overflows.
gguf_skip("gguf_removed_type.gguf", [32], 31)  # Q4_0_4_4, gone from ggml
gguf_skip("gguf_k_row.gguf", [100, 2], 12)  # Q4_K: 256 per block
gguf_skip("gguf_iq4_nl_row.gguf", [48], 20)  # 32 per block
gguf_skip("gguf_nvfp4_row.gguf", [96], 40)  # 64 per block
gguf_skip("gguf_q1_0_row.gguf", [64, 4], 41)  # 128 per block
gguf_skip("gguf_block_scalar.gguf", [], 8)
gguf_skip("gguf_f64_bytes_overflow.gguf", [1 << 61], 28)
# A block tensor whose data run one byte past the end of the file (a cut download), one per
# block family (ggml type id, bytes per 256 elements): skipped, the float32 before it opens.
for name, typ, size in [("q5_1", 7, 8 * 24), ("q6_k", 14, 210), ("iq2_xxs", 16, 66),
                        ("iq3_s", 21, 110), ("iq1_m", 29, 56), ("tq1_0", 34, 54),
                        ("mxfp4", 39, 8 * 17)]:
    skip(f"gguf_{name}_past_end.gguf",
         gguf([(b"ok", [1], 0, 0), (b"t", [256, 2], typ, 32)], data=b"\0" * (32 + 2 * size - 1)),
         ["t"], ["ok"])
nested = b""
for _ in range(64):
    nested += struct.pack("<IQ", 9, 1)  # array of one array of one array ...
refuse("gguf_nested_arrays.gguf",
    gguf([], kv=gs(b"k") + struct.pack("<I", 9) + nested + struct.pack("<IQ", 0, 0), nkv=1))
refuse("gguf_bad_alignment.gguf",
    gguf([], kv=gs(b"general.alignment") + struct.pack("<II", 4, 3), nkv=1))


# ONNX, encoded by hand
def varint(n):
    n &= (1 << 64) - 1
    out = b""
    while True:
        byte = n & 0x7F
        n >>= 7
        out += bytes([byte | (0x80 if n else 0)])
        if not n:
            return out


def field(number, value):
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    return varint(number << 3 | 2) + varint(len(value)) + value


def tensor(name, dims, dtype, raw=None, extra=b""):
    body = b"".join(field(1, d) for d in dims) + field(2, dtype) + field(8, name)
    return body + (field(9, raw) if raw is not None else b"") + extra


def model(*initializers, nodes=b""):
    graph = nodes + b"".join(field(5, t) for t in initializers)
    return field(1, 8) + field(7, graph)


def external(location, offset=None, length=None):
    entries = [(b"location", location)]
    entries += [(b"offset", offset)] if offset is not None else []
    entries += [(b"length", length)] if length is not None else []
    return b"".join(field(13, field(1, k) + field(2, v)) for k, v in entries) + field(14, 1)


refuse("onnx_truncated.onnx", model(tensor(b"w", [4], 1, b"\0" * 16))[:-5])
refuse("onnx_length_past_end.onnx", field(1, 8) + varint(7 << 3 | 2) + varint(1 << 40))
refuse("onnx_bad_varint.onnx", field(1, 8) + b"\xff" * 12)
refuse("onnx_group_wire_type.onnx", field(1, 8) + varint(7 << 3 | 3))
ok_tensor = tensor(b"ok", [1], 1, b"\0" * 4)


# One bad tensor (named "w" unless told) beside the good float32 "ok".
def onnx_skip(name, bad, skipped=("w",), nodes=b"", tensors=("ok",)):
    skip(name, model(*[t for t in (bad, ok_tensor) if t], nodes=nodes), skipped, tensors)


onnx_skip("onnx_raw_size_mismatch.onnx", tensor(b"w", [4], 1, b"\0" * 12))
onnx_skip("onnx_typed_count_mismatch.onnx",
          tensor(b"w", [3], 1, extra=field(4, struct.pack("<2f", 1, 2))))
onnx_skip("onnx_typed_claims_huge.onnx", tensor(b"w", [1 << 40], 7, extra=field(7, 1)))
onnx_skip("onnx_string_dtype.onnx", tensor(b"w", [1], 8, extra=field(6, b"hello")))
onnx_skip("onnx_negative_dim.onnx", tensor(b"w", [-4], 1, b""))
onnx_skip("onnx_dims_overflow.onnx", tensor(b"w", [1 << 62, 1 << 62], 1, b""))
onnx_skip("onnx_empty_tensor.onnx", tensor(b"w", [0], 1, b""))
onnx_skip("onnx_external_escapes.onnx", tensor(b"w", [1], 1, extra=external(b"../secret.bin")))
onnx_skip("onnx_external_absolute.onnx", tensor(b"w", [1], 1, extra=external(b"/etc/passwd")))
onnx_skip("onnx_external_missing.onnx", tensor(b"w", [1], 1, extra=external(b"absent.bin")))
put("ok_external.bin", b"\0" * 8)
onnx_skip("onnx_external_past_end.onnx",
          tensor(b"w", [4], 1, extra=external(b"ok_external.bin", b"4")))
onnx_skip("onnx_external_bad_offset.onnx",
          tensor(b"w", [1], 1, extra=external(b"ok_external.bin", b"-1")))
onnx_skip("onnx_external_length_lies.onnx",
          tensor(b"w", [1], 1, extra=external(b"ok_external.bin", b"0", b"8")))
# A tensor message that is itself malformed protobuf (its name read, then a bad varint): only
# that tensor is lost.
onnx_skip("onnx_tensor_bad_varint.onnx", field(8, b"w") + varint(2 << 3) + b"\xff" * 12)
skip("onnx_duplicate.onnx", model(tensor(b"w", [1], 1, b"\0" * 4), tensor(b"w", [1], 1, b"\0" * 4)),
     ["w"], ["w"])
constant = field(2, b"c") + field(4, b"Constant") + field(5, field(1, b"value") + field(
    5, tensor(b"", [2], 1, b"\0" * 4)))
onnx_skip("onnx_constant_bad.onnx", None, ["c"], nodes=field(1, constant))


def node(op, inputs=(), outputs=(), name=b"", attributes=()):
    body = b"".join(field(1, i) for i in inputs) + b"".join(field(2, o) for o in outputs)
    return field(1, body + field(3, name) + field(4, op) + b"".join(field(5, a) for a in attributes))


def graph_attribute(name, graph):
    return field(1, name) + field(6, graph)


# Sub-graphs nested past the depth limit: the too-deep one is skipped by its path.
depth = 40
inner = field(5, tensor(b"deepest", [1], 1, b"\0" * 4))
for _ in range(depth):
    inner = node(b"If", [b"c"], [b"o"], b"n", [graph_attribute(b"then_branch", inner)])
onnx_skip("onnx_deep_subgraphs.onnx", None, ["/".join(["n/then_branch"] * 33)], nodes=inner)
# DequantizeLinear whose per-axis scales do not fit the tensor's axis.
dq = node(b"DequantizeLinear", [b"w", b"s"], [b"y"], attributes=[field(1, b"axis") + field(3, 1)])
onnx_skip("onnx_qdq_bad_scale.onnx", tensor(b"w", [2, 3], 3, b"\0" * 6),
          nodes=dq + field(5, tensor(b"s", [2], 1, b"\0" * 8)), tensors=["s", "ok"])
# A sparse initializer (graph field 15) whose index lies outside its dense shape.
sparse = field(1, tensor(b"w", [1], 1, b"\0" * 4)) + field(2, tensor(b"i", [1], 7, struct.pack(
    "<q", 99))) + field(3, 2) + field(3, 2)
onnx_skip("onnx_sparse_bad_index.onnx", None, nodes=field(15, sparse))


# npz
def npy(header, data):
    text = repr(header).encode()
    text += b" " * (-(len(text) + 11) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text + data


def npz(members, method=zipfile.ZIP_STORED):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as z:
        for name, data in members:
            z.writestr(name, data)
    return buffer.getvalue()


good = npy({"descr": "<f4", "fortran_order": False, "shape": (2,)}, b"\0" * 8)
refuse("npz_truncated.npz", npz([("a.npy", good)])[:-30])


# One bad member "a" beside the good "ok".
def npz_skip(name, bad):
    skip(name, npz([("a.npy", bad), ("ok.npy", good)]), ["a"], ["ok"])


npz_skip("npz_bad_member_magic.npz", b"not an array at all")
npz_skip("npz_shape_lies.npz",
         npy({"descr": "<f4", "fortran_order": False, "shape": (100,)}, b"\0" * 8))
npz_skip("npz_bad_header.npz", npy({"descr": "<f4"}, b"\0" * 8))
npz_skip("npz_unsupported_dtype.npz",
         npy({"descr": "<c8", "fortran_order": False, "shape": (1,)}, b"\0" * 8))
npz_skip("npz_shape_overflow.npz",
         npy({"descr": "|u1", "fortran_order": False, "shape": (1 << 40, 1 << 40)}, b""))
npz_skip("npz_empty.npz", npy({"descr": "<f4", "fortran_order": False, "shape": (0,)}, b""))
corrupt = bytearray(npz([("a.npy", good)], zipfile.ZIP_DEFLATED))
corrupt[40] ^= 0xFF  # inside the deflated stream, within the member's .npy header
skip("npz_corrupt_deflate.npz", bytes(corrupt), ["a"])

# text
refuse("text_empty.csv", b"")
refuse("text_only_header.csv", b"a,b,c\n")
refuse("text_ragged.csv", b"1,2,3\n4,5\n")
refuse("text_not_number.txt", b"1 2\n3 x\n")

with open(os.path.join(here, "expected.json"), "w") as f:
    json.dump(expected, f, indent=1, sort_keys=True)
    f.write("\n")
