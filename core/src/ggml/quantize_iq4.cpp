// ggml's quantizers of the non-linear 4-bit types: quantize_row_iq4_nl_impl as quantize_iq4_nl
// and quantize_iq4_xs call it without quant weights (ntry 7), operation for operation (see
// quantize.h).
#include "ggml/ggml_blocks.h"
#include "ggml/ggml_tables.h"
#include "ggml/quantize.h"
#include "ggml/quantize_common.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace quantscope::ggml {
namespace {

constexpr int kGroup = 32;
constexpr int kTries = 7;
constexpr int kMaxGroups = static_cast<int>(kSuperBlock) / kGroup;

// best_index_int8 over kValuesIq4Nl without its branches: for x strictly inside the table, the
// entry at or below x is found from floor(x) (the entries are whole numbers), then the same
// comparison as ggml's picks it or the next one.
class Iq4Index {
public:
    Iq4Index()
    {
        const auto& v = kValuesIq4Nl;
        for (int t = v.front(); t < v.back(); ++t) {
            int k = 0;
            while (k + 1 < 15 && v[k + 1] <= t) {
                ++k;
            }
            const auto at = static_cast<std::size_t>(t - v.front());
            m_below[at] = k;
            m_low[at] = v[k];
            m_high[at] = v[k + 1];
        }
    }

    int operator()(float x) const
    {
        const auto& v = kValuesIq4Nl;
        if (x <= v.front()) {
            return 0;
        }
        if (!(x < v.back())) { // ggml's search also ends on the last entry for NaN
            return 15;
        }
        const std::size_t at = cell(x);
        return x - m_low[at] < m_high[at] - x ? m_below[at] : m_below[at] + 1;
    }

private:
    // The cell of floor(x) for x in [-127, 113).
    static std::size_t cell(float x)
    {
        int t = static_cast<int>(x);
        t -= static_cast<float>(t) > x ? 1 : 0;
        return static_cast<std::size_t>(t + 127);
    }

    std::array<int, 240> m_below{};
    std::array<float, 240> m_low{};
    std::array<float, 240> m_high{};
};

const Iq4Index& iq4Index()
{
    static const Iq4Index index;
    return index;
}

// Eight float32 lanes and eight int32 lanes (GCC/Clang vector extensions: plain element-wise
// IEEE operations, lowered to whatever vectors the target has).
typedef float Lanes __attribute__((vector_size(32)));
typedef std::int32_t IntLanes __attribute__((vector_size(32)));
constexpr int kLanes = 8;

// kValuesIq4Nl[best_index_int8(x)] in every lane, without a table: ggml compares x with the
// two entries around it, and that comparison, made for every pair of neighbours, says "the upper
// one or beyond" exactly for the pairs at or below x. So the entry is the first plus the steps of
// the pairs that say so (sums of whole numbers, exact). Vectors go by reference.
[[gnu::always_inline]] inline void nearestValues(const Lanes& x, Lanes& value)
{
    const auto& v = kValuesIq4Nl;
    value = Lanes{} + static_cast<float>(v[0]);
    for (std::size_t k = 1; k < v.size(); ++k) {
        const auto below = static_cast<float>(v[k - 1]);
        const auto above = static_cast<float>(v[k]);
        const IntLanes upper = !(x - below < above - x);
        value += upper ? Lanes{} + (above - below) : Lanes{};
    }
}

// The scale ggml's quantize_row_iq4_nl_impl (no quant weights, ntry kTries) gives each of eight
// groups of 32 values at `x` (one after the other): per group the x²-weighted best of the first
// scale -max / values[0] and 2 kTries + 1 trials; 0 for a group whose max |x| is below
// GROUP_MAX_EPS. Each group is a vector lane running ggml's loops in ggml's order; what ggml
// decides by branching, a lane decides by selecting.
QUANTSCOPE_GGML_LANES void iq4GroupScales(const float* x, float* scales)
{
    const auto values0 = static_cast<float>(kValuesIq4Nl[0]);
    Lanes xt[kGroup] = {};
    Lanes wt[kGroup] = {};
    for (int j = 0; j < kGroup; ++j) {
        for (int g = 0; g < kLanes; ++g) {
            xt[j][g] = x[g * kGroup + j];
        }
        wt[j] = xt[j] * xt[j];
    }
    Lanes amax = Lanes{};
    Lanes max = Lanes{};
    for (int j = 0; j < kGroup; ++j) {
        const Lanes ax = (Lanes)((IntLanes)xt[j] & 0x7fffffff);
        const IntLanes larger = ax > amax;
        amax = larger ? ax : amax;
        max = larger ? xt[j] : max;
    }
    constexpr int kTrials = 2 * kTries + 2; // the first scale, then itry = -kTries … kTries
    Lanes ids[kTrials] = {};
    Lanes sumqx[kTrials] = {};
    Lanes sumq2[kTrials] = {};
    const Lanes first = -max / values0;
    ids[0] = 1 / first;
    for (int t = 1; t < kTrials; ++t) {
        ids[t] = static_cast<float>(t - 1 - kTries + kValuesIq4Nl[0]) / max;
    }
    for (int j = 0; j < kGroup; ++j) {
        for (int t = 0; t < kTrials; ++t) {
            Lanes q;
            nearestValues(ids[t] * xt[j], q);
            sumqx[t] += wt[j] * q * xt[j];
            sumq2[t] += wt[j] * q * q;
        }
    }
    const Lanes zero = Lanes{};
    const Lanes fit0 = sumqx[0] / sumq2[0];
    Lanes d = sumq2[0] > 0 ? fit0 : zero;
    Lanes best = d * sumqx[0];
    for (int t = 1; t < kTrials; ++t) {
        const IntLanes take = (sumq2[t] > 0) & (sumqx[t] * sumqx[t] > best * sumq2[t]);
        const Lanes fit = sumqx[t] / sumq2[t];
        d = take ? fit : d;
        best = take ? fit * sumqx[t] : best;
    }
    const IntLanes empty = amax < kGroupMaxEps;
    d = empty ? zero : d;
    for (int g = 0; g < kLanes; ++g) {
        scales[g] = d[g];
    }
}

// The four-bit codes of 32 values, nibbles as ggml packs them.
void packCodes(const std::uint8_t* L, std::uint8_t* q4)
{
    for (int j = 0; j < 16; ++j) {
        q4[j] = static_cast<std::uint8_t>(L[j] | (L[16 + j] << 4));
    }
}

} // namespace

