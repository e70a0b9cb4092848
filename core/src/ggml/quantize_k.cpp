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

// G float32 lanes (GCC/Clang vector extensions: plain element-wise IEEE operations, lowered to
// whatever vectors the target has), and G int32 lanes.
template <int G> struct LaneTypes;
template <> struct LaneTypes<8> {
    typedef float F __attribute__((vector_size(32)));
    typedef std::int32_t I __attribute__((vector_size(32)));
};
template <int G> using Lanes = typename LaneTypes<G>::F;
template <int G> using IntLanes = typename LaneTypes<G>::I;

// nearest_int of every lane, clamped to [0, nmax]. (A cast between vector types of one size
// reinterprets the bits.) Vectors go by reference: no ABI questions between the builds.
template <int G>
[[gnu::always_inline]] inline void clampedLevels(const Lanes<G>& v, int nmax, IntLanes<G>& l)
{
    const Lanes<G> shifted = v + 12582912.f;
    l = ((IntLanes<G>)shifted & 0x007fffff) - 0x00400000;
    l = l < 0 ? 0 : l;
    l = l > nmax ? nmax : l;
}

template <int G> [[gnu::always_inline]] inline void makeAbsolute(Lanes<G>& v)
{
    v = (Lanes<G>)((IntLanes<G>)v & 0x7fffffff);
}

// make_qkx2_quants for G groups of n values at once (x, weights and L hold the groups one after
// the other): codes L in [0, nmax] and a scale and minimum (returned as -min in theMin) for
// x ≈ scale * L + min with min <= 0, searching nstep + 1 scales around nmax / (max - min) for
// the least weighted error (absolute with useMad, else squared). Each group is a vector lane that
// runs ggml's loop, operation for operation and in ggml's order, so every lane ends as ggml's
// call on that group; what ggml decides by branching, a lane decides by selecting.
template <int G, bool useMad>
QUANTSCOPE_GGML_LANES void makeQkx2Quants(int n, int nmax, const float* x, const float* weights,
                                          std::uint8_t* L, float* scales, float* theMin, float rmin,
                                          float rdelta, int nstep)
{
    using F = Lanes<G>;
    using I = IntLanes<G>;
    constexpr int kMaxN = 32;
    F xt[kMaxN] = {};
    F wt[kMaxN] = {};
    I best[kMaxN] = {};
    I trial[kMaxN] = {};
    for (int i = 0; i < n; ++i) {
        for (int g = 0; g < G; ++g) {
            xt[i][g] = x[g * n + i];
            wt[i][g] = weights[g * n + i];
        }
    }
    F min = xt[0];
    F max = xt[0];
    F sumW = wt[0];
    F sumX = sumW * xt[0];
    for (int i = 1; i < n; ++i) {
        min = xt[i] < min ? xt[i] : min;
        max = xt[i] > max ? xt[i] : max;
        sumW += wt[i];
        sumX += wt[i] * xt[i];
    }
    const F zero = F{} + 0.0f;
    min = min > 0 ? zero : min;
    const I flat = max == min; // ggml returns early: codes 0, scale 0 (set at the end)
    const float levels = static_cast<float>(nmax);
    F iscale = levels / (max - min);
    F scale = 1 / iscale;
    F bestError = zero;
    for (int i = 0; i < n; ++i) {
        clampedLevels<G>(iscale * (xt[i] - min), nmax, best[i]);
        F diff = scale * __builtin_convertvector(best[i], F) + min - xt[i];
        if constexpr (useMad) {
            makeAbsolute<G>(diff);
        } else {
            diff = diff * diff;
        }
        bestError += wt[i] * diff;
    }
    for (int is = 0; is <= nstep; ++is) {
        iscale = (rmin + rdelta * static_cast<float>(is) + levels) / (max - min);
        F sumL = zero;
        F sumL2 = zero;
        F sumXl = zero;
        for (int i = 0; i < n; ++i) {
            clampedLevels<G>(iscale * (xt[i] - min), nmax, trial[i]);
            const F l = __builtin_convertvector(trial[i], F);
            sumL += wt[i] * l;
            sumL2 += wt[i] * l * l;
            sumXl += wt[i] * l * xt[i];
        }
        const F D = sumW * sumL2 - sumL * sumL;
        const F fitScale = (sumW * sumXl - sumX * sumL) / D;
        const F fitMin = (sumL2 * sumX - sumL * sumXl) / D;
        const F throughZero = sumXl / sumL2;
        const F thisScale = fitMin > 0 ? throughZero : fitScale;
        const F thisMin = fitMin > 0 ? zero : fitMin;
        F curError = zero;
        for (int i = 0; i < n; ++i) {
            F diff = thisScale * __builtin_convertvector(trial[i], F) + thisMin - xt[i];
            if constexpr (useMad) {
                makeAbsolute<G>(diff);
            } else {
                diff = diff * diff;
            }
            curError += wt[i] * diff;
        }
        const I take = (D > 0) & (curError < bestError);
        bestError = take ? curError : bestError;
        scale = take ? thisScale : scale;
        min = take ? thisMin : min;
        for (int i = 0; i < n; ++i) {
            best[i] = take ? trial[i] : best[i];
        }
    }
    for (int g = 0; g < G; ++g) {
        for (int i = 0; i < n; ++i) {
            L[g * n + i] = static_cast<std::uint8_t>(flat[g] != 0 ? 0 : best[i][g]);
        }
        scales[g] = flat[g] != 0 ? 0.f : scale[g];
        theMin[g] = -min[g];
    }
}

// make_q3_quants with do_rmse: codes L in [0, 2 nmax) for x ≈ scale * (L - nmax), refined
// code by code (up to 5 rounds) for the least x²-weighted squared error.
float makeQ3Quants(int n, int nmax, const float* x, std::int8_t* L)
{
    const auto [max, amax] = largestMagnitude(x, n);
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
    const auto [max, amax] = largestMagnitude(x, n);
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
    std::array<float, kK> weights{};
    std::array<float, kK / 32> mins{};
    std::array<float, kK / 32> scales{};
    for (int j = 0; j < kK / 32; ++j) {
        float sumX2 = 0;
        for (int l = 0; l < 32; ++l) {
            sumX2 += x[32 * j + l] * x[32 * j + l];
        }
        const float avX = std::sqrt(sumX2 / 32);
        for (int l = 0; l < 32; ++l) {
            weights[32 * j + l] = avX + std::abs(x[32 * j + l]);
        }
    }
    makeQkx2Quants<kK / 32, false>(32, nmax, x, weights.data(), L, scales.data(), mins.data(), rmin,
                                   0.1f, nstep);
    float maxScale = 0;
    float maxMin = 0;
    for (int j = 0; j < kK / 32; ++j) {
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
    std::array<float, kK> weights{};
    std::array<float, kK / 16> mins{};
    std::array<float, kK / 16> scales{};
    for (std::size_t i = 0; i < count; ++i, x += kK) {
        BlockQ2_K block{};
        for (int l = 0; l < kK; ++l) {
            weights[l] = std::abs(x[l]);
        }
        // Sixteen groups of 16 in two runs of eight lanes.
        for (int half = 0; half < 2; ++half) {
            const int first = 8 * half;
            makeQkx2Quants<8, true>(16, 3, x + 16 * first, weights.data() + 16 * first,
                                    L.data() + 16 * first, scales.data() + first,
                                    mins.data() + first, -0.5f, 0.1f, 15);
        }
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < kK / 16; ++j) {
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
