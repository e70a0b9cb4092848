// ggml's quantizers of the 256-element super-blocks: quantize_row_q2_K_ref ...
// quantize_row_q6_K_ref with make_qkx2_quants, make_q3_quants and make_qx_quants, operation for
// operation (see quantize.h).
#include "ggml/ggml_blocks.h"
#include "ggml/ggml_scalars.h"
#include "ggml/k_scales.h"
#include "ggml/quantize.h"
#include "ggml/quantize_common.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>

namespace quantscope::ggml {
namespace {

constexpr int kK = static_cast<int>(kSuperBlock);

// nearest_int(v) clamped to [0, nmax], as a float: one trial's code in make_qkx2_quants.
inline float clampedLevel(float v, int nmax)
{
    const float shifted = v + 12582912.f;
    std::int32_t l = (std::bit_cast<std::int32_t>(shifted) & 0x007fffff) - 0x00400000;
    l = l < 0 ? 0 : l;
    l = l > nmax ? nmax : l;
    return static_cast<float>(l);
}

// make_qkx2_quants: codes L in [0, nmax] and a scale and minimum (returned as -min in *theMin)
// for x ≈ scale * L + min with min <= 0, searching nstep + 1 scales around nmax / (max - min)
// for the least weighted error (absolute with useMad, else squared).
QUANTSCOPE_GGML_LANES float makeQkx2Quants(int n, int nmax, const float* x, const float* weights,
                                           std::uint8_t* L, float* theMin, float rmin, float rdelta,
                                           int nstep, bool useMad)
{
    float min = x[0];
    float max = x[0];
    float sumW = weights[0];
    float sumX = sumW * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < min) {
            min = x[i];
        }
        if (x[i] > max) {
            max = x[i];
        }
        const float w = weights[i];
        sumW += w;
        sumX += w * x[i];
    }
    if (min > 0) {
        min = 0;
    }
    if (max == min) {
        for (int i = 0; i < n; ++i) {
            L[i] = 0;
        }
        *theMin = -min;
        return 0.f;
    }
    float iscale = nmax / (max - min);
    float scale = 1 / iscale;
    float bestError = 0;
    for (int i = 0; i < n; ++i) {
        const int l = nearestInt(iscale * (x[i] - min));
        L[i] = static_cast<std::uint8_t>(std::max(0, std::min(nmax, l)));
        float diff = scale * L[i] + min - x[i];
        diff = useMad ? std::abs(diff) : diff * diff;
        const float w = weights[i];
        bestError += w * diff;
    }
    if (nstep < 1) {
        *theMin = -min;
        return scale;
    }
    // ggml tries the scales one after the other, and each trial uses the minimum of the best
    // so far. Every remaining trial is computed at once with the current minimum (side by side,
    // each summing in ggml's order, so the sums are ggml's); walking them in order, the first
    // that improves is taken and the ones after it are computed again with its minimum.
    constexpr int kMaxTrials = 24;
    const int trials = nstep + 1;
    alignas(32) std::array<float, kMaxTrials> iscales{};
    alignas(32) std::array<float, kMaxTrials> sumL{};
    alignas(32) std::array<float, kMaxTrials> sumL2{};
    alignas(32) std::array<float, kMaxTrials> sumXl{};
    alignas(32) std::array<float, kMaxTrials> scales{};
    alignas(32) std::array<float, kMaxTrials> mins{};
    alignas(32) std::array<float, kMaxTrials> errors{};
    int best = -1;
    float bestIscale = 0;
    float bestMinUsed = 0;
    for (int first = 0; first < trials;) {
        // The trials left, in whole vectors of eight.
        const int lanes = std::min(kMaxTrials, (trials - first + 7) & ~7);
        for (int t = 0; t < lanes; ++t) {
            iscales[t] = (rmin + rdelta * (first + t) + nmax) / (max - min);
            sumL[t] = 0;
            sumL2[t] = 0;
            sumXl[t] = 0;
            errors[t] = 0;
        }
        for (int i = 0; i < n; ++i) {
            const float xi = x[i] - min;
            const float w = weights[i];
            const float xr = x[i];
            for (int t = 0; t < lanes; ++t) {
                const float l = clampedLevel(iscales[t] * xi, nmax);
                sumL[t] += w * l;
                sumL2[t] += w * l * l;
                sumXl[t] += w * l * xr;
            }
        }
        for (int t = 0; t < lanes; ++t) {
            const float D = sumW * sumL2[t] - sumL[t] * sumL[t];
            float thisScale = (sumW * sumXl[t] - sumX * sumL[t]) / D;
            float thisMin = (sumL2[t] * sumX - sumL[t] * sumXl[t]) / D;
            if (thisMin > 0) {
                thisMin = 0;
                thisScale = sumXl[t] / sumL2[t];
            }
            scales[t] = thisScale;
            mins[t] = thisMin;
        }
        for (int i = 0; i < n; ++i) {
            const float xi = x[i] - min;
            const float w = weights[i];
            const float xr = x[i];
            if (useMad) {
                for (int t = 0; t < lanes; ++t) {
                    const float l = clampedLevel(iscales[t] * xi, nmax);
                    errors[t] += w * std::abs(scales[t] * l + mins[t] - xr);
                }
            } else {
                for (int t = 0; t < lanes; ++t) {
                    const float l = clampedLevel(iscales[t] * xi, nmax);
                    const float diff = scales[t] * l + mins[t] - xr;
                    errors[t] += w * (diff * diff);
                }
            }
        }
        int next = trials;
        for (int t = 0; first + t < trials; ++t) {
            const float D = sumW * sumL2[t] - sumL[t] * sumL[t];
            if (D > 0 && errors[t] < bestError) {
                best = first + t;
                bestIscale = iscales[t];
                bestMinUsed = min;
                bestError = errors[t];
                scale = scales[t];
                min = mins[t];
                next = first + t + 1;
                break;
            }
        }
        first = next;
    }
    if (best >= 0) {
        for (int i = 0; i < n; ++i) {
            const int l = nearestInt(bestIscale * (x[i] - bestMinUsed));
            L[i] = static_cast<std::uint8_t>(std::max(0, std::min(nmax, l)));
        }
    }
    *theMin = -min;
    return scale;
}

