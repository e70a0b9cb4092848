#include "quantscope/demo.h"

#include "quantscope/errors.h"

#include <cmath>
#include <cstdint>
#include <numbers>

namespace quantscope {
namespace {

// SplitMix64 and our own transforms: std:: distributions differ between standard libraries,
// and the demos must be the same tensor on every machine.
class DemoRandom {
public:
    explicit DemoRandom(std::uint64_t seed)
        : m_state(seed)
    {
    }

    std::uint64_t next()
    {
        std::uint64_t z = (m_state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    // Uniform in (0, 1): never exactly 0, so logarithms are safe.
    double uniform() { return (double(next() >> 11) + 0.5) * 0x1.0p-53; }
    double normal()
    {
        return std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * std::numbers::pi * uniform());
    }
    double laplace()
    {
        const double u = uniform() - 0.5;
        return (u < 0 ? 1.0 : -1.0) * std::log(1.0 - 2.0 * std::abs(u));
    }

private:
    std::uint64_t m_state;
};

constexpr double kWeightStd = 0.02; // typical of trained linear/conv layers

Shape demoShape(std::int64_t elements)
{
    constexpr std::int64_t kSide = 1024;
    if (elements == kSide * kSide) {
        return {kSide, kSide};
    }
    return {elements};
}

} // namespace

const std::vector<DemoInfo>& demoTensors()
{
    static const std::vector<DemoInfo> demos = {
        {"gaussian", "weights ~ N(0, 0.02²)"},
        {"laplacian", "weights ~ Laplace with standard deviation 0.02"},
        {"relu", "ReLU activations: about 58% exact zeros and a long log-normal tail"},
        {"outliers", "N(0, 0.02²) weights with 64 outliers of magnitude 0.5 to 1.5"},
    };
    return demos;
}

Tensor makeDemoTensor(const std::string& name, std::int64_t elements)
{
    if (elements < 1) {
        throw UsageError("a demo tensor needs at least one element");
    }
    std::vector<float> values(static_cast<std::size_t>(elements));
    if (name == "gaussian") {
        DemoRandom random(1);
        for (float& v : values) {
            v = float(kWeightStd * random.normal());
        }
    } else if (name == "laplacian") {
        DemoRandom random(2);
        for (float& v : values) {
            v = float(kWeightStd / std::numbers::sqrt2 * random.laplace());
        }
    } else if (name == "relu") {
        DemoRandom random(3);
        for (float& v : values) {
            const double pre = random.normal() - 0.2;
            v = pre > 0 ? float(pre * std::exp(0.5 * random.normal())) : 0.0f;
        }
    } else if (name == "outliers") {
        DemoRandom random(4);
        for (float& v : values) {
            v = float(kWeightStd * random.normal());
        }
        constexpr int kOutliers = 64;
        for (int i = 0; i < kOutliers; ++i) {
            const auto at = static_cast<std::size_t>(random.next() % values.size());
            const double magnitude = 0.5 + random.uniform();
            values[at] = float(random.uniform() < 0.5 ? -magnitude : magnitude);
        }
    } else {
        std::string known;
        for (const auto& demo : demoTensors()) {
            known += (known.empty() ? "" : ", ") + demo.name;
        }
        throw UsageError("unknown demo tensor 'demo:" + name + "' (known: " + known + ")");
    }
    return Tensor(name, demoShape(elements), std::move(values), "float32");
}

} // namespace quantscope
