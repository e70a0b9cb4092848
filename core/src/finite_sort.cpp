#include "finite_sort.h"

#include "quantscope/errors.h"
#include "quantscope/parallel.h"
#include "quantscope/simd_targets.h"

#include <hwy/contrib/sort/vqsort.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <bit>
#include <cstdint>
#include <new>
#include <numeric>

namespace quantscope {
namespace {

// Buckets of about n / kBucketsWanted values, within [kMinBucket, kMaxBucket]: few enough that
// the scatter's write positions stay in L1 and the TLB (a few hundred), large enough to sort
// well, small enough to sort in L2 or near it.
constexpr std::int64_t kBucketsWanted = 256;
constexpr std::int64_t kMinBucket = std::int64_t{1} << 17;
constexpr std::int64_t kMaxBucket = std::int64_t{1} << 21;
// Inputs up to this size are filtered and sorted in one piece on the calling thread.
constexpr std::int64_t kSmallSort = std::int64_t{1} << 17;
// Counting and scattering work on chunks of at least this many values, a few per thread (each
// chunk keeps its own bin counts), with 32-bit counts.
constexpr std::int64_t kMinChunk = std::int64_t{1} << 18;
constexpr std::int64_t kMaxChunk = std::int64_t{1} << 31;
constexpr int kChunksPerWorker = 4;

// Monotone map float -> uint32: flip all bits of negatives, only the sign bit of positives. Keys
// are what gets sorted: their order puts -0 before +0, and integer comparisons keep every value
// as it was (float min/max would turn -0 into +0).
std::uint32_t sortKey(std::uint32_t bits)
{
    return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

std::uint32_t bitsOfKey(std::uint32_t key)
{
    return (key & 0x80000000u) ? (key & 0x7FFFFFFFu) : ~key;
}

// The sorted keys of [begin, end) turned back into their floats, in place.
void keysToValues(float* out, std::int64_t begin, std::int64_t end)
{
    const auto* keys = reinterpret_cast<const std::uint32_t*>(out);
    for (std::int64_t i = begin; i < end; ++i) {
        const float value = std::bit_cast<float>(bitsOfKey(keys[i]));
        new (out + i) float(value); // the storage now holds a float, no longer a key
    }
}

bool finiteBits(std::uint32_t bits)
{
    return (bits & 0x7F800000u) != 0x7F800000u;
}

// The 16-bit key prefixes of NaN and ±inf (exponent field all ones): 0000–007F for negative
// signs, FF80–FFFF for positive ones. No finite value shares them.
constexpr auto kNonFiniteBins = [] {
    std::array<std::uint32_t, 256> bins{};
    for (std::uint32_t k = 0; k < 128; ++k) {
        bins[k] = k;
        bins[128 + k] = 0xFF80u + k;
    }
    return bins;
}();

void sortKeys(const hwy::Sorter& sorter, std::uint32_t* begin, std::uint32_t* end)
{
    if (end - begin > 1) {
        sorter(begin, std::size_t(end - begin), hwy::SortAscending());
    }
}

bool report(const ProgressCallback& progress, double fraction)
{
    return !progress || progress(fraction);
}

} // namespace

FiniteSorter::FiniteSorter(std::span<const float> values, const ProgressCallback& progress)
    : m_values(values)
{
    chooseSimdTargets(); // before the first vqsort
    const auto n = std::int64_t(values.size());
    if (n <= kSmallSort) {
        m_finite = std::count_if(values.begin(), values.end(), [](float v) {
            return finiteBits(std::bit_cast<std::uint32_t>(v));
        });
        if (!report(progress, 1.0)) {
            throw Cancelled();
        }
        return;
    }
    m_workers = hardwareThreads();
    const std::int64_t wanted = std::min<std::int64_t>(std::int64_t(m_workers) * kChunksPerWorker,
                                                       (n + kMinChunk - 1) / kMinChunk);
    const std::int64_t chunks = std::max(wanted, (n + kMaxChunk - 1) / kMaxChunk);
    m_chunkSize = (n + chunks - 1) / chunks;
    m_chunks = (n + m_chunkSize - 1) / m_chunkSize;
    m_binCounts = PopulatedArray<std::uint32_t>(m_chunks * std::int64_t(kBins));
    std::vector<std::int64_t> finitePerChunk(m_chunks, 0);
    const float* data = values.data();
    parallelTasks(
        m_chunks, m_workers,
        [&](std::int64_t chunk, int) {
            std::uint32_t* counts = binCounts(chunk);
            std::fill(counts, counts + kBins, 0u);
            const std::int64_t begin = chunk * m_chunkSize;
            const std::int64_t end = std::min(n, begin + m_chunkSize);
            // Every value counted without a test: NaN and ±inf have bins of their own, emptied
            // afterwards.
            for (std::int64_t i = begin; i < end; ++i) {
                ++counts[sortKey(std::bit_cast<std::uint32_t>(data[i])) >> (32 - kBinBits)];
            }
            std::int64_t nonFinite = 0;
            for (std::uint32_t bin : kNonFiniteBins) {
                nonFinite += counts[bin];
                counts[bin] = 0;
            }
            finitePerChunk[chunk] = end - begin - nonFinite;
        },
        [&](std::int64_t done) { return report(progress, double(done) / double(m_chunks)); });
    m_finite = std::accumulate(finitePerChunk.begin(), finitePerChunk.end(), std::int64_t{0});
    planBuckets();
}

// Consecutive bins grouped into buckets (a bin holding more than a bucket's share is a bucket of
// its own).
void FiniteSorter::planBuckets()
{
    const std::int64_t target = std::clamp(m_finite / kBucketsWanted, kMinBucket, kMaxBucket);
    std::vector<std::int64_t> total(kBins, 0);
    for (std::int64_t chunk = 0; chunk < m_chunks; ++chunk) {
        const std::uint32_t* counts = binCounts(chunk);
        for (std::size_t bin = 0; bin < kBins; ++bin) {
            total[bin] += counts[bin];
        }
    }
    m_bucketOfBin.resize(kBins);
    Bucket current;
    for (std::uint32_t bin = 0; bin < kBins; ++bin) {
        const std::int64_t size = current.end - current.begin;
        if (size > 0 && size + total[bin] > target) {
            m_buckets.push_back(current);
            current = Bucket{current.end, current.end};
        }
        m_bucketOfBin[bin] = std::uint16_t(m_buckets.size());
        current.end += total[bin];
    }
    m_buckets.push_back(current);
}

void FiniteSorter::sortSmall(float* out, const SortedRangeCallback& sorted) const
{
    auto* keys = reinterpret_cast<std::uint32_t*>(out);
    std::int64_t count = 0;
    for (float v : m_values) {
        const auto bits = std::bit_cast<std::uint32_t>(v);
        if (finiteBits(bits)) {
            keys[count++] = sortKey(bits);
        }
    }
    thread_local const hwy::Sorter sorter;
    sortKeys(sorter, keys, keys + count);
    keysToValues(out, 0, count);
    if (sorted) {
        sorted(0, count);
    }
}

void FiniteSorter::sortInto(float* out, const ProgressCallback& progress,
                            const SortedRangeCallback& sorted)
{
    if (m_chunks == 0) {
        sortSmall(out, sorted);
        if (!report(progress, 1.0)) {
            throw Cancelled();
        }
        return;
    }
    // The output first holds the keys (as uint32), each bucket its values once sorted.
    auto* keys = reinterpret_cast<std::uint32_t*>(out);
    const auto n = std::int64_t(m_values.size());
    const std::int64_t chunks = m_chunks;
    const std::size_t buckets = m_buckets.size();
    // Where each chunk's values of each bucket go: after the same bucket's values of the chunks
    // before it.
    std::vector<std::vector<std::int64_t>> start(chunks, std::vector<std::int64_t>(buckets));
    std::vector<std::int64_t> next(buckets);
    for (std::size_t b = 0; b < buckets; ++b) {
        next[b] = m_buckets[b].begin;
    }
    for (std::int64_t c = 0; c < chunks; ++c) {
        std::vector<std::int64_t>& chunkStart = start[c];
        std::copy(next.begin(), next.end(), chunkStart.begin());
        const std::uint32_t* counts = binCounts(c);
        for (std::size_t bin = 0; bin < kBins; ++bin) {
            next[m_bucketOfBin[bin]] += counts[bin];
        }
    }

    // Scattering is about a third of the work, sorting the rest.
    constexpr double kScatterShare = 0.35;
    const float* data = m_values.data();
    parallelTasks(
        chunks, m_workers,
        [&](std::int64_t chunk, int) {
            std::vector<std::uint32_t*> target(buckets);
            for (std::size_t b = 0; b < buckets; ++b) {
                target[b] = keys + start[chunk][b];
            }
            const std::uint16_t* bucketOfBin = m_bucketOfBin.data();
            const std::int64_t begin = chunk * m_chunkSize;
            const std::int64_t end = std::min(n, begin + m_chunkSize);
            for (std::int64_t i = begin; i < end; ++i) {
                const auto bits = std::bit_cast<std::uint32_t>(data[i]);
                if (finiteBits(bits)) {
                    const std::uint32_t key = sortKey(bits);
                    *target[bucketOfBin[key >> (32 - kBinBits)]]++ = key;
                }
            }
        },
        [&](std::int64_t done) {
            return report(progress, kScatterShare * double(done) / double(chunks));
        });

    std::vector<std::size_t> order(buckets);
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return m_buckets[a].end - m_buckets[a].begin > m_buckets[b].end - m_buckets[b].begin;
    });
    const std::vector<hwy::Sorter> sorters(static_cast<std::size_t>(m_workers));
    std::atomic<std::int64_t> sortedValues{0};
    parallelTasks(
        std::int64_t(buckets), m_workers,
        [&](std::int64_t task, int worker) {
            const Bucket& bucket = m_buckets[order[task]];
            sortKeys(sorters[worker], keys + bucket.begin, keys + bucket.end);
            keysToValues(out, bucket.begin, bucket.end);
            if (sorted && bucket.end > bucket.begin) {
                sorted(bucket.begin, bucket.end);
            }
            sortedValues += bucket.end - bucket.begin;
        },
        [&](std::int64_t) {
            const double share = m_finite > 0 ? double(sortedValues) / double(m_finite) : 1.0;
            return report(progress, kScatterShare + (1.0 - kScatterShare) * share);
        });
}

} // namespace quantscope
