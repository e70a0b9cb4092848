// Writes the GGUF reference data of tests/core/tst_gguf_types.cpp with ggml's own code:
//
//   ggml_types.gguf           one 2-D tensor of every ggml type, named by ggml_type_name ("q4_K"),
//                             plus "<type>.grid" tensors whose blocks visit every entry of the
//                             IQ grids (iq2_xxs, iq2_xs, iq2_s, iq3_xxs, iq3_s, iq1_s)
//   ggml_types_expected.gguf  the same names holding ggml's dequantization of each: float32, or
//                             int8 for the grid tensors (whose values are small whole numbers;
//                             checked here to convert back bit for bit)
//
// Block types are quantized from a deterministic input by ggml_quantize_chunk (IQ2_XXS, IQ2_XS
// and IQ1_S, which ggml only quantizes with an importance matrix, get a simple one) or, for Q8_1
// and Q8_K, by quantize_row_q8_1_ref / quantize_row_q8_K_ref; the grid tensors are built here
// block by block. The expected values come from ggml's to_float (dequantize_row_*,
// ggml_fp16_to_fp32_row, ggml_bf16_to_fp32_row) and dequantize_row_q8_K. ggml has no
// dequantize_row_q8_1: Q8_1's d and qs are handed to dequantize_row_q8_0, the same arithmetic.
// F32 is copied; F64 and the integer types, which ggml never converts, are converted as C does.
//
// Not built by CI. To regenerate (the files checked in come from ggml commit
// d99724f2b141fed9e1a9f402213506c081433465):
//   git clone https://github.com/ggml-org/ggml && cd ggml
//   cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=OFF
//   cmake --build build --target ggml-base
//   here=QUANTSCOPE/tests/data/gguf
//   cc -O2 -std=c11 -Iinclude -Isrc $here/make_reference.c -Lbuild/src -lggml-base -lm -o make_ref
//   LD_LIBRARY_PATH=build/src ./make_ref $here
#include "ggml-quants.h"
#include "ggml.h"
#include "gguf.h"

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kRows = 2, kMaxElements = 16384 };

static void fail(const char* what)
{
    fprintf(stderr, "make_reference: %s\n", what);
    exit(1);
}

// xorshift64*: the same numbers on every machine.
static uint64_t state = 0x9E3779B97F4A7C15ull;
static uint64_t next_random(void)
{
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1Dull;
}

// Uniform in [-1, 1), exactly representable.
static float uniform(void)
{
    return (float)(int32_t)(next_random() >> 40) / 8388608.0f - 1.0f;
}

// Weights as a model has them: roughly bell-shaped, a different spread per 32 elements so that
// sub-block scales differ, a few outliers.
static void fill_weights(float* x, int64_t n)
{
    for (int64_t i = 0; i < n; ++i) {
        const float bell = (uniform() + uniform() + uniform() + uniform()) * 0.5f;
        const float spread = 0.01f * (float)(1 + (i / 32) % 7);
        x[i] = bell * spread * (i % 97 == 13 ? 8.0f : 1.0f);
    }
}

struct Output {
    struct gguf_context* data;
    struct gguf_context* expected;
    struct ggml_context* ctx;
};

static void add(struct Output* out, struct gguf_context* file, const char* name,
                enum ggml_type type, int64_t ne0, int64_t ne1, int64_t ne2, const void* bytes)
{
    struct ggml_tensor* t = ne2 > 1 ? ggml_new_tensor_3d(out->ctx, type, ne0, ne1, ne2)
                                    : ggml_new_tensor_2d(out->ctx, type, ne0, ne1);
    ggml_set_name(t, name);
    memcpy(t->data, bytes, ggml_nbytes(t));
    gguf_add_tensor(file, t);
}

