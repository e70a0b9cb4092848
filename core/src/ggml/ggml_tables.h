#pragma once

#include <array>
#include <cstdint>

// ggml's published lookup tables for its IQ and FP4 block types, generated from ggml's
// src/ggml-common.h by scripts/make_ggml_tables.py (see ggml_tables.cpp for the commit). A grid
// entry packs one magnitude (or signed value, for kIq1SGrid) per byte, element 0 in the low byte.
namespace quantscope::ggml {

extern const std::array<std::uint8_t, 8> kMaskIq2Xs;
extern const std::array<std::uint8_t, 128> kSignsIq2Xs;
extern const std::array<std::uint64_t, 256> kIq2XxsGrid;
extern const std::array<std::uint64_t, 512> kIq2XsGrid;
extern const std::array<std::uint64_t, 1024> kIq2SGrid;
extern const std::array<std::uint32_t, 256> kIq3XxsGrid;
extern const std::array<std::uint32_t, 512> kIq3SGrid;
extern const std::array<std::int8_t, 16> kValuesIq4Nl;
extern const std::array<std::int8_t, 16> kValuesFp4;
extern const std::array<std::uint64_t, 2048> kIq1SGrid;

} // namespace quantscope::ggml
