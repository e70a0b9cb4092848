#include "quantscope/bit_allocation.h"

#include "quantscope/errors.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace quantscope {

namespace {

// Nodes the branch and bound may visit; real models finish in a small fraction of this.
constexpr long kNodeLimit = 20'000'000;
// Budget comparisons allow for rounding in Σ n·bpw.
constexpr double kCapacityTolerance = 1e-12;

struct Option {
    double cost = 0.0;  // n·bpw
    double value = 0.0; // n·noise ratio
    const ReportResult* result = nullptr;
};

// Moving a tensor one step up its convex hull: more cost, less noise.
struct Upgrade {
    std::size_t item = 0;
    double cost = 0.0;
    double gain = 0.0;
    double efficiency() const { return gain / cost; }
};

struct Item {
    const TensorReport* tensor = nullptr;
    std::vector<Option> options; // undominated, by cost ascending (value descending)
};

// The tensor's options without dominated ones (costlier and no less noisy).
std::vector<Option> undominated(std::vector<Option> options)
{
    std::sort(options.begin(), options.end(), [](const Option& a, const Option& b) {
        return a.cost != b.cost ? a.cost < b.cost : a.value < b.value;
    });
    std::vector<Option> kept;
    for (const Option& option : options) {
        if (kept.empty() || option.value < kept.back().value) {
            kept.push_back(option);
        }
    }
    return kept;
}

// The lower convex hull of the options, as upgrades from the cheapest one, efficiencies
// strictly decreasing.
std::vector<Upgrade> hullUpgrades(const Item& item, std::size_t index)
{
    std::vector<const Option*> hull;
    for (const Option& option : item.options) {
        while (hull.size() >= 2) {
            const Option& a = *hull[hull.size() - 2];
            const Option& b = *hull.back();
            // b lies on or above the segment a–option: not on the lower hull.
            const double cross = (b.cost - a.cost) * (option.value - a.value) -
                                 (b.value - a.value) * (option.cost - a.cost);
            if (cross > 0.0) {
                break;
            }
            hull.pop_back();
        }
        hull.push_back(&option);
    }
    std::vector<Upgrade> upgrades;
    for (std::size_t k = 1; k < hull.size(); ++k) {
        upgrades.push_back(
            {index, hull[k]->cost - hull[k - 1]->cost, hull[k - 1]->value - hull[k]->value});
    }
    return upgrades;
}

class BranchAndBound {
public:
    BranchAndBound(std::vector<Item> items, double capacity)
        : m_items(std::move(items))
        , m_capacity(capacity * (1.0 + kCapacityTolerance))
    {
        for (std::size_t i = 0; i < m_items.size(); ++i) {
            for (const Upgrade& upgrade : hullUpgrades(m_items[i], i)) {
                m_upgrades.push_back(upgrade);
            }
        }
        std::stable_sort(
            m_upgrades.begin(), m_upgrades.end(),
            [](const Upgrade& a, const Upgrade& b) { return a.efficiency() > b.efficiency(); });
        orderItems();
    }

    // The chosen option of each item (in the items' original order).
    std::vector<std::size_t> solve()
    {
        m_choice.assign(m_items.size(), 0);
        m_best = greedyChoice();
        m_bestValue = totalValue(m_best);
        dfs(0, 0.0, 0.0);
        return m_best;
    }

