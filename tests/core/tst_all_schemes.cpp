#include "quantscope/demo.h"
#include "quantscope/scheme.h"

#include <QtTest>

#include <cmath>
#include <optional>

using namespace quantscope;

namespace {

// How a scheme is asked for `bits`: its Bits parameter, or `bits` read as 2^bits levels.
// Empty when the scheme cannot run at that width.
std::optional<Params> paramsAtBits(const Scheme& scheme, int bits)
{
    for (const ParamSpec& spec : scheme.paramSpecs()) {
        if (spec.kind == ParamKind::Bits) {
            if (bits < spec.minimum || bits > spec.maximum) {
                return std::nullopt;
            }
            return Params{{spec.name, double(bits)}};
        }
    }
    for (const ParamSpec& spec : scheme.paramSpecs()) {
        if (spec.kind == ParamKind::Levels) {
            const double levels = std::ldexp(1.0, bits);
            if (levels < spec.minimum || levels > spec.maximum) {
                return std::nullopt;
            }
            return Params{{"bits", double(bits)}};
        }
    }
    return Params{};
}

// Strictly ascending finite thresholds (float32 values) and levels, at most 2^bits levels.
QString codebookProblem(const Codebook& codebook, int bits)
{
    if (codebook.levels.empty() || codebook.levelCount() > (1 << bits)) {
        return QString("%1 levels").arg(codebook.levelCount());
    }
    if (codebook.thresholds.size() + 1 != codebook.levels.size()) {
        return "thresholds and levels do not match";
    }
    if (codebook.codes.size() != codebook.levels.size()) {
        return "codes and levels do not match";
    }
    for (std::size_t k = 0; k < codebook.levels.size(); ++k) {
        if (!std::isfinite(codebook.levels[k])) {
            return QString("level %1 is %2").arg(k).arg(codebook.levels[k]);
        }
        if (k > 0 && !(codebook.levels[k - 1] < codebook.levels[k])) {
            return QString("levels %1 and %2 not ascending").arg(k - 1).arg(k);
        }
    }
    for (std::size_t k = 0; k < codebook.thresholds.size(); ++k) {
        const double t = codebook.thresholds[k];
        if (!std::isfinite(t) || double(float(t)) != t) {
            return QString("threshold %1 = %2 is not a float32").arg(k).arg(t, 0, 'g', 17);
        }
        if (k > 0 && !(codebook.thresholds[k - 1] < t)) {
            return QString("thresholds %1 and %2 not ascending").arg(k - 1).arg(k);
        }
    }
    return {};
}

} // namespace

class TestAllSchemes : public QObject {
    Q_OBJECT

private slots:
    void validCodebooks_data();
    void validCodebooks();
};

void TestAllSchemes::validCodebooks_data()
{
    QTest::addColumn<QString>("scheme");
    QTest::addColumn<QString>("data"); // a demo name, or empty / constant / single
    QVERIFY(!allSchemes().empty());
    for (const auto& scheme : allSchemes()) {
        if (scheme->asBlockScheme() != nullptr) {
            continue; // no codebook: tst_block_formats holds them to their references
        }
        QStringList inputs = {"empty", "constant", "zeros", "single"};
        for (const DemoInfo& demo : demoTensors()) {
            inputs << QString::fromStdString(demo.name);
        }
        for (const QString& input : inputs) {
            const QString id = QString::fromStdString(scheme->id());
            QTest::newRow(qPrintable(id + " " + input)) << id << input;
        }
    }
}

void TestAllSchemes::validCodebooks()
{
    QFETCH(QString, scheme);
    QFETCH(QString, data);
    std::vector<float> values;
    if (data == "constant") {
        values.assign(100, -0.37f);
    } else if (data == "zeros") {
        values.assign(10, 0.0f);
    } else if (data == "single") {
        values = {2.5f};
    } else if (data != "empty") {
        const Tensor tensor = makeDemoTensor(data.toStdString(), 1 << 16);
        values.assign(tensor.values().begin(), tensor.values().end());
    }
    const Distribution dist(values);
    const Scheme& s = schemeById(scheme.toStdString());
    int widthsRun = 0;
    for (int bits = 2; bits <= 8; ++bits) {
        const std::optional<Params> params = paramsAtBits(s, bits);
        if (!params) {
            continue;
        }
        ++widthsRun;
        const Codebook codebook = s.design(dist, *params);
        const QString problem = codebookProblem(codebook, bits);
        QVERIFY2(problem.isEmpty(), qPrintable(QString("%1 bits: %2").arg(bits).arg(problem)));
    }
    QVERIFY2(widthsRun > 0, "the scheme runs at none of the bit widths 2 … 8");
}

QTEST_APPLESS_MAIN(TestAllSchemes)
#include "tst_all_schemes.moc"
