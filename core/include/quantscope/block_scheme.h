#pragma once

#include "quantscope/codebook.h"
#include "quantscope/granularity.h"
#include "quantscope/params.h"
#include "quantscope/scheme.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace quantscope {

// What one block was given, for views and reports: its scale (the step of its grid in value
// units: MX's 2^e, NVFP4's decoded E4M3 scale × tensor scale, a linear scale, ggml's d) and the
// lowest and highest values it can represent.
struct BlockInfo {
    float scale = 0.0f;
    float low = 0.0f;
    float high = 0.0f;
};

// Consecutive blocks of one slice handed to a BlockQuantizer. `values` starts at a block
// boundary and holds whole blocks of `blockSize`, except that the last may be shorter (the end of
// a row, or a slice that is one block). Non-finite values are already replaced by 0 in `values`;
// `stored` holds them as the tensor does (only codebook schemes, which leave them out of their
// design, look at it).
struct BlockRun {
    std::span<const float> values;
    std::span<const float> stored;
    std::int64_t blockSize = 0;
    std::span<float> dequantized;  // same length as values
    std::span<std::int32_t> codes; // same length as values
    std::span<BlockInfo> blocks;   // one per block, or empty when nobody asked
    std::span<Codebook> codebooks; // one per block, or empty when nobody asked
};

// What a run cost and clipped.
struct BlockRunStats {
    std::int64_t clipped = 0; // values in the overload region (see Metrics::clippedFraction)
    double storageBits = 0.0; // codes and per-block side information (scales, minimums, tables)
};

// A scheme designed for one tensor: quantizes runs of blocks, any number at once and from any
// thread. The core runs it over the tensor in one parallel pass and derives the exact metrics,
// codes and dequantized values from what it writes (quantizeTensor, quantscope/quantize.h).
class BlockQuantizer {
public:
    virtual ~BlockQuantizer() = default;

    // Writes every value's dequantized value and integer code, and each block's BlockInfo (and
    // codebook) when the run asks for them.
    virtual BlockRunStats quantize(const BlockRun& run) const = 0;
    // The lowest and highest code quantize() writes, so level usage is counted in an array;
    // empty when unbounded (counted in a map, slower).
    virtual std::optional<std::pair<std::int32_t, std::int32_t>> codeRange() const = 0;
    // Bits stored once for the whole tensor (e.g. NVFP4's FP32 tensor scale).
    virtual double tensorBits() const { return 0.0; }
    // Key numbers of the design shown in reports (e.g. {"tensor_scale", s}).
    virtual std::vector<std::pair<std::string, double>> designNumbers() const { return {}; }
};

// Where a block scheme's blocks lie: runs of `size` consecutive values along the last axis.
struct BlockStructure {
    std::int64_t size = 32;
    // The last axis must be a whole number of blocks (ggml's formats); else a short last block is
    // quantized like the others.
    bool wholeBlocksOnly = false;
};

// The tensor the quantizer is designed for, as far as a block scheme may need it.
struct TensorSummary {
    Shape shape;
    double maxAbs = 0.0; // over the finite values
};

// A block-scaled scheme (OCP MX, NVFP4, ggml's types): every block of the tensor gets its own
// scale on a shared element grid, so there is no single codebook. design() from a Distribution
// throws UsageError; quantizeTensor() runs the scheme over the tensor instead. A new format is
// one small file: declare the block structure, quantize a run of blocks, report the storage.
class BlockScheme : public Scheme {
public:
    const BlockScheme* asBlockScheme() const final { return this; }

    virtual BlockStructure blockStructure(const Params& resolved) const = 0;
    // `resolved` comes from resolve(); throws UsageError or InputError.
    virtual std::unique_ptr<BlockQuantizer> makeQuantizer(const Params& resolved,
                                                          const TensorSummary& tensor) const = 0;

protected:
    Codebook designResolved(const Distribution& dist, const Params& params) const final;
};

} // namespace quantscope