    bool provenOptimal() const { return m_nodes < kNodeLimit; }

private:
    // Branch first on the tensors whose hull crosses the relaxation's threshold efficiency: the
    // ones the integer optimum is least sure about.
    void orderItems()
    {
        const double threshold = relaxationThreshold();
        std::vector<double> distance(m_items.size(), std::numeric_limits<double>::infinity());
        for (const Upgrade& upgrade : m_upgrades) {
            const double d = std::abs(std::log(upgrade.efficiency() / threshold));
            distance[upgrade.item] = std::min(distance[upgrade.item], d);
        }
        m_order.resize(m_items.size());
        std::iota(m_order.begin(), m_order.end(), std::size_t{0});
        std::stable_sort(m_order.begin(), m_order.end(),
                         [&](std::size_t a, std::size_t b) { return distance[a] < distance[b]; });
        m_depthOf.resize(m_items.size());
        for (std::size_t d = 0; d < m_order.size(); ++d) {
            m_depthOf[m_order[d]] = d;
        }
        // Cheapest cost and its value of the items from each depth on.
        m_suffixCost.assign(m_items.size() + 1, 0.0);
        m_suffixValue.assign(m_items.size() + 1, 0.0);
        for (std::size_t d = m_items.size(); d-- > 0;) {
            const Option& cheapest = m_items[m_order[d]].options.front();
            m_suffixCost[d] = m_suffixCost[d + 1] + cheapest.cost;
            m_suffixValue[d] = m_suffixValue[d + 1] + cheapest.value;
        }
    }

    double relaxationThreshold() const
    {
        double room = m_capacity;
        for (const Item& item : m_items) {
            room -= item.options.front().cost;
        }
        for (const Upgrade& upgrade : m_upgrades) {
            if (upgrade.cost > room) {
                return upgrade.efficiency();
            }
            room -= upgrade.cost;
        }
        return m_upgrades.empty() ? 1.0 : m_upgrades.back().efficiency();
    }

    // The relaxation's lower bound on the noise of the items from `depth` on within `room`.
    double bound(std::size_t depth, double room) const
    {
        room -= m_suffixCost[depth];
        if (room < 0.0) {
            return std::numeric_limits<double>::infinity();
        }
        double value = m_suffixValue[depth];
        for (const Upgrade& upgrade : m_upgrades) {
            if (m_depthOf[upgrade.item] < depth) {
                continue;
            }
            if (upgrade.cost <= room) {
                room -= upgrade.cost;
                value -= upgrade.gain;
            } else {
                return value - upgrade.gain * room / upgrade.cost;
            }
        }
        return value;
    }

    // The relaxation rounded down: whole hull upgrades in order of efficiency while they fit
    // (an item stops at its first upgrade that does not).
    std::vector<std::size_t> greedyChoice() const
    {
        std::vector<double> reached(m_items.size());
        std::vector<bool> stopped(m_items.size(), false);
        for (std::size_t i = 0; i < m_items.size(); ++i) {
            reached[i] = m_items[i].options.front().cost;
        }
        double room = m_capacity - m_suffixCost[0];
        for (const Upgrade& upgrade : m_upgrades) {
            if (stopped[upgrade.item] || upgrade.cost > room) {
                stopped[upgrade.item] = true;
                continue;
            }
            room -= upgrade.cost;
            reached[upgrade.item] += upgrade.cost;
        }
        // The hull vertex reached is the costliest option within that cost.
        std::vector<std::size_t> choice(m_items.size(), 0);
        for (std::size_t i = 0; i < m_items.size(); ++i) {
            const auto& options = m_items[i].options;
            for (std::size_t o = 0; o < options.size(); ++o) {
                if (options[o].cost <= reached[i] * (1.0 + kCapacityTolerance)) {
                    choice[i] = o;
                }
            }
        }
        return choice;
    }

    double totalValue(const std::vector<std::size_t>& choice) const
    {
        double value = 0.0;
        for (std::size_t i = 0; i < m_items.size(); ++i) {
            value += m_items[i].options[choice[i]].value;
        }
        return value;
    }

    void dfs(std::size_t depth, double cost, double value)
    {
        if (++m_nodes >= kNodeLimit) {
            return;
        }
        if (depth == m_items.size()) {
            if (value < m_bestValue) {
                m_bestValue = value;
                m_best = m_choice;
            }
            return;
        }
        if (value + bound(depth, m_capacity - cost) >= m_bestValue) {
            return;
        }
        const std::size_t item = m_order[depth];
        const auto& options = m_items[item].options;
        // Least noisy first, so good solutions are met early.
        for (std::size_t o = options.size(); o-- > 0;) {
            if (cost + options[o].cost + m_suffixCost[depth + 1] > m_capacity) {
                continue;
            }
            m_choice[item] = o;
            dfs(depth + 1, cost + options[o].cost, value + options[o].value);
        }
    }