// make_q3_quants with do_rmse: codes L in [0, 2 nmax) for x ≈ scale * (L - nmax), refined
// code by code (up to 5 rounds) for the least x²-weighted squared error.
float makeQ3Quants(int n, int nmax, const float* x, std::int8_t* L)
{
    float max = 0;
    float amax = 0;
    for (int i = 0; i < n; ++i) {
        const float ax = std::abs(x[i]);
        if (ax > amax) {
            amax = ax;
            max = x[i];
        }
    }
    if (amax < kGroupMaxEps) {
        for (int i = 0; i < n; ++i) {
            L[i] = 0;
        }
        return 0.f;
    }
    const float iscale = -nmax / max;
    float sumlx = 0;
    float suml2 = 0;
    for (int i = 0; i < n; ++i) {
        int l = nearestInt(iscale * x[i]);
        l = std::max(-nmax, std::min(nmax - 1, l));
        L[i] = static_cast<std::int8_t>(l);
        const float w = x[i] * x[i];
        sumlx += w * x[i] * l;
        suml2 += w * l * l;
    }
    for (int itry = 0; itry < 5; ++itry) {
        int changed = 0;
        for (int i = 0; i < n; ++i) {
            const float w = x[i] * x[i];
            float slx = sumlx - w * x[i] * L[i];
            if (slx > 0) {
                float sl2 = suml2 - w * L[i] * L[i];
                int newL = nearestInt(x[i] * sl2 / slx);
                newL = std::max(-nmax, std::min(nmax - 1, newL));
                if (newL != L[i]) {
                    slx += w * x[i] * newL;
                    sl2 += w * newL * newL;
                    if (sl2 > 0 && slx * slx * suml2 > sumlx * sumlx * sl2) {
                        L[i] = static_cast<std::int8_t>(newL);
                        sumlx = slx;
                        suml2 = sl2;
                        ++changed;
                    }
                }
            }
        }
        if (changed == 0) {
            break;
        }
    }
    for (int i = 0; i < n; ++i) {
        L[i] = static_cast<std::int8_t>(L[i] + nmax);
    }
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

// make_qx_quants with rmse_type 1 and no quant weights: codes L in [0, 2 nmax) for
// x ≈ scale * (L - nmax), the best of 19 scales around nmax / max|x| by x²-weighted error.
QUANTSCOPE_GGML_LANES float makeQxQuants(int n, int nmax, const float* x, std::int8_t* L)
{
    float max = 0;
    float amax = 0;
    for (int i = 0; i < n; ++i) {
        const float ax = std::abs(x[i]);
        if (ax > amax) {
            amax = ax;
            max = x[i];
        }
    }
    if (amax < kGroupMaxEps) {
        for (int i = 0; i < n; ++i) {
            L[i] = 0;
        }
        return 0.f;
    }
    float iscale = -nmax / max;
    float sumlx = 0;
    float suml2 = 0;
    for (int i = 0; i < n; ++i) {
        int l = nearestInt(iscale * x[i]);
        l = std::max(-nmax, std::min(nmax - 1, l));
        L[i] = static_cast<std::int8_t>(l + nmax);
        const float w = x[i] * x[i];
        sumlx += w * x[i] * l;
        suml2 += w * l * l;
    }
    float scale = suml2 != 0.0f ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;
    // The 18 trial scales do not depend on each other: their sums side by side in vector lanes
    // (each in ggml's order), then ggml's walk through them.
    constexpr int kTrials = 20; // is = -9 … 9 without 0, two idle lanes
    alignas(32) std::array<float, kTrials> iscales{};
    alignas(32) std::array<float, kTrials> sumsLx{};
    alignas(32) std::array<float, kTrials> sumsL2{};
    for (int t = 0; t < kTrials; ++t) {
        const int is = t < 9 ? t - 9 : t - 8;
        iscales[t] = -(nmax + 0.1f * is) / max;
    }
    for (int i = 0; i < n; ++i) {
        const float xi = x[i];
        const float w = xi * xi;
        for (int t = 0; t < kTrials; ++t) {
            std::int32_t l = nearestInt(iscales[t] * xi);
            l = l < -nmax ? -nmax : l;
            l = l > nmax - 1 ? nmax - 1 : l;
            const auto lf = static_cast<float>(l);
            sumsLx[t] += w * xi * lf;
            sumsL2[t] += w * lf * lf;
        }
    }
    for (int t = 0; t < kTrials - 2; ++t) {
        if (sumsL2[t] > 0 && sumsLx[t] * sumsLx[t] > best * sumsL2[t]) {
            for (int i = 0; i < n; ++i) {
                const int l = nearestInt(iscales[t] * x[i]);
                L[i] = static_cast<std::int8_t>(nmax + std::max(-nmax, std::min(nmax - 1, l)));
            }
            scale = sumsLx[t] / sumsL2[t];
            best = scale * sumsLx[t];
        }
    }
    return scale;
}

// The six-bit scales and mins of Q4_K and Q5_K, packed as ggml packs them.
void packScalesMinsK4(const float* scales, const float* mins, float maxScale, float maxMin,
                      std::array<std::uint8_t, kScaleBytesK>& packed)
{
    const float invScale = maxScale > 0 ? 63.f / maxScale : 0.f;
    const float invMin = maxMin > 0 ? 63.f / maxMin : 0.f;
    for (int j = 0; j < kK / 32; ++j) {
        auto ls = static_cast<std::uint8_t>(nearestInt(invScale * scales[j]));
        auto lm = static_cast<std::uint8_t>(nearestInt(invMin * mins[j]));
        ls = std::min<std::uint8_t>(63, ls);
        lm = std::min<std::uint8_t>(63, lm);
        if (j < 4) {
            packed[j] = ls;
            packed[j + 4] = lm;
        } else {
            packed[j + 4] = static_cast<std::uint8_t>((ls & 0xF) | ((lm & 0xF) << 4));
            packed[j - 4] |= static_cast<std::uint8_t>((ls >> 4) << 6);
            packed[j - 0] |= static_cast<std::uint8_t>((lm >> 4) << 6);
        }
    }
}

// The first part of Q4_K and Q5_K: eight groups of 32 by make_qkx2_quants with weights
// sqrt(mean x²) + |x|, their scales and mins packed, then every code again from the stored
// scales. Returns nothing; writes d, dmin, scales and the codes L (0..nmax).
template <typename Block>
void quantizeScalesMinsK4(const float* x, int nmax, float rmin, int nstep, Block& block,
                          std::uint8_t* L)
{
    std::array<float, 32> weights{};
    std::array<float, kK / 32> mins{};
    std::array<float, kK / 32> scales{};
    float maxScale = 0;
    float maxMin = 0;
    for (int j = 0; j < kK / 32; ++j) {
        float sumX2 = 0;
        for (int l = 0; l < 32; ++l) {
            sumX2 += x[32 * j + l] * x[32 * j + l];
        }
        const float avX = std::sqrt(sumX2 / 32);
        for (int l = 0; l < 32; ++l) {
            weights[l] = avX + std::abs(x[32 * j + l]);
        }
        scales[j] = makeQkx2Quants(32, nmax, x + 32 * j, weights.data(), L + 32 * j, &mins[j], rmin,
                                   0.1f, nstep, false);
        if (scales[j] > maxScale) {
            maxScale = scales[j];
        }
        if (mins[j] > maxMin) {
            maxMin = mins[j];
        }
    }
    packScalesMinsK4(scales.data(), mins.data(), maxScale, maxMin, block.scales);
    block.d = fp32ToFp16(maxScale / 63.f);
    block.dmin = fp32ToFp16(maxMin / 63.f);
    for (int j = 0; j < kK / 32; ++j) {
        const ScaleMin sm = scaleMinK4(j, block.scales);
        const float d = fp16ToFloat(block.d) * sm.scale;
        if (d == 0.0f) {
            continue;
        }
        const float dm = fp16ToFloat(block.dmin) * sm.min;
        for (int ii = 0; ii < 32; ++ii) {
            int l = nearestInt((x[32 * j + ii] + dm) / d);
            l = std::max(0, std::min(nmax, l));
            L[32 * j + ii] = static_cast<std::uint8_t>(l);
        }
    }
}

// Four 2-bit codes 32 apart in each byte, per half of 128 (Q2_K's and Q3_K's qs).
template <typename Code> void pack2Bit(const Code* L, std::uint8_t* qs)
{
    for (int j = 0; j < kK; j += 128) {
        for (int l = 0; l < 32; ++l) {
            qs[j / 4 + l] = static_cast<std::uint8_t>(L[j + l] | (L[j + l + 32] << 2) |
                                                      (L[j + l + 64] << 4) | (L[j + l + 96] << 6));
        }
    }
}

} // namespace

