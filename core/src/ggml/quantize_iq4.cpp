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

    // The table value of the nearest entry for a finite x, without branches: below the table
    // the first cell's comparison picks entry 0, above it the last cell's picks entry 15.
    float valueOf(float x) const
    {
        float c = x > -127.0f ? x : -127.0f;
        c = c < 112.0f ? c : 112.0f;
        const std::size_t at = cell(c);
        const float low = m_low[at];
        const float high = m_high[at];
        return x - low < high - x ? low : high;
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

// quantize_row_iq4_nl_impl without quant weights: per group of 32 the x²-weighted best of
// 2 kTries + 1 scales. `superBlock` is 32 (IQ4_NL: the group's scale is d) or 256 (IQ4_XS:
// six-bit group scales under d). Writes d, the packed codes and, for IQ4_XS, the group scales.
// (ggml's sigma2 only enters with quant weights and is left out.)
QUANTSCOPE_GGML_LANES void quantizeIq4(int superBlock, const float* x, std::uint16_t& dh,
                                       std::uint8_t* q4, std::uint16_t* scalesHigh,
                                       std::uint8_t* scalesLow)
{
    const std::int8_t* values = kValuesIq4Nl.data();
    const Iq4Index& nearest = iq4Index();
    std::array<std::uint8_t, kSuperBlock> L{};
    std::array<float, kGroup> weight{};
    std::array<float, kMaxGroups> scales{};
    std::memset(q4, 0, static_cast<std::size_t>(superBlock / 2));
    dh = fp32ToFp16(0.f);

    const int groups = superBlock / kGroup;
    float maxScale = 0;
    float amaxScale = 0;
    for (int ib = 0; ib < groups; ++ib) {
        const float* xb = x + ib * kGroup;
        for (int j = 0; j < kGroup; ++j) {
            weight[j] = xb[j] * xb[j];
        }
        float amax = 0;
        float max = 0;
        for (int j = 0; j < kGroup; ++j) {
            const float ax = std::abs(xb[j]);
            if (ax > amax) {
                amax = ax;
                max = xb[j];
            }
        }
        if (amax < kGroupMaxEps) {
            scales[ib] = 0;
            continue;
        }
        // The first scale -max / values[0] and the 2 kTries + 1 trials do not depend on each
        // other: their sums side by side (each in ggml's order), then ggml's walk.
        constexpr int kLanes = 2 * kTries + 2;
        std::array<float, kLanes> ids{};
        std::array<float, kLanes> sumqx{};
        std::array<float, kLanes> sumq2{};
        float d = -max / values[0];
        ids[0] = 1 / d;
        for (int t = 1; t < kLanes; ++t) {
            ids[t] = (t - 1 - kTries + values[0]) / max;
        }
        for (int j = 0; j < kGroup; ++j) {
            const float xj = xb[j];
            const float w = weight[j];
            for (int t = 0; t < kLanes; ++t) {
                // |ids[t] · xj| <= 134: finite.
                const float q = nearest.valueOf(ids[t] * xj);
                sumqx[t] += w * q * xj;
                sumq2[t] += w * q * q;
            }
        }
        d = sumq2[0] > 0 ? sumqx[0] / sumq2[0] : 0.f;
        float best = d * sumqx[0];
        for (int t = 1; t < kLanes; ++t) {
            if (sumq2[t] > 0 && sumqx[t] * sumqx[t] > best * sumq2[t]) {
                d = sumqx[t] / sumq2[t];
                best = d * sumqx[t];
            }
        }
        scales[ib] = d;
        const float absD = std::abs(d);
        if (absD > amaxScale) {
            amaxScale = absD;
            maxScale = d;
        }
    }

    if (groups > 1) {
        *scalesHigh = 0;
        const float d = -maxScale / 32;
        dh = fp32ToFp16(d);
        const float id = d != 0.0f ? 1 / d : 0.f;
        for (int ib = 0; ib < groups; ++ib) {
            int l = nearestInt(id * scales[ib]);
            l = std::max(-32, std::min(31, l));
            const float dl = d * l;
            const float idl = dl != 0.0f ? 1 / dl : 0.f;
            std::uint8_t* Lb = L.data() + ib * kGroup;
            const float* xb = x + ib * kGroup;
            for (int j = 0; j < kGroup; ++j) {
                Lb[j] = static_cast<std::uint8_t>(nearest(idl * xb[j]));
            }
            l += 32;
            const auto low = static_cast<std::uint8_t>(l & 0xf);
            const auto high = static_cast<std::uint8_t>(l >> 4);
            if (ib % 2 == 0) {
                scalesLow[ib / 2] = low;
            } else {
                scalesLow[ib / 2] |= static_cast<std::uint8_t>(low << 4);
            }
            *scalesHigh |= static_cast<std::uint16_t>(high << 2 * (ib % 8));
        }
    } else {
        dh = fp32ToFp16(scales[0]);
        const float id = scales[0] != 0.0f ? 1 / scales[0] : 0;
        for (int j = 0; j < superBlock; ++j) {
            L[j] = static_cast<std::uint8_t>(nearest(id * x[j]));
        }
    }

    for (int i = 0; i < superBlock / 32; ++i) {
        for (int j = 0; j < 16; ++j) {
            q4[16 * i + j] = static_cast<std::uint8_t>(L[32 * i + j] | (L[32 * i + 16 + j] << 4));
        }
    }
}

} // namespace

void quantizeIQ4_NL(const float* x, std::size_t count, std::byte* blocks)
{
    for (std::size_t i = 0; i < count; ++i, x += kGroup) {
        BlockIQ4_NL block{};
        quantizeIq4(kGroup, x, block.d, block.qs.data(), nullptr, nullptr);
        storeBlock(block, blocks, i);
    }
}

void quantizeIQ4_XS(const float* x, std::size_t count, std::byte* blocks)
{
    for (std::size_t i = 0; i < count; ++i, x += kSuperBlock) {
        BlockIQ4_XS block{};
        quantizeIq4(static_cast<int>(kSuperBlock), x, block.d, block.qs.data(), &block.scalesHigh,
                    block.scalesLow.data());
        storeBlock(block, blocks, i);
    }
}

} // namespace quantscope::ggml
