#include "quantscope/simd_targets.h"

#include <hwy/base.h>
#include <hwy/targets.h>

#include <mutex>

// Highway versions with a Zen 4 target need no help.
#if HWY_ARCH_X86 && !defined(HWY_AVX3_ZEN4)
#define QUANTSCOPE_AVOID_SLOW_COMPRESS_STORE 1
#include <cpuid.h>
#endif

namespace quantscope {
namespace {

// CPUID's display family: the base family, extended when it is 0Fh.
std::uint32_t cpuFamily(std::uint32_t signature)
{
    const std::uint32_t base = (signature >> 8) & 0xF;
    return base == 0xF ? base + ((signature >> 20) & 0xFF) : base;
}

#ifdef QUANTSCOPE_AVOID_SLOW_COMPRESS_STORE
bool thisCpuHasSlowCompressStore()
{
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (!__get_cpuid(0, &eax, &ebx, &ecx, &edx)) {
        return false;
    }
    char vendor[12];
    // The vendor string is spelled out in EBX, EDX, ECX, in that order.
    for (int i = 0; i < 4; ++i) {
        vendor[i] = char(ebx >> (8 * i));
        vendor[4 + i] = char(edx >> (8 * i));
        vendor[8 + i] = char(ecx >> (8 * i));
    }
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
        return false;
    }
    return slowAvx512CompressStore(std::string_view(vendor, sizeof vendor), eax);
}
#endif

} // namespace

bool slowAvx512CompressStore(std::string_view vendor, std::uint32_t signature)
{
    return vendor == "AuthenticAMD" && cpuFamily(signature) == 0x19;
}

void chooseSimdTargets()
{
#ifdef QUANTSCOPE_AVOID_SLOW_COMPRESS_STORE
    static std::once_flag chosen;
    std::call_once(chosen, [] {
        if (thisCpuHasSlowCompressStore()) {
            hwy::DisableTargets(HWY_AVX3 | HWY_AVX3_DL);
        }
    });
#endif
}

std::string simdTargetName()
{
    chooseSimdTargets();
    const auto targets = std::uint64_t(hwy::SupportedTargets() & HWY_TARGETS);
    // Lower bits are the better targets: dispatch takes the lowest one supported.
    return hwy::TargetName(std::int64_t{1} << hwy::Num0BitsBelowLS1Bit_Nonzero64(targets));
}

} // namespace quantscope
