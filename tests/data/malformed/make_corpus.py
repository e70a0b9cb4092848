#!/usr/bin/env python3
"""Regenerates the malformed model files in this directory (standard library only).

Each file must make QuantScope raise InputError naming it, on open or on loading a tensor;
tests/core/tst_io_malformed.cpp checks every file here except this script and the valid helper
files named ok_*, and the fuzzers start from them.
"""
import io
import json
import os
import struct
import zipfile

here = os.path.dirname(os.path.abspath(__file__))


def put(name, data):
    with open(os.path.join(here, name), "wb") as f:
        f.write(data)


# safetensors
def st(header, data=b"", length=None):
    text = json.dumps(header).encode() if not isinstance(header, bytes) else header
    return struct.pack("<Q", len(text) if length is None else length) + text + data


entry = lambda dtype, shape, offsets: {"dtype": dtype, "shape": shape, "data_offsets": offsets}
put("st_truncated_length.safetensors", b"\x10\x00\x00")
put("st_header_past_end.safetensors", st({"a": entry("F32", [1], [0, 4])}, b"\0" * 4, 4096))
put("st_header_huge.safetensors", st(b"{}", length=1 << 62))
put("st_not_json.safetensors", st(b"{\"a\": [1, 2"))
put("st_offsets_past_end.safetensors", st({"a": entry("F32", [4], [0, 16])}, b"\0" * 8))
put("st_offsets_reversed.safetensors", st({"a": entry("F32", [0], [8, 4])}, b"\0" * 8))
put("st_size_mismatch.safetensors", st({"a": entry("F32", [3], [0, 8])}, b"\0" * 8))
put("st_shape_overflow.safetensors",
    st({"a": entry("U8", [1 << 32, 1 << 32, 1 << 32], [0, 8])}, b"\0" * 8))
put("st_negative_dim.safetensors", st({"a": entry("F32", [-2], [0, 8])}, b"\0" * 8))
put("st_unsupported_dtype.safetensors", st({"a": entry("C64", [1], [0, 8])}, b"\0" * 8))
put("st_empty_tensor.safetensors", st({"a": entry("F32", [0, 3], [0, 0])}))
put("st_not_object.safetensors", st({"a": [1, 2, 3]}))
put("st_deep_json.safetensors", st(b"[" * 100000 + b"]" * 100000))

# sharded safetensors
put("ok_shard.safetensors", st({"w": entry("F32", [1], [0, 4])}, b"\0" * 4))
put("idx_escapes.index.json",
    json.dumps({"weight_map": {"w": "../malformed/ok_shard.safetensors"}}).encode())
put("idx_missing_shard.index.json", json.dumps({"weight_map": {"w": "nope.safetensors"}}).encode())
put("idx_tensor_not_in_shard.index.json",
    json.dumps({"weight_map": {"v": "ok_shard.safetensors"}}).encode())
put("idx_no_weight_map.index.json", b'{"metadata": {}}')
put("idx_not_json.index.json", b'{"weight_map": ')


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


put("gguf_truncated.gguf", gguf([(b"t", [4], 0, 0)], data=b"\0" * 16)[:30])
put("gguf_bad_version.gguf", gguf([], version=7))
put("gguf_huge_counts.gguf", gguf([], ntensors=1 << 60))
put("gguf_string_past_end.gguf", b"GGUF" + struct.pack("<IQQ", 3, 0, 1) + struct.pack("<Q", 1 << 40))
put("gguf_offset_past_end.gguf", gguf([(b"t", [4], 0, 1024)], data=b"\0" * 16))
put("gguf_unaligned.gguf", gguf([(b"t", [1], 0, 4)], data=b"\0" * 64))
put("gguf_unknown_type.gguf", gguf([(b"t", [4], 99, 0)], data=b"\0" * 16))
put("gguf_unsupported_q4k.gguf", gguf([(b"t", [256], 12, 0)], data=b"\0" * 144))
put("gguf_q4_row.gguf", gguf([(b"t", [20], 2, 0)], data=b"\0" * 18))
put("gguf_duplicate.gguf", gguf([(b"t", [1], 0, 0), (b"t", [1], 0, 32)], data=b"\0" * 64))
put("gguf_dims_overflow.gguf", gguf([(b"t", [1 << 40, 1 << 40], 0, 0)], data=b"\0" * 16))
put("gguf_too_many_dims.gguf", gguf([(b"t", [1] * 40, 0, 0)], data=b"\0" * 16))
put("gguf_empty_tensor.gguf", gguf([(b"t", [0], 0, 0)]))
nested = b""
for _ in range(64):
    nested += struct.pack("<IQ", 9, 1)  # array of one array of one array ...
