#include "quantscope/apply_to_npy.h"

#include "quantscope/apply.h"

#include <algorithm>
#include <vector>

namespace quantscope {

bool appendAppliedCodebook(std::span<const float> values, const Codebook& codebook,
                           NpyWriter* dequantized, NpyWriter* codes,
                           const std::function<bool(std::int64_t done)>& keepGoing)
{
    const auto n = std::int64_t(values.size());
    const CodebookApplier applier(codebook, n);
    const std::int64_t buffered = std::min(n, kApplyStepValues);
    std::vector<float> levelBuffer(dequantized ? buffered : 0);
    std::vector<std::int32_t> codeBuffer(codes ? buffered : 0);
    for (std::int64_t begin = 0; begin < n; begin += kApplyStepValues) {
        const std::int64_t count = std::min(kApplyStepValues, n - begin);
        const auto levelPart = std::span(levelBuffer).first(dequantized ? count : 0);
        const auto codePart = std::span(codeBuffer).first(codes ? count : 0);
        applier.apply(values.subspan(begin, count), codePart, levelPart);
        if (dequantized) {
            dequantized->append(std::span<const float>(levelPart));
        }
        if (codes) {
            codes->append(std::span<const std::int32_t>(codePart));
        }
        if (keepGoing && !keepGoing(begin + count)) {
            return false;
        }
    }
    return true;
}

} // namespace quantscope