void quantizeQ2_K(const float* x, std::size_t count, std::byte* blocks)
{
    constexpr float q4scale = 15.f;
    std::array<std::uint8_t, kK> L{};
    std::array<float, 16> weights{};
    std::array<float, kK / 16> mins{};
    std::array<float, kK / 16> scales{};
    for (std::size_t i = 0; i < count; ++i, x += kK) {
        BlockQ2_K block{};
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < kK / 16; ++j) {
            for (int l = 0; l < 16; ++l) {
                weights[l] = std::abs(x[16 * j + l]);
            }
            scales[j] = makeQkx2Quants(16, 3, x + 16 * j, weights.data(), L.data() + 16 * j,
                                       &mins[j], -0.5f, 0.1f, 15, true);
            if (scales[j] > maxScale) {
                maxScale = scales[j];
            }
            if (mins[j] > maxMin) {
                maxMin = mins[j];
            }
        }
        if (maxScale > 0) {
            const float iscale = q4scale / maxScale;
            for (int j = 0; j < kK / 16; ++j) {
                block.scales[j] = static_cast<std::uint8_t>(nearestInt(iscale * scales[j]));
            }
            block.d = fp32ToFp16(maxScale / q4scale);
        } else {
            for (int j = 0; j < kK / 16; ++j) {
                block.scales[j] = 0;
            }
            block.d = fp32ToFp16(0.f);
        }
        if (maxMin > 0) {
            const float iscale = q4scale / maxMin;
            for (int j = 0; j < kK / 16; ++j) {
                const int l = nearestInt(iscale * mins[j]);
                block.scales[j] |= static_cast<std::uint8_t>(l << 4);
            }
            block.dmin = fp32ToFp16(maxMin / q4scale);
        } else {
            block.dmin = fp32ToFp16(0.f);
        }
        for (int j = 0; j < kK / 16; ++j) {
            const float d = fp16ToFloat(block.d) * (block.scales[j] & 0xF);
            if (d == 0.0f) {
                continue;
            }
            const float dm = fp16ToFloat(block.dmin) * (block.scales[j] >> 4);
            for (int ii = 0; ii < 16; ++ii) {
                int l = nearestInt((x[16 * j + ii] + dm) / d);
                l = std::max(0, std::min(3, l));
                L[16 * j + ii] = static_cast<std::uint8_t>(l);
            }
        }
        pack2Bit(L.data(), block.qs.data());
        storeBlock(block, blocks, i);
    }
}