put("gguf_nested_arrays.gguf",
    gguf([], kv=gs(b"k") + struct.pack("<I", 9) + nested + struct.pack("<IQ", 0, 0), nkv=1))
put("gguf_bad_alignment.gguf",
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


put("onnx_truncated.onnx", model(tensor(b"w", [4], 1, b"\0" * 16))[:-5])
put("onnx_length_past_end.onnx", field(1, 8) + varint(7 << 3 | 2) + varint(1 << 40))
put("onnx_bad_varint.onnx", field(1, 8) + b"\xff" * 12)
put("onnx_group_wire_type.onnx", field(1, 8) + varint(7 << 3 | 3))
put("onnx_raw_size_mismatch.onnx", model(tensor(b"w", [4], 1, b"\0" * 12)))
put("onnx_typed_count_mismatch.onnx",
    model(tensor(b"w", [3], 1, extra=field(4, struct.pack("<2f", 1, 2)))))
put("onnx_typed_claims_huge.onnx", model(tensor(b"w", [1 << 40], 7, extra=field(7, 1))))
put("onnx_string_dtype.onnx", model(tensor(b"s", [1], 8, extra=field(6, b"hello"))))
put("onnx_duplicate.onnx", model(tensor(b"w", [1], 1, b"\0" * 4), tensor(b"w", [1], 1, b"\0" * 4)))
put("onnx_negative_dim.onnx", model(tensor(b"w", [-4], 1, b"")))
put("onnx_dims_overflow.onnx", model(tensor(b"w", [1 << 62, 1 << 62], 1, b"")))
put("onnx_empty_tensor.onnx", model(tensor(b"w", [0], 1, b"")))
put("onnx_external_escapes.onnx", model(tensor(b"w", [1], 1, extra=external(b"../secret.bin"))))
put("onnx_external_absolute.onnx", model(tensor(b"w", [1], 1, extra=external(b"/etc/passwd"))))
put("onnx_external_missing.onnx", model(tensor(b"w", [1], 1, extra=external(b"absent.bin"))))
put("ok_external.bin", b"\0" * 8)
put("onnx_external_past_end.onnx",
    model(tensor(b"w", [4], 1, extra=external(b"ok_external.bin", b"4"))))
put("onnx_external_bad_offset.onnx",
    model(tensor(b"w", [1], 1, extra=external(b"ok_external.bin", b"-1"))))
put("onnx_external_length_lies.onnx",
    model(tensor(b"w", [1], 1, extra=external(b"ok_external.bin", b"0", b"8"))))
constant = field(2, b"c") + field(4, b"Constant") + field(5, field(1, b"value") + field(
    5, tensor(b"", [2], 1, b"\0" * 4)))
put("onnx_constant_bad.onnx", model(nodes=field(1, constant)))


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
put("npz_truncated.npz", npz([("a.npy", good)])[:-30])
put("npz_bad_member_magic.npz", npz([("a.npy", b"not an array at all")]))
put("npz_shape_lies.npz",
    npz([("a.npy", npy({"descr": "<f4", "fortran_order": False, "shape": (100,)}, b"\0" * 8))]))
put("npz_bad_header.npz", npz([("a.npy", npy({"descr": "<f4"}, b"\0" * 8))]))
put("npz_unsupported_dtype.npz",
    npz([("a.npy", npy({"descr": "<c8", "fortran_order": False, "shape": (1,)}, b"\0" * 8))]))
put("npz_shape_overflow.npz", npz(
    [("a.npy", npy({"descr": "|u1", "fortran_order": False, "shape": (1 << 40, 1 << 40)}, b""))]))
put("npz_empty.npz",
    npz([("a.npy", npy({"descr": "<f4", "fortran_order": False, "shape": (0,)}, b""))]))
corrupt = bytearray(npz([("a.npy", good)], zipfile.ZIP_DEFLATED))
corrupt[40] ^= 0xFF  # inside the deflated stream
put("npz_corrupt_deflate.npz", bytes(corrupt))

# text
put("text_empty.csv", b"")
put("text_only_header.csv", b"a,b,c\n")
put("text_ragged.csv", b"1,2,3\n4,5\n")
put("text_not_number.txt", b"1 2\n3 x\n")
