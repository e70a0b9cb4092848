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

float fromSortKey(std::uint32_t key)
{
    const std::uint32_t bits = (key & 0x80000000u) ? (key & 0x7fffffffu) : ~key;
    return std::bit_cast<float>(bits);
}

} // namespace

void radixSortFloats(std::vector<float>& values, const ProgressCallback& progress)
{
    const std::size_t n = values.size();
    if (n < 2) {
        return;
    }
    std::vector<std::uint32_t> keys(n);
    std::vector<std::uint32_t> scratch(n);
    std::array<std::array<std::size_t, 1u << kDigitBits>, kPasses> counts{};
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint32_t key = sortKey(values[i]);
        keys[i] = key;
        for (int pass = 0; pass < kPasses; ++pass) {
            ++counts[pass][(key >> (pass * kDigitBits)) & kDigitMask];
        }
    }
    // Steps reported: one for the key pass plus one per radix pass.
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
                scratch[counts[pass][(keys[i] >> shift) & kDigitMask]++] = keys[i];
            }
            if (progress && !progress((pass + 1.0 + double(end) / double(n)) / steps)) {
                throw Cancelled();
            }
        }
        keys.swap(scratch);
    }
    for (std::size_t i = 0; i < n; ++i) {
        values[i] = fromSortKey(keys[i]);
    }
}

} // namespace quantscope
