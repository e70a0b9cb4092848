#include "quantscope/apply.h"

#include "apply_linear.h"
#include "quantscope/parallel.h"
#include "quantscope/schemes/linear.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace quantscope {
namespace {

constexpr int kCellBits = 16;
constexpr std::size_t kCells = std::size_t{1} << kCellBits;
// The table of cells costs about as much to build as a binary search over this many values.
constexpr std::int64_t kTableMinValues = std::int64_t{1} << 16;
// Values per parallel task (4 MiB of input), and the least worth a second thread.
constexpr std::int64_t kTaskValues = std::int64_t{1} << 20;
constexpr std::int64_t kParallelMinValues = std::int64_t{1} << 18;
// Integer codes and steps stay exact in float32 below this.
constexpr std::int64_t kExactFloatIntegers = std::int64_t{1} << 24;

// Monotone map float -> uint32 (as the Distribution's sort uses).
std::uint32_t orderKey(float value)
{
    const auto bits = std::bit_cast<std::uint32_t>(value);
    return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

// The smallest float32 f with f >= t: for float32 x, x >= t exactly when x >= f.
float floatAtOrAbove(double t)
{
    if (t > double(std::numeric_limits<float>::max())) {
        return std::numeric_limits<float>::infinity();
    }
    const auto f = static_cast<float>(t);
    return double(f) < t ? std::nextafter(f, std::numeric_limits<float>::infinity()) : f;
}

// Whether the arithmetic rule of the codebook's mapping gives its levels, codes and thresholds:
// both are monotone step functions of x, so agreeing at every threshold and just below it means
// agreeing on every float32.
bool arithmeticMatches(const Codebook& codebook, const std::vector<float>& thresholds)
{
    if (!codebook.linear) {
        return false;
    }
    const LinearMapping& mapping = *codebook.linear;
    const auto inRange = [](std::int64_t v) {
        return v > -kExactFloatIntegers && v < kExactFloatIntegers;
    };
    if (!inRange(mapping.qmin) || !inRange(mapping.qmax) || !inRange(mapping.zeroPoint) ||
        !inRange(mapping.qmax - mapping.zeroPoint) || !inRange(mapping.qmin - mapping.zeroPoint) ||
        codebook.levelCount() != mapping.qmax - mapping.qmin + 1) {
        return false;
    }
    for (int k = 0; k < codebook.levelCount(); ++k) {
        const std::int64_t q = mapping.qmin + k;
        if (codebook.codes[k] != q || codebook.levels[k] != linearLevel(q, mapping)) {
            return false;
        }
    }
    for (std::size_t k = 0; k < thresholds.size(); ++k) {
        const float t = thresholds[k];
        const float below = std::nextafter(t, -std::numeric_limits<float>::infinity());
        if (linearCode(t, mapping) < mapping.qmin + std::int64_t(k) + 1 ||
            linearCode(below, mapping) > mapping.qmin + std::int64_t(k)) {
            return false;
        }
    }
    return true;
}

} // namespace

CodebookApplier::CodebookApplier(const Codebook& codebook, std::int64_t valueCount)
{
    m_thresholds.reserve(codebook.thresholds.size());
    for (double t : codebook.thresholds) {
        m_thresholds.push_back(floatAtOrAbove(t));
    }
    m_arithmetic = arithmeticMatches(codebook, m_thresholds);
    if (m_arithmetic) {
        const LinearMapping& mapping = *codebook.linear;
        m_inverseScale = 1.0f / static_cast<float>(mapping.scale); // as linearCode computes it
        m_scale = static_cast<float>(mapping.scale);
        m_lowestStep = float(mapping.qmin - mapping.zeroPoint);
        m_highestStep = float(mapping.qmax - mapping.zeroPoint);
        m_zeroPoint = std::int32_t(mapping.zeroPoint);
        return;
    }
    for (std::int64_t code : codebook.codes) {
        m_codes.push_back(static_cast<std::int32_t>(code));
    }
    for (double level : codebook.levels) {
        m_levels.push_back(static_cast<float>(level));
    }
    if (valueCount < kTableMinValues) {
        return;
    }
    // A threshold at zero is met by -0 too: its key is that of -0.
    for (float t : m_thresholds) {
        m_thresholdKeys.push_back(orderKey(t == 0.0f ? -0.0f : t));
    }
    m_cellStart.resize(kCells + 1);
    std::size_t k = 0;
    for (std::size_t cell = 0; cell <= kCells; ++cell) {
        const std::uint64_t firstKey = std::uint64_t(cell) << (32 - kCellBits);
        while (k < m_thresholdKeys.size() && m_thresholdKeys[k] < firstKey) {
            ++k;
        }
        m_cellStart[cell] = std::int32_t(k);
    }
}

std::int32_t CodebookApplier::searchIndex(float value) const
{
    if (std::isnan(value)) {
        value = 0.0f;
    }
    if (m_cellStart.empty()) {
        return std::int32_t(std::upper_bound(m_thresholds.begin(), m_thresholds.end(), value) -
                            m_thresholds.begin());
    }
    const std::uint32_t key = orderKey(value);
    const std::uint32_t cell = key >> (32 - kCellBits);
    std::int32_t index = m_cellStart[cell];
    const std::int32_t end = m_cellStart[cell + 1];
    while (index < end && m_thresholdKeys[index] <= key) {
        ++index;
    }
    return index;
}

void CodebookApplier::applyRange(const float* values, std::int64_t count, std::int32_t* codes,
                                 float* dequantized) const
{
    if (m_arithmetic) {
        const LinearRule rule{m_inverseScale, m_scale, m_lowestStep, m_highestStep, m_zeroPoint};
        applyLinearRule(rule, values, count, codes, dequantized);
        return;
    }
    for (std::int64_t i = 0; i < count; ++i) {
        const std::int32_t index = searchIndex(values[i]);
        if (codes != nullptr) {
            codes[i] = m_codes[index];
        }
        if (dequantized != nullptr) {
            dequantized[i] = m_levels[index];
        }
    }
}

void CodebookApplier::apply(std::span<const float> values, std::span<std::int32_t> codes,
                            std::span<float> dequantized) const
{
    const auto n = std::int64_t(values.size());
    std::int32_t* codeOut = codes.empty() ? nullptr : codes.data();
    float* levelOut = dequantized.empty() ? nullptr : dequantized.data();
    const std::int64_t tasks = (n + kTaskValues - 1) / kTaskValues;
    parallelTasks(tasks, n >= kParallelMinValues ? hardwareThreads() : 1,
                  [&](std::int64_t task, int) {
                      const std::int64_t begin = task * kTaskValues;
                      const std::int64_t count = std::min(kTaskValues, n - begin);
                      applyRange(values.data() + begin, count, codeOut ? codeOut + begin : nullptr,
                                 levelOut ? levelOut + begin : nullptr);
                  });
}

AppliedTensor applyCodebook(std::span<const float> values, const Codebook& codebook)
{
    AppliedTensor applied;
    applied.codes.resize(values.size());
    applied.dequantized.resize(values.size());
    CodebookApplier(codebook, std::int64_t(values.size()))
        .apply(values, applied.codes, applied.dequantized);
    return applied;
}

} // namespace quantscope
