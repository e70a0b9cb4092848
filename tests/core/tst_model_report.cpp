// The whole-model report: its per-tensor results equal a direct design + metrics on each tensor,
// its totals the parameter-weighted formula, and part reports of every shard merge into exactly
// the whole report, through their JSON.
#include "quantscope/errors.h"
#include "quantscope/model_report.h"
#include "quantscope/quantize.h"
#include "quantscope/report_io.h"
#include "quantscope/report_runner.h"
#include "quantscope/scheme.h"

#include <QtTest>

#include <cmath>
#include <numeric>
#include <random>
#include <set>

using namespace quantscope;

namespace {

// Totals recomputed here from the definition, in double.
constexpr double kTotalsTolerance = 1e-12;

// A file of tensors held in memory.
class MemoryFile : public TensorFile {
public:
    explicit MemoryFile(std::vector<Tensor> tensors, std::vector<SkippedTensor> skipped = {})
        : m_values(std::move(tensors))
        , m_skipped(std::move(skipped))
    {
        for (const Tensor& tensor : m_values) {
            m_tensors.push_back({tensor.name(), tensor.shape(), tensor.sourceDtype()});
        }
    }
    const std::string& path() const override { return m_path; }
    const std::vector<TensorInfo>& tensors() const override { return m_tensors; }
    const std::vector<SkippedTensor>& skipped() const override { return m_skipped; }
    Tensor load(const std::string& name) const override
    {
        for (const Tensor& tensor : m_values) {
            if (tensor.name() == name) {
                return tensor;
            }
        }
        throw UsageError("no tensor " + name);
    }

private:
    std::string m_path = "memory";
    std::vector<Tensor> m_values;
    std::vector<TensorInfo> m_tensors;
    std::vector<SkippedTensor> m_skipped;
};

Tensor gaussian(const std::string& name, Shape shape, unsigned seed, float scale)
{
    std::mt19937 random(seed);
    std::normal_distribution<float> normal(0.0f, scale);
    std::vector<float> values(static_cast<std::size_t>(elementCount(shape)));
    for (float& value : values) {
        value = normal(random);
    }
    return Tensor(name, std::move(shape), std::move(values), "float32");
}

MemoryFile sampleModel()
{
    std::vector<Tensor> tensors;
    tensors.push_back(gaussian("embed", {64, 32}, 1, 1.0f));
    tensors.push_back(gaussian("layer.0.weight", {32, 32}, 2, 0.05f));
    tensors.push_back(gaussian("layer.0.bias", {32}, 3, 0.01f));
    tensors.push_back(Tensor("positions", {16}, std::vector<float>(16, 1.0f), "int64"));
    tensors.push_back(gaussian("layer.1.weight", {48, 32}, 4, 0.2f));
    Tensor outliers = gaussian("layer.2.weight", {128, 64}, 5, 0.1f);
    std::vector<float> values(outliers.values().begin(), outliers.values().end());
    values[7] = 4.0f; // a few large weights, as real layers have
    values[4000] = -6.5f;
    tensors.push_back(Tensor("layer.2.weight", outliers.shape(), std::move(values), "float32"));
    return MemoryFile(std::move(tensors), {{"tokenizer", "unsupported dtype string"}});
}

ReportOptions sampleOptions()
{
    ReportOptions options;
    options.schemes = {"symmetric", "asymmetric", "lloyd-max", "weq"};
    options.bits = {2, 4, 8};
    return options;
}

} // namespace

class TestModelReport : public QObject {
    Q_OBJECT

private slots:
    void resultsEqualDirectEvaluation();
    void blockScaledSchemesReportTheirBitsPerWeight();
    void integerTensorsAreLeftOutWithReason();
    void totalsFollowTheFormula();
    void shardsPartitionBalanced();
    void partsMergeIntoTheWhole();
    void mergeRefusesInconsistentParts();
    void jsonRoundTrips();
    void memoryBudgetAndThreadsDoNotChangeResults();
    void cancelStops();
};

void TestModelReport::resultsEqualDirectEvaluation()
{
    const MemoryFile file = sampleModel();
    const ModelReport report = runModelReport(file, "model", sampleOptions());
    QCOMPARE(report.tensors.size(), file.tensors().size());
    for (const TensorReport& tensor : report.tensors) {
        if (!tensor.skipReason.empty()) {
            continue;
        }
        const Tensor values = file.load(tensor.name);
        const Distribution dist(values.values());
        QCOMPARE(tensor.count, dist.count());
        QCOMPARE(tensor.results.size(), std::size_t{4 * 3});
        for (const ReportResult& result : tensor.results) {
            const Scheme& scheme = schemeById(result.scheme);
            const Metrics expected =
                computeMetrics(dist, scheme.design(dist, Params{{"bits", result.bits}}));
            QVERIFY2(result.metrics.has_value(), result.error.c_str());
            QCOMPARE(result.metrics->mse, expected.mse);
            QCOMPARE(result.metrics->sqnrDb, expected.sqnrDb);
            QCOMPARE(result.metrics->maxAbsError, expected.maxAbsError);
            QCOMPARE(result.metrics->levelsUsed, expected.levelsUsed);
            // Bits per weight with the codebook's scale or table.
            QCOMPARE(result.bpw, codebookBitsPerWeight(
                                     scheme, scheme.design(dist, Params{{"bits", result.bits}}),
                                     values.size()));
        }
    }
}

