// Writes the reference data of tests/core/tst_ggml_scheme.cpp with ggml's own code:
//
//   ggml_scheme.gguf  "input": float32 rows of 256 values (4 rows: weights with outliers;
//                     one-signed, constant, tied and large groups; zero and tiny groups down to
//                     subnormals; an all-zero row), and for each type the scheme offers, a
//                     float32 tensor named by ggml_type_name ("q4_K") holding
//                     to_float(ggml_quantize_chunk(type, input, imatrix NULL)), i.e. ggml's
//                     values of the input quantized without an importance matrix.
//
// Not built by CI. To regenerate (the file checked in comes from ggml commit
// d99724f2b141fed9e1a9f402213506c081433465):
//   git clone https://github.com/ggml-org/ggml && cd ggml
//   cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=OFF
//   cmake --build build --target ggml-base
//   here=QUANTSCOPE/tests/data/ggml_scheme
//   cc -O2 -std=c11 -Iinclude -Isrc $here/make_reference.c -Lbuild/src -lggml-base -lm -o make_ref
//   LD_LIBRARY_PATH=build/src ./make_ref $here
#include "ggml.h"
#include "gguf.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { kRow = 256, kRows = 4, kCount = kRow * kRows };

static void fail(const char* what)
{
    fprintf(stderr, "make_reference: %s\n", what);
    exit(1);
}

// xorshift64*: the same numbers on every machine.
static uint64_t state = 0x2545F4914F6CDD1Dull;
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

// Roughly bell-shaped in (-2, 2).
static float bell(void)
{
    return (uniform() + uniform() + uniform() + uniform()) * 0.5f;
}

static void fill_input(float* x)
{
    // Row 0: weights as a model has them, a different spread per 32 values, a few outliers.
    for (int i = 0; i < kRow; ++i) {
        const float spread = 0.01f * (float)(1 + (i / 32) % 7);
        x[i] = bell() * spread * (i % 97 == 13 ? 8.0f : 1.0f);
    }
    // Row 1: positive only, negative only, one outlier among small values, a constant group,
    // values on ties of a 1/16 grid, large values.
    float* r = x + kRow;
    for (int i = 0; i < 32; ++i) {
        r[i] = 0.1f + 0.45f * (uniform() + 1.0f);
        r[32 + i] = -0.2f - 0.3f * (uniform() + 1.0f);
        r[64 + i] = i == 7 ? 50.0f : bell() * 0.01f;
        r[96 + i] = 0.25f;
        r[128 + i] = (float)((int)(next_random() % 33) - 16) / 32.0f;
        r[160 + i] = bell() * 1000.0f;
        r[192 + i] = bell() * 0.05f;
        r[224 + i] = i % 2 == 0 ? 0.75f : -0.5f;
    }
    // Row 2: zeros, tiny values (subnormal ones too), small values.
    r = x + 2 * kRow;
    for (int i = 0; i < 32; ++i) {
        r[i] = 0.0f;
        r[32 + i] = bell() * 1e-20f;
        r[64 + i] = bell() * 1e-39f;
        r[96 + i] = bell() * 1e-6f;
    }
    for (int i = 128; i < kRow; ++i) {
        r[i] = bell() * (i < 192 ? 1e-4f : 1e-3f);
    }
    // Row 3: all zero.
    memset(x + 3 * kRow, 0, kRow * sizeof *x);
}

int main(int argc, char** argv)
{
    if (argc != 2) {
        fail("usage: make_reference OUT_DIR");
    }
    static const enum ggml_type types[] = {GGML_TYPE_Q4_0, GGML_TYPE_Q4_1,   GGML_TYPE_Q5_0,
                                           GGML_TYPE_Q5_1, GGML_TYPE_Q8_0,   GGML_TYPE_Q2_K,
                                           GGML_TYPE_Q3_K, GGML_TYPE_Q4_K,   GGML_TYPE_Q5_K,
                                           GGML_TYPE_Q6_K, GGML_TYPE_IQ4_NL, GGML_TYPE_IQ4_XS};
    static float input[kCount], values[kCount];
    static uint8_t bytes[kCount * 2];
    fill_input(input);

    struct ggml_init_params params = {16 * 1024 * 1024, NULL, false};
    struct ggml_context* ctx = ggml_init(params);
    struct gguf_context* file = gguf_init_empty();
    gguf_set_val_str(file, "general.name",
                     "QuantScope reference: ggml_quantize_chunk without imatrix, then to_float");
    struct ggml_tensor* t = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, kRow, kRows);
    ggml_set_name(t, "input");
    memcpy(t->data, input, sizeof input);
    gguf_add_tensor(file, t);

    for (size_t k = 0; k < sizeof types / sizeof *types; ++k) {
        const enum ggml_type type = types[k];
        if (ggml_quantize_requires_imatrix(type)) {
            fail("type requires an importance matrix");
        }
        const size_t size = ggml_quantize_chunk(type, input, bytes, 0, kRows, kRow, NULL);
        if (size != ggml_row_size(type, kRow) * kRows || size > sizeof bytes) {
            fail(ggml_type_name(type));
        }
        ggml_get_type_traits(type)->to_float(bytes, values, kCount);
        t = ggml_new_tensor_2d(ctx, GGML_TYPE_F32, kRow, kRows);
        ggml_set_name(t, ggml_type_name(type));
        memcpy(t->data, values, sizeof values);
        gguf_add_tensor(file, t);
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/ggml_scheme.gguf", argv[1]);
    if (!gguf_write_to_file(file, path, false)) {
        fail("cannot write ggml_scheme.gguf");
    }
    gguf_free(file);
    ggml_free(ctx);
    return 0;
}