// One tensor of `type` of shape ne0 x ne1 (x ne2) and ggml's float32 values of it.
static void add_type(struct Output* out, enum ggml_type type, int64_t ne0, int64_t ne1,
                     int64_t ne2)
{
    static float input[kMaxElements], values[kMaxElements], imatrix[kMaxElements];
    static uint8_t bytes[kMaxElements * 8];
    const int64_t n = ne0 * ne1 * ne2;
    const int64_t rows = ne1 * ne2;
    const struct ggml_type_traits* traits = ggml_get_type_traits(type);
    if (n > kMaxElements) {
        fail("tensor too large");
    }
    fill_weights(input, n);
    switch (type) {
    case GGML_TYPE_F32:
        input[0] = -0.0f;
        input[1] = FLT_MIN / 8; // subnormal
        input[2] = FLT_MAX;
        memcpy(bytes, input, n * sizeof(float));
        memcpy(values, input, n * sizeof(float));
        break;
    case GGML_TYPE_F16:
    case GGML_TYPE_BF16: {
        // Every kind of bit pattern: zeros, subnormals, extremes, infinities, quiet and
        // signalling NaNs, then random bits.
        static const uint16_t special[] = {0x0000, 0x8000, 0x0001, 0x03FF, 0x0400, 0x7BFF, 0xFBFF,
                                           0x7C00, 0xFC00, 0x7E00, 0x7C01, 0xFE01, 0x7F80, 0xFF81,
                                           0x7FC0, 0x3C00, 0xBC00, 0x0080};
        uint16_t* half = (uint16_t*)bytes;
        for (int64_t i = 0; i < n; ++i) {
            half[i] = i < (int64_t)(sizeof special / sizeof *special) ? special[i]
                                                                      : (uint16_t)next_random();
        }
        traits->to_float(bytes, values, n);
        break;
    }
    case GGML_TYPE_F64: {
        static const double special[] = {1.0 + 0x1p-24, 1.0 + 0x1p-23 + 0x1p-24, -0.0, 1e-40,
                                         1e-50,         1e300,                   -1e300, 0.1};
        double* d = (double*)bytes;
        for (int64_t i = 0; i < n; ++i) {
            d[i] = i < (int64_t)(sizeof special / sizeof *special)
                       ? special[i]
                       : (double)input[i] * 1234.5678 + (double)uniform() * 1e-9;
            values[i] = (float)d[i];
        }
        break;
    }
    case GGML_TYPE_I8:
        for (int64_t i = 0; i < n; ++i) {
            ((int8_t*)bytes)[i] = (int8_t)(i * 37 - 128);
            values[i] = (float)((int8_t*)bytes)[i];
        }
        break;
    case GGML_TYPE_I16:
        for (int64_t i = 0; i < n; ++i) {
            ((int16_t*)bytes)[i] = i == 0 ? INT16_MIN : (int16_t)next_random();
            values[i] = (float)((int16_t*)bytes)[i];
        }
        break;
    case GGML_TYPE_I32: // values past 2^24 round to float
        for (int64_t i = 0; i < n; ++i) {
            ((int32_t*)bytes)[i] = i == 0   ? INT32_MIN
                                   : i == 1 ? INT32_MAX
                                   : i == 2 ? (1 << 24) + 1
                                            : (int32_t)next_random() >> (i % 24);
            values[i] = (float)((int32_t*)bytes)[i];
        }
        break;
    case GGML_TYPE_I64:
        for (int64_t i = 0; i < n; ++i) {
            ((int64_t*)bytes)[i] = i == 0   ? INT64_MIN
                                   : i == 1 ? INT64_MAX
                                   : i == 2 ? (1ll << 53) + 1
                                            : (int64_t)next_random() >> (i % 60);
            values[i] = (float)((int64_t*)bytes)[i];
        }
        break;
    case GGML_TYPE_Q8_1: {
        block_q8_1* q = (block_q8_1*)bytes;
        quantize_row_q8_1_ref(input, q, n);
        block_q8_0 repacked[kMaxElements / QK8_0];
        for (int64_t b = 0; b < n / QK8_1; ++b) {
            repacked[b].d = q[b].d;
            memcpy(repacked[b].qs, q[b].qs, QK8_0);
        }
        dequantize_row_q8_0(repacked, values, n);
        break;
    }
    case GGML_TYPE_Q8_K:
        quantize_row_q8_K_ref(input, (block_q8_K*)bytes, n);
        dequantize_row_q8_K((const block_q8_K*)bytes, values, n);
        break;
    default: {
        for (int64_t j = 0; j < ne0; ++j) {
            imatrix[j] = 1.0f + (float)(j % 16) / 16.0f;
        }
        const size_t size = ggml_quantize_chunk(type, input, bytes, 0, rows, ne0,
                                                ggml_quantize_requires_imatrix(type) ? imatrix
                                                                                     : NULL);
        if (size != ggml_row_size(type, ne0) * rows || traits->to_float == NULL) {
            fail(ggml_type_name(type));
        }
        traits->to_float(bytes, values, n);
    }
    }
    add(out, out->data, ggml_type_name(type), type, ne0, ne1, ne2, bytes);
    add(out, out->expected, ggml_type_name(type), GGML_TYPE_F32, ne0, ne1, ne2, values);
}