void quantizeQ3_K(const float* x, std::size_t count, std::byte* blocks)
{
    std::array<std::int8_t, kK> L{};
    std::array<float, kK / 16> scales{};
    for (std::size_t i = 0; i < count; ++i, x += kK) {
        BlockQ3_K block{};
        float maxScale = 0;
        float amax = 0;
        for (int j = 0; j < kK / 16; ++j) {
            scales[j] = makeQ3Quants(16, 4, x + 16 * j, L.data() + 16 * j);
            const float scale = std::abs(scales[j]);
            if (scale > amax) {
                amax = scale;
                maxScale = scales[j];
            }
        }
        block.scales.fill(0);
        if (maxScale != 0.0f) {
            const float iscale = -32.f / maxScale;
            for (int j = 0; j < kK / 16; ++j) {
                auto l = static_cast<std::int8_t>(nearestInt(iscale * scales[j]));
                l = static_cast<std::int8_t>(std::max(-32, std::min(31, int(l))) + 32);
                if (j < 8) {
                    block.scales[j] = static_cast<std::uint8_t>(l & 0xF);
                } else {
                    block.scales[j - 8] |= static_cast<std::uint8_t>((l & 0xF) << 4);
                }
                l = static_cast<std::int8_t>(l >> 4);
                block.scales[j % 4 + 8] |= static_cast<std::uint8_t>(l << (2 * (j / 4)));
            }
            block.d = fp32ToFp16(1 / iscale);
        } else {
            block.d = fp32ToFp16(0.f);
        }
        for (int j = 0; j < kK / 16; ++j) {
            auto sc =
                static_cast<std::int8_t>(j < 8 ? block.scales[j] & 0xF : block.scales[j - 8] >> 4);
            sc = static_cast<std::int8_t>(
                (sc | (((block.scales[8 + j % 4] >> (2 * (j / 4))) & 3) << 4)) - 32);
            const float d = fp16ToFloat(block.d) * sc;
            if (d == 0.0f) {
                continue;
            }
            for (int ii = 0; ii < 16; ++ii) {
                int l = nearestInt(x[16 * j + ii] / d);
                l = std::max(-4, std::min(3, l));
                L[16 * j + ii] = static_cast<std::int8_t>(l + 4);
            }
        }
        block.hmask.fill(0);
        // The high bit of the first 32 codes goes to bit 0 of hmask[0..31], of the next 32 to
        // bit 1, and so on.
        int m = 0;
        std::uint8_t hm = 1;
        for (int j = 0; j < kK; ++j) {
            if (L[j] > 3) {
                block.hmask[m] |= hm;
                L[j] = static_cast<std::int8_t>(L[j] - 4);
            }
            if (++m == kK / 8) {
                m = 0;
                hm = static_cast<std::uint8_t>(hm << 1);
            }
        }
        pack2Bit(L.data(), block.qs.data());
        storeBlock(block, blocks, i);
    }
}

