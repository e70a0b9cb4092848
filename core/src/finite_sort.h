#pragma once

#include "quantscope/distribution.h"
#include "quantscope/populated_array.h"

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace quantscope {

// Called once the output range [begin, end) holds its final sorted values, possibly from several
// threads at once for disjoint ranges; together the ranges cover the whole output.
using SortedRangeCallback = std::function<void(std::int64_t begin, std::int64_t end)>;

// Sorts the finite values of a float32 array into a separate output, ascending with -0 before +0,
// on all cores; NaN and ±Inf are counted and left out.
//
// Large inputs take three passes: count the values per 16-bit key prefix (and the non-finite
// ones), scatter each value into its bucket of the output (consecutive prefixes grouped into a
// few hundred buckets of 2^17 to 2^21 values), then sort the buckets in place with
// Highway's vqsort, largest first. What is sorted are order-preserving uint32 keys, written by
// the scatter and turned back into floats right after each bucket's sort. No memory beyond the
// output and a few small tables.
class FiniteSorter {
public:
    // The counting pass. Throws Cancelled when `progress` asks for it.
    FiniteSorter(std::span<const float> values, const ProgressCallback& progress = {});

    std::int64_t finiteCount() const { return m_finite; }
    std::int64_t nonFiniteCount() const { return std::int64_t(m_values.size()) - m_finite; }

    // Fills out[0, finiteCount()) and calls `sorted` for each finished range. `out` must be raw
    // storage (heap or mapped): it holds uint32 sort keys before the values. Progress runs from
    // 0 to 1 over this step; throws Cancelled when `progress` asks for it.
    void sortInto(float* out, const ProgressCallback& progress, const SortedRangeCallback& sorted);

private:
    static constexpr int kBinBits = 16; // counted per 16-bit key prefix
    static constexpr std::size_t kBins = std::size_t{1} << kBinBits;

    struct Bucket {
        std::int64_t begin = 0;
        std::int64_t end = 0;
    };

    void sortSmall(float* out, const SortedRangeCallback& sorted) const;
    void planBuckets();
    std::uint32_t* binCounts(std::int64_t chunk) { return &m_binCounts[chunk << kBinBits]; }

    std::span<const float> m_values;
    int m_workers = 1;
    std::int64_t m_finite = 0;
    std::int64_t m_chunkSize = 0;
    std::int64_t m_chunks = 0;                 // 0 when the input was small enough to sort whole
    PopulatedArray<std::uint32_t> m_binCounts; // kBins per chunk
    std::vector<std::uint16_t> m_bucketOfBin;
    std::vector<Bucket> m_buckets;
};

} // namespace quantscope