void quantizeIQ4_NL(const float* x, std::size_t count, std::byte* blocks)
{
    // Eight blocks' scales at once; a last run of fewer is padded with zero blocks.
    const Iq4Index& nearest = iq4Index();
    std::array<float, kLanes * kGroup> padded{};
    std::array<float, kLanes> scales{};
    for (std::size_t first = 0; first < count; first += kLanes) {
        const std::size_t run = std::min<std::size_t>(kLanes, count - first);
        const float* xr = x + first * kGroup;
        if (run < kLanes) {
            padded.fill(0.0f);
            std::copy(xr, xr + run * kGroup, padded.begin());
            xr = padded.data();
        }
        iq4GroupScales(xr, scales.data());
        for (std::size_t b = 0; b < run; ++b) {
            const float* xb = x + (first + b) * kGroup;
            BlockIQ4_NL block{};
            block.d = fp32ToFp16(scales[b]);
            const float id = scales[b] != 0.0f ? 1 / scales[b] : 0;
            std::array<std::uint8_t, kGroup> L{};
            for (int j = 0; j < kGroup; ++j) {
                L[j] = static_cast<std::uint8_t>(nearest(id * xb[j]));
            }
            packCodes(L.data(), block.qs.data());
            storeBlock(block, blocks, first + b);
        }
    }
}

void quantizeIQ4_XS(const float* x, std::size_t count, std::byte* blocks)
{
    const Iq4Index& nearest = iq4Index();
    std::array<float, kMaxGroups> scales{};
    for (std::size_t i = 0; i < count; ++i, x += kSuperBlock) {
        BlockIQ4_XS block{};
        iq4GroupScales(x, scales.data());
        const float maxScale = largestMagnitude(scales.data(), kMaxGroups).value;
        // The group scales as six-bit multiples of d = -maxScale / 32, the codes again from them.
        block.scalesHigh = 0;
        const float d = -maxScale / 32;
        block.d = fp32ToFp16(d);
        const float id = d != 0.0f ? 1 / d : 0.f;
        for (int ib = 0; ib < kMaxGroups; ++ib) {
            int l = nearestInt(id * scales[ib]);
            l = std::max(-32, std::min(31, l));
            const float dl = d * l;
            const float idl = dl != 0.0f ? 1 / dl : 0.f;
            const float* xb = x + ib * kGroup;
            std::array<std::uint8_t, kGroup> L{};
            for (int j = 0; j < kGroup; ++j) {
                L[j] = static_cast<std::uint8_t>(nearest(idl * xb[j]));
            }
            packCodes(L.data(), block.qs.data() + 16 * ib);
            l += 32;
            const auto low = static_cast<std::uint8_t>(l & 0xf);
            const auto high = static_cast<std::uint8_t>(l >> 4);
            if (ib % 2 == 0) {
                block.scalesLow[ib / 2] = low;
            } else {
                block.scalesLow[ib / 2] |= static_cast<std::uint8_t>(low << 4);
            }
            block.scalesHigh |= static_cast<std::uint16_t>(high << 2 * (ib % 8));
        }
        storeBlock(block, blocks, i);
    }
}

} // namespace quantscope::ggml
