#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace quantscope {

// Whether a CPU, named by its CPUID vendor string and the signature CPUID leaf 1 returns in EAX,
// runs AVX-512's compress-to-memory (vpcompressd, vcompressps with a memory operand) in
// microcode: AMD family 19h. Zen 4 is that family's AVX-512 generation (Zen 3, the same family,
// has no AVX-512); Zen 5 (family 1Ah) and Intel's cores run it at full speed.
bool slowAvx512CompressStore(std::string_view vendor, std::uint32_t signature);

// Makes Highway's run-time dispatch skip targets that are slow on this CPU; called before every
// dispatch, it decides once per process. Highway 1.0 knows no Zen 4 target, and its AVX-512
// vqsort partitions with compress-to-memory: on Zen 4 it runs several times slower than its
// AVX2 code, so AVX-512 is left out there (Zen 4 splits 512-bit operations in two halves anyway).
// Highway versions with a Zen 4 target handle this themselves and are left alone.
void chooseSimdTargets();

// The instruction set the SIMD kernels and the sort run on, e.g. "AVX2", "AVX3" (AVX-512).
std::string simdTargetName();

} // namespace quantscope