void quantizeQ4_K(const float* x, std::size_t count, std::byte* blocks)
{
    std::array<std::uint8_t, kK> L{};
    for (std::size_t i = 0; i < count; ++i, x += kK) {
        BlockQ4_K block{};
        quantizeScalesMinsK4(x, 15, -1.f, 20, block, L.data());
        std::uint8_t* q = block.qs.data();
        for (int j = 0; j < kK; j += 64, q += 32) {
            for (int l = 0; l < 32; ++l) {
                q[l] = static_cast<std::uint8_t>(L[j + l] | (L[j + l + 32] << 4));
            }
        }
        storeBlock(block, blocks, i);
    }
}

void quantizeQ5_K(const float* x, std::size_t count, std::byte* blocks)
{
    std::array<std::uint8_t, kK> L{};
    for (std::size_t i = 0; i < count; ++i, x += kK) {
        BlockQ5_K block{};
        quantizeScalesMinsK4(x, 31, -0.5f, 15, block, L.data());
        std::uint8_t* ql = block.qs.data();
        block.qh.fill(0);
        std::uint8_t m1 = 1;
        std::uint8_t m2 = 2;
        for (int n = 0; n < kK; n += 64, ql += 32) {
            for (int j = 0; j < 32; ++j) {
                int l1 = L[n + j];
                if (l1 > 15) {
                    l1 -= 16;
                    block.qh[j] |= m1;
                }
                int l2 = L[n + j + 32];
                if (l2 > 15) {
                    l2 -= 16;
                    block.qh[j] |= m2;
                }
                ql[j] = static_cast<std::uint8_t>(l1 | (l2 << 4));
            }
            m1 = static_cast<std::uint8_t>(m1 << 2);
            m2 = static_cast<std::uint8_t>(m2 << 2);
        }
        storeBlock(block, blocks, i);
    }
}