    std::vector<Item> m_items;
    double m_capacity;
    std::vector<Upgrade> m_upgrades; // every item's hull upgrades, by efficiency descending
    std::vector<std::size_t> m_order;
    std::vector<std::size_t> m_depthOf;
    std::vector<double> m_suffixCost;
    std::vector<double> m_suffixValue;
    std::vector<std::size_t> m_choice;
    std::vector<std::size_t> m_best;
    double m_bestValue = 0.0;
    long m_nodes = 0;
};

} // namespace

BitAllocation allocateBits(const ModelReport& report, const std::string& scheme, double budgetBits)
{
    if (std::find(report.schemes.begin(), report.schemes.end(), scheme) == report.schemes.end()) {
        throw UsageError("report: --scheme " + scheme + " is not among the report's schemes");
    }
    BitAllocation allocation;
    allocation.scheme = scheme;
    allocation.budgetBits = budgetBits;

    std::vector<Item> items;
    double parameters = 0.0;
    double cheapest = 0.0;
    for (const TensorReport& tensor : report.tensors) {
        if (!tensor.skipReason.empty()) {
            continue;
        }
        const auto n = static_cast<double>(tensor.parameters());
        Item item{&tensor, {}};
        for (const ReportResult& result : tensor.results) {
            if (result.scheme == scheme && result.metrics) {
                const double noise = noiseRatio(*result.metrics);
                if (std::isfinite(noise)) {
                    item.options.push_back({n * result.bpw, n * noise, &result});
                }
            }
        }
        if (item.options.empty()) {
            // Say why when the scheme refused the tensor (e.g. ggml's rows of whole blocks).
            std::string why;
            for (const ReportResult& result : tensor.results) {
                if (result.scheme == scheme && !result.error.empty()) {
                    why = " (" + result.error + ")";
                    break;
                }
            }
            throw InputError(report.file + ": " + scheme + " has no usable result on tensor '" +
                             tensor.name + "'" + why);
        }
        item.options = undominated(std::move(item.options));
        parameters += n;
        cheapest += item.options.front().cost;
        items.push_back(std::move(item));
    }
    const double capacity = budgetBits * parameters;
    if (cheapest > capacity * (1.0 + kCapacityTolerance)) {
        throw InputError(report.file + ": a budget of " + std::to_string(budgetBits) +
                         " bits per weight is below the smallest choice of " + scheme + " (" +
                         std::to_string(parameters > 0 ? cheapest / parameters : 0.0) + ")");
    }

    BranchAndBound search(items, capacity);
    const std::vector<std::size_t> choice = search.solve();
    allocation.provenOptimal = search.provenOptimal();
    double cost = 0.0;
    double noise = 0.0;
    for (std::size_t i = 0; i < items.size(); ++i) {
        const Option& option = items[i].options[choice[i]];
        cost += option.cost;
        noise += option.value;
        allocation.tensors.push_back({items[i].tensor->name, option.result->bits,
                                      option.result->variant, option.result->bpw});
    }
    allocation.averageBits = parameters > 0.0 ? cost / parameters : 0.0;
    allocation.bytes = cost / 8.0;
    allocation.sqnrDb = sqnrFromNoise(noise, parameters);

    // No error at all (an absent SQNR) beats every SQNR.
    const auto better = [](const std::optional<double>& a, const std::optional<double>& b) {
        return !a ? bool(b) : b && *a > *b;
    };
    for (const ReportTotal& total : reportTotals(report)) {
        if (total.scheme == scheme && total.failedTensors == 0 &&
            total.bpw <= budgetBits * (1.0 + kCapacityTolerance) &&
            (!allocation.uniformBits || better(total.sqnrDb, allocation.uniformSqnrDb))) {
            allocation.uniformBits = total.bits;
            allocation.uniformVariant = total.variant;
            allocation.uniformSqnrDb = total.sqnrDb;
        }
    }
    return allocation;
}

} // namespace quantscope
