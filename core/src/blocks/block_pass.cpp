#include "blocks/block_pass.h"

#include "blocks/block_kernels.h"
#include "quantscope/compensated_sum.h"
#include "quantscope/errors.h"
#include "quantscope/parallel.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace quantscope {
namespace {

constexpr std::int64_t kRunValues = 16384; // values per work item: scratch stays in L2
constexpr std::int64_t kMaxCodeTable = std::int64_t{1} << 20;
// Up to this many codes, level usage is counted in four interleaved tables: runs of one code
// would otherwise wait on each increment's store.
constexpr std::int64_t kInterleavedCodeTable = 4096;
constexpr int kCountLanes = 4;
constexpr double kInf = std::numeric_limits<double>::infinity();

// Slices that are runs of consecutive blocks: groups (rows of blocks) and channels with nothing
// before their axis (one row of `sliceCount` blocks).
struct ContiguousBlocks {
    std::int64_t rows = 0;
    std::int64_t rowLength = 0;
    std::int64_t blockSize = 0;
    std::int64_t blocksPerRow = 0;
};

std::optional<ContiguousBlocks> contiguousBlocks(const SliceLayout& layout)
{
    if (layout.isGroups()) {
        return ContiguousBlocks{layout.rows(), layout.rowLength(), layout.groupSize(),
                                layout.blocksPerRow()};
    }
    if (layout.slicesContiguous()) {
        return ContiguousBlocks{1, layout.elementCount(), layout.sliceSize(0), layout.sliceCount()};
    }
    return std::nullopt;
}

// One worker's scratch and partial sums.
struct WorkerState {
    std::vector<float> sanitized;
    std::vector<float> gathered;
    std::vector<float> dequantized;
    std::vector<std::int32_t> codes;
    CompensatedSum sumError;
    CompensatedSum sumSquaredError;
    CompensatedSum sumSquares;
    double minError = kInf;
    double maxError = -kInf;
    std::int64_t count = 0;
    std::int64_t clipped = 0;
    double storageBits = 0.0;
    std::vector<std::int64_t> codeCounts; // kCountLanes interleaved tables when small
    std::map<std::int32_t, std::int64_t> otherCodes;
    ErrorViewTables views;

    explicit WorkerState(const ErrorViewBins& bins)
        : views(bins)
    {
    }
};

class Pass {
public:
    Pass(std::span<const float> values, const SliceLayout& layout, const BlockQuantizer& quantizer,
         const PassOptions& options)
        : m_values(values)
        , m_layout(layout)
        , m_quantizer(quantizer)
        , m_options(options)
        , m_codeRange(quantizer.codeRange())
    {
        if (m_codeRange &&
            std::int64_t(m_codeRange->second) - m_codeRange->first + 1 > kMaxCodeTable) {
            m_codeRange.reset();
        }
    }

    PassResult run()
    {
        PassResult result;
        const std::int64_t slices = m_layout.sliceCount();
        if (m_options.apply) {
            result.applied.emplace();
            result.applied->codes.resize(m_values.size());
            result.applied->dequantized.resize(m_values.size());
            m_applied = &*result.applied;
        }
        if (m_options.keepBlocks) {
            result.blocks.resize(static_cast<std::size_t>(slices));
            m_blocks = result.blocks;
        }
        if (m_options.keepCodebooks) {
            result.codebooks.resize(static_cast<std::size_t>(slices));
            m_codebooks = result.codebooks;
        }
        m_workers.assign(static_cast<std::size_t>(hardwareThreads()), WorkerState(m_options.views));
        if (m_codeRange) {
            m_codeTable = std::int64_t(m_codeRange->second) - m_codeRange->first + 1;
            m_countLanes = m_codeTable <= kInterleavedCodeTable ? kCountLanes : 1;
        }
        for (WorkerState& worker : m_workers) {
            worker.codeCounts.assign(static_cast<std::size_t>(m_codeTable * m_countLanes), 0);
        }

        if (const auto blocks = contiguousBlocks(m_layout)) {
            const std::int64_t grain = std::max<std::int64_t>(1, kRunValues / blocks->blockSize);
            parallelFor(slices, grain, [&](std::int64_t begin, std::int64_t end, int worker) {
                runBlocks(m_workers[worker], *blocks, begin, end);
            });
        } else {
            parallelFor(slices, 1, [&](std::int64_t begin, std::int64_t end, int worker) {
                for (std::int64_t s = begin; s < end; ++s) {
                    runGatheredSlice(m_workers[worker], s);
                }
            });
        }
        merge(result);
        return result;
    }

private:
    // Blocks [begin, end) of a contiguous layout, one run per row they touch.
    void runBlocks(WorkerState& worker, const ContiguousBlocks& blocks, std::int64_t begin,
                   std::int64_t end)
    {
        while (begin < end) {
            const std::int64_t row = begin / blocks.blocksPerRow;
            const std::int64_t rowEnd = std::min(end, (row + 1) * blocks.blocksPerRow);
            const std::int64_t rowStart = row * blocks.rowLength;
            const std::int64_t first =
                rowStart + (begin - row * blocks.blocksPerRow) * blocks.blockSize;
            const std::int64_t last =
                std::min(rowStart + blocks.rowLength,
                         rowStart + (rowEnd - row * blocks.blocksPerRow) * blocks.blockSize);
            runValues(worker, m_values.subspan(first, last - first), blocks.blockSize, begin,
                      rowEnd - begin, first, -1);
            begin = rowEnd;
        }
    }