// MX and NVFP4 run their pass over each tensor: the same metrics and bits per weight as
// quantizeTensor; at a bit width without a variant, an error per tensor.
void TestModelReport::blockScaledSchemesReportTheirBitsPerWeight()
{
    const MemoryFile file = sampleModel();
    ReportOptions options;
    options.schemes = {"mx", "nvfp4"};
    options.bits = {4, 8}; // not used: both are chosen by format
    const ModelReport report = runModelReport(file, "model", options);
    int checked = 0;
    for (const TensorReport& tensor : report.tensors) {
        if (!tensor.skipReason.empty()) {
            continue;
        }
        const Tensor values = file.load(tensor.name);
        // Every MX element format, and NVFP4 once.
        QCOMPARE(tensor.results.size(), schemeById("mx").variants().size() + 1);
        for (const ReportResult& result : tensor.results) {
            QVERIFY2(result.metrics.has_value(), result.error.c_str());
            const Scheme& scheme = schemeById(result.scheme);
            const auto variants = scheme.variants();
            const auto variant =
                std::find_if(variants.begin(), variants.end(),
                             [&](const SchemeVariant& v) { return v.name == result.variant; });
            QVERIFY2(variant != variants.end(), result.variant.c_str());
            const QuantizedTensor direct = quantizeTensor(values, scheme, variant->params);
            QCOMPARE(result.metrics->mse, direct.metrics.mse);
            QCOMPARE(result.bpw, direct.bitsPerWeight);
            QCOMPARE(std::optional<int>(result.bits),
                     scheme.bitsOf(scheme.resolve(variant->params)));
            QVERIFY(result.bpw > result.bits); // the block scales cost bits
            ++checked;
        }
        // The explorer's 4 bits of MX is its FP4 variant.
        QCOMPARE(tensor.find("mx", 4)->variant, std::string("fp4"));
    }
    QVERIFY(checked > 0);
}

void TestModelReport::integerTensorsAreLeftOutWithReason()
{
    const ModelReport report = runModelReport(sampleModel(), "model", sampleOptions());
    QCOMPARE(report.tensors[3].name, std::string("positions"));
    QCOMPARE(report.tensors[3].skipReason,
             std::string("integer data (int64), not a weight to quantize"));
    QVERIFY(report.tensors[3].results.empty());
    QCOMPARE(report.skipped.size(), std::size_t{1});
    QCOMPARE(report.skipped.front().name, std::string("tokenizer"));
}

void TestModelReport::totalsFollowTheFormula()
{
    const ModelReport report = runModelReport(sampleModel(), "model", sampleOptions());
    const std::vector<ReportTotal> totals = reportTotals(report);
    QCOMPARE(totals.size(), std::size_t{4 * 3});
    for (const ReportTotal& total : totals) {
        double parameters = 0.0;
        double noise = 0.0;
        double bits = 0.0;
        for (const TensorReport& tensor : report.tensors) {
            if (!tensor.skipReason.empty()) {
                continue;
            }
            const ReportResult* result = tensor.find(total.scheme, total.bits);
            const double n = double(elementCount(tensor.shape));
            parameters += n;
            const auto& sqnr = result->metrics->sqnrDb;
            QVERIFY(sqnr || result->metrics->mse == 0.0); // absent only without error
            noise += sqnr ? n * std::pow(10.0, -*sqnr / 10.0) : 0.0;
            bits += n * result->bpw;
        }
        QCOMPARE(total.failedTensors, 0);
        const double expected = -10.0 * std::log10(noise / parameters);
        QVERIFY2(std::abs(*total.sqnrDb - expected) < kTotalsTolerance * std::abs(expected),
                 qPrintable(QStringLiteral("%1 at %2: %3 vs %4")
                                .arg(QString::fromStdString(total.scheme))
                                .arg(total.bits)
                                .arg(*total.sqnrDb, 0, 'g', 17)
                                .arg(expected, 0, 'g', 17)));
        QCOMPARE(total.bytes, bits / 8.0);
        QVERIFY(std::abs(total.bpw - bits / parameters) <= kTotalsTolerance * total.bpw);
    }
}