void quantizeQ6_K(const float* x, std::size_t count, std::byte* blocks)
{
    std::array<std::int8_t, kK> L{};
    std::array<float, kK / 16> scales{};
    for (std::size_t i = 0; i < count; ++i, x += kK) {
        BlockQ6_K block{};
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int ib = 0; ib < kK / 16; ++ib) {
            const float scale = makeQxQuants(16, 32, x + 16 * ib, L.data() + 16 * ib);
            scales[ib] = scale;
            const float absScale = std::abs(scale);
            if (absScale > maxAbsScale) {
                maxAbsScale = absScale;
                maxScale = scale;
            }
        }
        if (maxAbsScale < kGroupMaxEps) {
            std::memset(&block, 0, sizeof block);
            block.d = fp32ToFp16(0.f);
            storeBlock(block, blocks, i);
            continue;
        }
        const float iscale = -128.f / maxScale;
        block.d = fp32ToFp16(1 / iscale);
        for (int ib = 0; ib < kK / 16; ++ib) {
            block.scales[ib] =
                static_cast<std::int8_t>(std::min(127, nearestInt(iscale * scales[ib])));
        }
        for (int j = 0; j < kK / 16; ++j) {
            const float d = fp16ToFloat(block.d) * block.scales[j];
            if (d == 0.0f) {
                continue;
            }
            for (int ii = 0; ii < 16; ++ii) {
                int l = nearestInt(x[16 * j + ii] / d);
                l = std::max(-32, std::min(31, l));
                L[16 * j + ii] = static_cast<std::int8_t>(l + 32);
            }
        }
        std::uint8_t* ql = block.ql.data();
        std::uint8_t* qh = block.qh.data();
        for (int j = 0; j < kK; j += 128, ql += 64, qh += 32) {
            for (int l = 0; l < 32; ++l) {
                const int q1 = L[j + l + 0] & 0xF;
                const int q2 = L[j + l + 32] & 0xF;
                const int q3 = L[j + l + 64] & 0xF;
                const int q4 = L[j + l + 96] & 0xF;
                ql[l + 0] = static_cast<std::uint8_t>(q1 | (q3 << 4));
                ql[l + 32] = static_cast<std::uint8_t>(q2 | (q4 << 4));
                qh[l] = static_cast<std::uint8_t>((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) |
                                                  ((L[j + l + 64] >> 4) << 4) |
                                                  ((L[j + l + 96] >> 4) << 6));
            }
        }
        storeBlock(block, blocks, i);
    }
}

} // namespace quantscope::ggml