    void runGatheredSlice(WorkerState& worker, std::int64_t s)
    {
        const std::int64_t size = m_layout.sliceSize(s);
        worker.gathered.resize(static_cast<std::size_t>(size));
        m_layout.gatherInto(m_values, s, worker.gathered);
        runValues(worker, worker.gathered, size, s, 1, -1, s);
    }

    // One run through the quantizer. `offset` >= 0: the run's place in the tensor (outputs go
    // straight there); else `scatterSlice` names the slice its outputs are scattered to.
    void runValues(WorkerState& worker, std::span<const float> stored, std::int64_t blockSize,
                   std::int64_t firstBlock, std::int64_t blockCount, std::int64_t offset,
                   std::int64_t scatterSlice)
    {
        const std::size_t n = stored.size();
        const bool finite = kernels::allFinite(stored.data(), n);
        std::span<const float> values = stored;
        if (!finite) {
            worker.sanitized.resize(n);
            kernels::replaceNonFinite(stored.data(), n, worker.sanitized.data());
            values = worker.sanitized;
        }
        std::span<float> dequantized;
        std::span<std::int32_t> codes;
        if (m_applied != nullptr && offset >= 0) {
            dequantized = std::span<float>(m_applied->dequantized).subspan(offset, n);
            codes = std::span<std::int32_t>(m_applied->codes).subspan(offset, n);
        } else {
            worker.dequantized.resize(n);
            worker.codes.resize(n);
            dequantized = worker.dequantized;
            codes = worker.codes;
        }
        BlockRun run{values, stored, blockSize, dequantized, codes, {}, {}};
        if (!m_blocks.empty()) {
            run.blocks = m_blocks.subspan(firstBlock, blockCount);
        }
        if (!m_codebooks.empty()) {
            run.codebooks = m_codebooks.subspan(firstBlock, blockCount);
        }
        const BlockRunStats stats = m_quantizer.quantize(run);
        worker.clipped += stats.clipped;
        worker.storageBits += stats.storageBits;

        if (m_options.metrics) {
            const kernels::RunSums sums = kernels::sumRun(stored.data(), dequantized.data(), n);
            worker.count += sums.count;
            worker.sumError += sums.sumError;
            worker.sumSquaredError += sums.sumSquaredError;
            worker.sumSquares += sums.sumSquares;
            if (sums.count > 0) {
                worker.minError = std::min(worker.minError, sums.minError);
                worker.maxError = std::max(worker.maxError, sums.maxError);
            }
            countCodes(worker, stored, codes, finite);
        }
        if (m_options.views.any()) {
            worker.views.add(stored, dequantized);
        }
        if (m_applied != nullptr && offset < 0) {
            m_layout.scatter<float>(dequantized, scatterSlice, m_applied->dequantized);
            m_layout.scatter<std::int32_t>(codes, scatterSlice, m_applied->codes);
        }
    }

