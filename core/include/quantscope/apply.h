#pragma once

#include "quantscope/codebook.h"
#include "quantscope/tensor.h"

#include <cstdint>
#include <span>
#include <vector>

namespace quantscope {

// A tensor through a codebook, element by element (for export and per-element views).
struct AppliedTensor {
    std::vector<std::int32_t> codes; // integer codes (linear schemes) or level indices
    std::vector<float> dequantized;
};

// Maps values through one codebook exactly as Codebook::levelIndex does (NaN as 0, ±inf
// saturating), on all cores for large inputs. A linear codebook whose levels and thresholds are
// those of its LinearMapping (checked at every threshold) is applied by arithmetic in SIMD
// lanes; any other through a table keyed by the top 16 bits of the value's order key, with a
// short search where a threshold falls inside the table's cell.
class CodebookApplier {
public:
    // `valueCount`: about how many values it will map in all; the table is built only when they
    // are many enough to pay for it (a binary search over the thresholds serves the rest).
    CodebookApplier(const Codebook& codebook, std::int64_t valueCount);

    // Writes codes and dequantized values of `values`; either output may be empty (not wanted),
    // otherwise it has values.size() elements.
    void apply(std::span<const float> values, std::span<std::int32_t> codes,
               std::span<float> dequantized) const;

    bool usesArithmetic() const { return m_arithmetic; }

private:
    void applyRange(const float* values, std::int64_t count, std::int32_t* codes,
                    float* dequantized) const;
    std::int32_t searchIndex(float value) const;

    bool m_arithmetic = false;
    float m_inverseScale = 1.0f;
    float m_scale = 1.0f;
    float m_lowestStep = 0.0f;  // qmin − zero point
    float m_highestStep = 0.0f; // qmax − zero point
    std::int32_t m_zeroPoint = 0;

    std::vector<float> m_thresholds;            // smallest float32 at or above each threshold
    std::vector<std::uint32_t> m_thresholdKeys; // their order keys
    std::vector<std::int32_t> m_cellStart;      // per 16-bit key prefix: thresholds below it
    std::vector<std::int32_t> m_codes;
    std::vector<float> m_levels;
};

AppliedTensor applyCodebook(std::span<const float> values, const Codebook& codebook);

} // namespace quantscope