// A grid tensor of `blocks` blocks and ggml's values of it, stored as int8 after checking that
// every value is a whole number that converts back to the same float bits.
static void add_grid(struct Output* out, enum ggml_type type, const void* bytes, int64_t blocks)
{
    static float values[kMaxElements * 2];
    static int8_t whole[kMaxElements * 2];
    const int64_t n = blocks * QK_K;
    if (n > kMaxElements * 2) {
        fail("grid tensor too large");
    }
    ggml_get_type_traits(type)->to_float(bytes, values, n);
    for (int64_t i = 0; i < n; ++i) {
        whole[i] = (int8_t)values[i];
        const float back = (float)whole[i];
        if (fabsf(values[i]) > 127.0f || memcmp(&back, &values[i], sizeof back) != 0) {
            fail("grid value is not a small whole number");
        }
    }
    char name[64];
    snprintf(name, sizeof name, "%s.grid", ggml_type_name(type));
    add(out, out->data, name, type, QK_K, blocks, 1, bytes);
    add(out, out->expected, name, GGML_TYPE_I8, QK_K, blocks, 1, whole);
}

// Scales are chosen so that each value is its grid entry (times a sign): d * (0.5 + 0) * 0.25
// = 1 for IQ2_*, d * 0.5 * 0.5 = 1 for IQ3_XXS, d * 1 = 1 for IQ3_S, and d = 8 for IQ1_S, whose
// values 8 * (g +- 1/8) are whole. Sign indices count through all 128 patterns.
static void add_grids(struct Output* out)
{
    const ggml_fp16_t one = ggml_fp32_to_fp16(1.0f);
    const ggml_fp16_t four = ggml_fp32_to_fp16(4.0f);
    const ggml_fp16_t eight = ggml_fp32_to_fp16(8.0f);

    static block_iq2_xxs iq2xxs[256 / 32];
    memset(iq2xxs, 0, sizeof iq2xxs);
    for (int e = 0; e < 256; ++e) { // four entries a group of 32, eight groups a block
        block_iq2_xxs* b = &iq2xxs[e / 32];
        const int group = (e % 32) / 4, l = e % 4;
        b->d = eight;
        uint8_t* aux = (uint8_t*)(b->qs + 4 * group);
        aux[l] = (uint8_t)e;
        uint32_t signs;
        memcpy(&signs, aux + 4, 4);
        signs |= (uint32_t)((e * 5 + 3) % 128) << (7 * l);
        memcpy(aux + 4, &signs, 4);
    }
    add_grid(out, GGML_TYPE_IQ2_XXS, iq2xxs, 256 / 32);

    static block_iq2_xs iq2xs[512 / 32];
    memset(iq2xs, 0, sizeof iq2xs);
    for (int e = 0; e < 512; ++e) {
        block_iq2_xs* b = &iq2xs[e / 32];
        b->d = eight;
        b->qs[e % 32] = (uint16_t)(e | ((e * 3) % 128) << 9);
    }
    add_grid(out, GGML_TYPE_IQ2_XS, iq2xs, 512 / 32);

    static block_iq2_s iq2s[1024 / 32];
    memset(iq2s, 0, sizeof iq2s);
    for (int e = 0; e < 1024; ++e) {
        block_iq2_s* b = &iq2s[e / 32];
        const int group = (e % 32) / 4, l = e % 4;
        b->d = eight;
        b->qs[4 * group + l] = (uint8_t)e;
        b->qh[group] |= (uint8_t)(((e >> 8) & 3) << (2 * l));
        b->qs[QK_K / 8 + 4 * group + l] = (uint8_t)(e * 7 + 1); // sign bytes follow the indices
    }
    add_grid(out, GGML_TYPE_IQ2_S, iq2s, 1024 / 32);

    static block_iq3_xxs iq3xxs[256 / 64];
    memset(iq3xxs, 0, sizeof iq3xxs);
    for (int e = 0; e < 256; ++e) { // eight entries a group of 32
        block_iq3_xxs* b = &iq3xxs[e / 64];
        const int group = (e % 64) / 8, l = (e % 8) / 2;
        b->d = four;
        b->qs[e % 64] = (uint8_t)e;
        if (e % 2 == 0) {
            uint32_t aux;
            memcpy(&aux, b->qs + QK_K / 4 + 4 * group, 4);
            aux |= (uint32_t)((e * 11 + 5) % 128) << (7 * l);
            memcpy(b->qs + QK_K / 4 + 4 * group, &aux, 4);
        }
    }
    add_grid(out, GGML_TYPE_IQ3_XXS, iq3xxs, 256 / 64);

    static block_iq3_s iq3s[512 / 64];
    memset(iq3s, 0, sizeof iq3s);
    for (int e = 0; e < 512; ++e) {
        block_iq3_s* b = &iq3s[e / 64];
        const int group = (e % 64) / 8, k = e % 8;
        b->d = one;
        b->qs[8 * group + k] = (uint8_t)e;
        b->qh[group] |= (uint8_t)(((e >> 8) & 1) << k);
        b->signs[4 * group + k / 2] = (uint8_t)(e * 13 + 7);
    }
    add_grid(out, GGML_TYPE_IQ3_S, iq3s, 512 / 64);

    static block_iq1_s iq1s[2048 / 32];
    memset(iq1s, 0, sizeof iq1s);
    for (int e = 0; e < 2048; ++e) {
        block_iq1_s* b = &iq1s[e / 32];
        const int group = (e % 32) / 4, l = e % 4;
        b->d = eight;
        b->qs[4 * group + l] = (uint8_t)e;
        b->qh[group] |= (uint16_t)(((e >> 8) & 7) << (3 * l));
        if (group % 2 == 1) {
            b->qh[group] |= 0x8000; // negative shift
        }
    }
    add_grid(out, GGML_TYPE_IQ1_S, iq1s, 2048 / 32);
}