    void countCodes(WorkerState& worker, std::span<const float> stored,
                    std::span<const std::int32_t> codes, bool allFinite)
    {
        const std::int64_t low = m_codeRange ? m_codeRange->first : 0;
        const auto count = [&](std::size_t i, std::int64_t* table) {
            const std::int64_t slot = std::int64_t(codes[i]) - low;
            if (slot >= 0 && slot < m_codeTable) {
                ++table[slot];
            } else {
                ++worker.otherCodes[codes[i]];
            }
        };
        std::int64_t* tables = worker.codeCounts.data();
        std::size_t i = 0;
        if (allFinite && m_countLanes == kCountLanes) {
            for (; i + kCountLanes <= codes.size(); i += kCountLanes) {
                for (int lane = 0; lane < kCountLanes; ++lane) {
                    count(i + lane, tables + lane * m_codeTable);
                }
            }
        }
        for (; i < codes.size(); ++i) {
            if (allFinite || std::isfinite(stored[i])) {
                count(i, tables);
            }
        }
    }

    void merge(PassResult& result)
    {
        CompensatedSum sumError;
        CompensatedSum sumSquaredError;
        CompensatedSum sumSquares;
        std::int64_t count = 0;
        std::int64_t clipped = 0;
        double minError = kInf;
        double maxError = -kInf;
        std::vector<std::int64_t> codeCounts(static_cast<std::size_t>(m_codeTable), 0);
        std::map<std::int32_t, std::int64_t> otherCodes;
        startErrorViews(m_options.views, result.profile, result.errorHistogram);
        for (const WorkerState& worker : m_workers) {
            sumError += worker.sumError;
            sumSquaredError += worker.sumSquaredError;
            sumSquares += worker.sumSquares;
            count += worker.count;
            clipped += worker.clipped;
            result.storageBits += worker.storageBits;
            minError = std::min(minError, worker.minError);
            maxError = std::max(maxError, worker.maxError);
            for (std::size_t k = 0; k < worker.codeCounts.size(); ++k) {
                codeCounts[k % codeCounts.size()] += worker.codeCounts[k];
            }
            for (const auto& [code, population] : worker.otherCodes) {
                otherCodes[code] += population;
            }
            worker.views.addTo(result.profile, result.errorHistogram);
        }
        if (m_options.metrics) {
            result.nonFinite = static_cast<std::int64_t>(m_values.size()) - count;
        }
        Metrics& m = result.metrics;
        m.count = count;
        if (count == 0) {
            return;
        }
        result.minError = minError;
        result.maxError = maxError;
        const double n = double(count);
        const double sse = std::max(0.0, sumSquaredError.value());
        const double signal = sumSquares.value();
        m.mse = sse / n;
        m.rmse = std::sqrt(m.mse);
        if (sse > 0.0 && signal > 0.0) {
            m.sqnrDb = 10.0 * std::log10(signal / sse);
        }
        m.maxAbsError = std::max(std::abs(minError), std::abs(maxError));
        m.meanError = sumError.value() / n;
        m.clippedFraction = double(clipped) / n;
        const auto addLevel = [&](std::int64_t population) {
            if (population > 0) {
                const double p = double(population) / n;
                m.entropyBits -= p * std::log2(p);
                ++m.levelsUsed;
            }
        };
        for (std::int64_t population : codeCounts) {
            addLevel(population);
        }
        for (const auto& [code, population] : otherCodes) {
            addLevel(population);
        }
        m.entropyBits = std::max(0.0, m.entropyBits); // −0 for a single code
    }

    std::span<const float> m_values;
    const SliceLayout& m_layout;
    const BlockQuantizer& m_quantizer;
    const PassOptions& m_options;
    std::optional<std::pair<std::int32_t, std::int32_t>> m_codeRange;
    std::int64_t m_codeTable = 0; // slots per count table
    int m_countLanes = 1;
    AppliedTensor* m_applied = nullptr;
    std::span<BlockInfo> m_blocks;
    std::span<Codebook> m_codebooks;
    std::vector<WorkerState> m_workers;
};

} // namespace

PassResult runBlockPass(std::span<const float> values, const SliceLayout& layout,
                        const BlockQuantizer& quantizer, const PassOptions& options)
{
    if (static_cast<std::int64_t>(values.size()) != layout.elementCount()) {
        throw InputError("block pass: the layout does not match the tensor's size");
    }
    return Pass(values, layout, quantizer, options).run();
}

Codebook BlockScheme::designResolved(const Distribution&, const Params&) const
{
    throw UsageError("scheme '" + id() +
                     "' scales each block of the tensor on its own: it has no single codebook");
}

} // namespace quantscope
