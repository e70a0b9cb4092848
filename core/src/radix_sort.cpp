#include "radix_sort.h"

#include "quantscope/errors.h"

#include <array>
#include <bit>
#include <cstdint>

namespace quantscope {
namespace {

constexpr int kDigitBits = 11;
constexpr int kPasses = 3;
constexpr std::uint32_t kDigitMask = (1u << kDigitBits) - 1;
constexpr std::size_t kChunk = 1 << 20; // progress granularity

// Monotone map float -> uint32: flip all bits of negatives, only the sign bit of positives.
std::uint32_t sortKey(float value)
{
    const auto bits = std::bit_cast<std::uint32_t>(value);
    return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

} // namespace

void radixSortFloats(std::vector<float>& values, const ProgressCallback& progress)
{
    const std::size_t n = values.size();
    if (n < 2) {
        return;
    }
    // Keys are recomputed from the floats in every pass instead of being stored: the only extra
    // memory is one scratch copy of the values.
    std::vector<float> scratch(n);
    std::array<std::array<std::size_t, 1u << kDigitBits>, kPasses> counts{};
    for (float value : values) {
        const std::uint32_t key = sortKey(value);
        for (int pass = 0; pass < kPasses; ++pass) {
            ++counts[pass][(key >> (pass * kDigitBits)) & kDigitMask];
        }
    }
    // Steps reported: one for the counting pass plus one per radix pass.
    const double steps = kPasses + 1.0;
    if (progress && !progress(1.0 / steps)) {
        throw Cancelled();
    }
    for (int pass = 0; pass < kPasses; ++pass) {
        std::size_t offset = 0;
        for (auto& count : counts[pass]) {
            const std::size_t c = count;
            count = offset;
            offset += c;
        }
        const int shift = pass * kDigitBits;
        for (std::size_t begin = 0; begin < n; begin += kChunk) {
            const std::size_t end = std::min(n, begin + kChunk);
            for (std::size_t i = begin; i < end; ++i) {
                const float value = values[i];
                scratch[counts[pass][(sortKey(value) >> shift) & kDigitMask]++] = value;
            }
            if (progress && !progress((pass + 1.0 + double(end) / double(n)) / steps)) {
                throw Cancelled();
            }
        }
        values.swap(scratch);
    }
}

} // namespace quantscope
