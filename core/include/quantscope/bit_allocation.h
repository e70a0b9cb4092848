#pragma once

#include "quantscope/model_report.h"

#include <optional>
#include <string>
#include <vector>

namespace quantscope {

struct TensorAllocation {
    std::string name;
    int bits = 0;
    std::string variant; // the chosen format of a scheme chosen by format
    double bpw = 0.0;
};

// Per-tensor bit widths of one scheme under a bits-per-weight budget: the choice minimizing the
// parameter-weighted noise Σ n_t·10^(−SQNR_t/10) subject to Σ n_t·bpw_t ≤ budget·Σ n_t.
struct BitAllocation {
    std::string scheme;
    double budgetBits = 0.0;
    double averageBits = 0.0; // Σ n_t·bpw_t / Σ n_t of the choice
    std::optional<double> sqnrDb;
    double bytes = 0.0;
    std::vector<TensorAllocation> tensors; // file order
    bool provenOptimal = true;             // false only when the search hit its node limit
    // The uniform choice at the same budget: the best single setting (bit width or format) for
    // every tensor that fits.
    std::optional<int> uniformBits;
    std::string uniformVariant;
    std::optional<double> uniformSqnrDb;
};

// The optimum of this multiple-choice knapsack: each tensor's options are its results for
// `scheme` (dominated ones dropped); a Lagrangian relaxation over each tensor's convex hull gives
// bounds for a branch and bound that returns the exact optimum. Throws InputError when the
// scheme has no usable result on some tensor or the budget is below the smallest choice, and
// UsageError for a scheme the report does not hold.
BitAllocation allocateBits(const ModelReport& report, const std::string& scheme, double budgetBits);

} // namespace quantscope