void TestModelReport::shardsPartitionBalanced()
{
    const std::vector<std::int64_t> sizes = {100, 5, 80, 80, 3, 60, 1, 40, 40, 20};
    for (int count : {1, 2, 3, 4, 11}) {
        std::multiset<std::size_t> seen;
        std::vector<std::int64_t> loads;
        for (int index = 1; index <= count; ++index) {
            const auto mine = shardTensors(sizes, {index, count});
            QVERIFY(std::is_sorted(mine.begin(), mine.end()));
            QCOMPARE(mine, shardTensors(sizes, {index, count})); // deterministic
            std::int64_t load = 0;
            for (std::size_t t : mine) {
                seen.insert(t);
                load += sizes[t];
            }
            loads.push_back(load);
        }
        QCOMPARE(seen.size(), sizes.size());
        QCOMPARE(std::set<std::size_t>(seen.begin(), seen.end()).size(), sizes.size());
        // Largest-first greedy: no shard exceeds the mean by more than the largest tensor.
        const double mean = std::accumulate(sizes.begin(), sizes.end(), 0.0) / count;
        QVERIFY(*std::max_element(loads.begin(), loads.end()) <= mean + 100);
    }
    QVERIFY_THROWS_EXCEPTION(UsageError, shardTensors(sizes, {0, 2}));
    QVERIFY_THROWS_EXCEPTION(UsageError, shardTensors(sizes, {3, 2}));
}

void TestModelReport::partsMergeIntoTheWhole()
{
    const MemoryFile file = sampleModel();
    const ModelReport whole = runModelReport(file, "model", sampleOptions());
    for (int count : {2, 3, 7}) {
        std::vector<ModelReport> parts;
        for (int index = count; index >= 1; --index) { // any order
            ReportOptions options = sampleOptions();
            options.shard = ReportShard{index, count};
            const ModelReport part = runModelReport(file, "model", options);
            parts.push_back(reportFromJson(reportToJson(part), "part.json"));
        }
        QCOMPARE(reportToJson(mergeReports(std::move(parts))), reportToJson(whole));
    }
}

void TestModelReport::mergeRefusesInconsistentParts()
{
    const MemoryFile file = sampleModel();
    const auto part = [&](int index, int count, std::vector<int> bits = {2, 4, 8}) {
        ReportOptions options = sampleOptions();
        options.shard = ReportShard{index, count};
        options.bits = std::move(bits);
        return runModelReport(file, "model", options);
    };
    QVERIFY_THROWS_EXCEPTION(InputError, mergeReports({part(1, 3), part(3, 3)}));      // missing 2
    QVERIFY_THROWS_EXCEPTION(InputError, mergeReports({part(1, 2), part(1, 2)}));      // twice
    QVERIFY_THROWS_EXCEPTION(InputError, mergeReports({part(1, 2), part(2, 3)}));      // other N
    QVERIFY_THROWS_EXCEPTION(InputError, mergeReports({part(1, 2), part(2, 2, {4})})); // bits
    QVERIFY_THROWS_EXCEPTION(InputError, mergeReports({runModelReport(file, "model", {})}));
}

void TestModelReport::jsonRoundTrips()
{
    const ModelReport report = runModelReport(sampleModel(), "model", sampleOptions());
    const std::string json = reportToJson(report);
    QCOMPARE(reportToJson(reportFromJson(json, "r.json")), json);
    QVERIFY_THROWS_EXCEPTION(InputError, reportFromJson("{\"file\": 3}", "bad.json"));
    QVERIFY_THROWS_EXCEPTION(InputError, reportFromJson("[1, 2", "bad.json"));
    const std::string csv = reportToCsv(report);
    // A header, then one row per tensor × scheme × bits of the five reported tensors.
    QCOMPARE(std::count(csv.begin(), csv.end(), '\n'), std::ptrdiff_t{1 + 5 * 4 * 3});
}

void TestModelReport::memoryBudgetAndThreadsDoNotChangeResults()
{
    const MemoryFile file = sampleModel();
    ReportOptions serial = sampleOptions();
    serial.threads = 1;
    ReportOptions tight = sampleOptions();
    tight.threads = 4;
    tight.memoryBudget = 1; // one tensor at a time
    ReportOptions wide = sampleOptions();
    wide.threads = 4;
    const std::string expected = reportToJson(runModelReport(file, "model", serial));
    QCOMPARE(reportToJson(runModelReport(file, "model", tight)), expected);
    QCOMPARE(reportToJson(runModelReport(file, "model", wide)), expected);
}

void TestModelReport::cancelStops()
{
    int calls = 0;
    ReportCallbacks callbacks;
    callbacks.progress = [&calls](const ReportProgress&) { return ++calls < 2; };
    ReportOptions options = sampleOptions();
    options.threads = 1;
    QVERIFY_THROWS_EXCEPTION(Cancelled, runModelReport(sampleModel(), "model", options, callbacks));
    QCOMPARE(calls, 2);
}

QTEST_APPLESS_MAIN(TestModelReport)
#include "tst_model_report.moc"