int main(int argc, char** argv)
{
    if (argc != 2) {
        fail("usage: make_reference OUT_DIR");
    }
    struct ggml_init_params params = {64 * 1024 * 1024, NULL, false};
    struct Output out = {gguf_init_empty(), gguf_init_empty(), ggml_init(params)};
    gguf_set_val_str(out.data, "general.name", "QuantScope reference: every ggml type");
    gguf_set_val_str(out.expected, "general.name",
                     "QuantScope reference: ggml's dequantization of ggml_types.gguf");
    for (int type = 0; type < GGML_TYPE_COUNT; ++type) {
        const struct ggml_type_traits* traits = ggml_get_type_traits((enum ggml_type)type);
        if (traits->blck_size == 0) { // removed from ggml
            continue;
        }
        if (type == GGML_TYPE_F32) { // one 3-D tensor
            add_type(&out, GGML_TYPE_F32, 8, 4, 4);
        } else if (traits->blck_size == 1) {
            add_type(&out, (enum ggml_type)type, 32, 4, 1);
        } else { // rows of at least 128 elements: a few blocks each
            const int64_t row = traits->blck_size < 128 ? 128 : traits->blck_size;
            add_type(&out, (enum ggml_type)type, row, kRows, 1);
        }
    }
    add_grids(&out);
    char path[4096];
    snprintf(path, sizeof path, "%s/ggml_types.gguf", argv[1]);
    if (!gguf_write_to_file(out.data, path, false)) {
        fail("cannot write ggml_types.gguf");
    }
    snprintf(path, sizeof path, "%s/ggml_types_expected.gguf", argv[1]);
    if (!gguf_write_to_file(out.expected, path, false)) {
        fail("cannot write ggml_types_expected.gguf");
    }
    gguf_free(out.data);
    gguf_free(out.expected);
    ggml_free(out.ctx);
    return 0;
}
