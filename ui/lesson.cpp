#include "lesson.h"

#include "explorer_controller.h"
#include "lesson_catalogue.h"

#include "quantscope/scheme.h"

#include <QRegularExpression>

#include <algorithm>

#include <cmath>

namespace quantscope {
namespace {

constexpr int kSignificantDigits = 4;
constexpr int kPreciseDigits = 7;
constexpr int kFixedDecimals = 2;
constexpr int kPreciseDecimals = 6;

} // namespace

Params LessonContext::paramsFor(const std::string& scheme, std::optional<int> bits) const
{
    Params result;
    if (scheme == schemeId) {
        result = params;
    } else if (setup.scheme.toStdString() == scheme) {
        result = ExplorerController::paramsAtBits(scheme, this->bits());
        for (const auto& [name, value] : setup.params.values()) {
            result.set(name, value);
        }
        if (setup.tensorParams && dist) {
            const Params derived = setup.tensorParams(*dist);
            for (const auto& [name, value] : derived.values()) {
                result.set(name, value);
            }
        }
    } else {
        result = ExplorerController::paramsAtBits(scheme, this->bits());
    }
    if (bits) {
        const Params atBits = ExplorerController::paramsAtBits(scheme, *bits);
        for (const auto& [name, value] : atBits.values()) {
            result.set(name, value);
        }
    }
    return result;
}

QuantResult LessonContext::design(const std::string& scheme, const Params& given,
                                  const Granularity& granularity) const
{
    const bool byPass =
        granularity != Granularity::perTensor() || (schemeById(scheme).asBlockScheme() != nullptr);
    if (byPass && tensor) {
        return quantizeResult(*tensor, *dist, scheme, given, granularity);
    }
    return designResult(*dist, scheme, given);
}

QuantResult LessonContext::live(const std::string& scheme, std::optional<int> bits) const
{
    return design(scheme, paramsFor(scheme, bits));
}

const std::vector<Lesson>& allLessons()
{
    static const std::vector<Lesson> lessons = {
        makeLinearLesson(), makeClippingLesson(), makeLloydMaxLesson(), makeWeqLesson(),
        makeWeqLogLesson(), makeIntegerLesson(),  makeDsqLesson(),      makeBlocksLesson(),
    };
    return lessons;
}

const Lesson* findLesson(const QString& idOrNumber)
{
    const std::vector<Lesson>& lessons = allLessons();
    bool isNumber = false;
    const int number = idOrNumber.toInt(&isNumber);
    if (isNumber) {
        return number >= 1 && number <= int(lessons.size()) ? &lessons[number - 1] : nullptr;
    }
    for (const Lesson& lesson : lessons) {
        if (lesson.id == idOrNumber) {
            return &lesson;
        }
    }
    return nullptr;
}

QString lessonIds()
{
    QStringList ids;
    for (const Lesson& lesson : allLessons()) {
        ids << lesson.id;
    }
    return ids.join(QStringLiteral(", "));
}

QString formatFact(const LessonFact& fact)
{
    switch (fact.format) {
    case LessonFact::Format::Number:
        return QString::number(fact.value, 'g', kSignificantDigits);
    case LessonFact::Format::Precise:
        return QString::number(fact.value, 'g', kPreciseDigits);
    case LessonFact::Format::PrecisePercent:
        return QString::number(100.0 * fact.value, 'f', kPreciseDecimals) + QLatin1Char('%');
    case LessonFact::Format::Integer:
        return QString::number(static_cast<qlonglong>(std::llround(fact.value)));
    case LessonFact::Format::Percent:
        return QString::number(100.0 * fact.value, 'f', kFixedDecimals) + QLatin1Char('%');
    case LessonFact::Format::Decibels:
        return QString::number(fact.value, 'f', kFixedDecimals);
    case LessonFact::Format::Text:
        return fact.text;
    }
    return {};
}

QString fillFacts(const QString& text, const LessonFacts& facts)
{
    static const QRegularExpression placeholder(QStringLiteral("\\{([A-Za-z0-9_.]+)\\}"));
    QString out;
    qsizetype last = 0;
    auto it = placeholder.globalMatch(text);
    while (it.hasNext()) {
        const QRegularExpressionMatch match = it.next();
        out += text.mid(last, match.capturedStart() - last);
        const QString name = match.captured(1);
        const auto fact = std::find_if(facts.begin(), facts.end(),
                                       [&](const LessonFact& f) { return f.name == name; });
        out += fact != facts.end() ? formatFact(*fact) : match.captured(0);
        last = match.capturedEnd();
    }
    return out + text.mid(last);
}

LessonFact numberFact(const QString& name, double value)
{
    return {name, value, LessonFact::Format::Number, {}};
}

LessonFact preciseFact(const QString& name, double value)
{
    return {name, value, LessonFact::Format::Precise, {}};
}

LessonFact precisePercentFact(const QString& name, double fraction)
{
    return {name, fraction, LessonFact::Format::PrecisePercent, {}};
}

LessonFact integerFact(const QString& name, double value)
{
    return {name, value, LessonFact::Format::Integer, {}};
}

LessonFact percentFact(const QString& name, double fraction)
{
    return {name, fraction, LessonFact::Format::Percent, {}};
}

LessonFact decibelFact(const QString& name, std::optional<double> db)
{
    if (!db) {
        return textFact(name, QStringLiteral("∞"));
    }
    return {name, *db, LessonFact::Format::Decibels, {}};
}

LessonFact textFact(const QString& name, const QString& text)
{
    return {name, 0.0, LessonFact::Format::Text, text};
}

void addMetricFacts(LessonFacts& facts, const QString& prefix, const QuantResult& result)
{
    const QString p = prefix + QLatin1Char('.');
    if (!result.valid()) {
        const QString error = QStringLiteral("(%1 cannot design: %2)")
                                  .arg(QString::fromStdString(result.schemeId),
                                       QString::fromStdString(result.error).toHtmlEscaped());
        for (const char* name : {"sqnr", "mse", "clipped", "used", "levels", "bpw"}) {
            facts.push_back(textFact(p + QLatin1String(name), error));
        }
        return;
    }
    facts.push_back(decibelFact(p + QStringLiteral("sqnr"), result.metrics.sqnrDb));
    facts.push_back(numberFact(p + QStringLiteral("mse"), result.metrics.mse));
    facts.push_back(percentFact(p + QStringLiteral("clipped"), result.metrics.clippedFraction));
    facts.push_back(integerFact(p + QStringLiteral("used"), result.metrics.levelsUsed));
    facts.push_back(integerFact(p + QStringLiteral("levels"), result.codebook.levelCount()));
    facts.push_back(numberFact(p + QStringLiteral("bpw"), result.bitsPerWeight));
}

} // namespace quantscope

namespace quantscope {

LessonTensor demoLessonTensor(const QString& name)
{
    return {QStringLiteral("demo:") + name, {}};
}

double zeroFraction(const Distribution& dist)
{
    if (dist.empty()) {
        return 0.0;
    }
    return double(dist.upperIndex(0.0) - dist.lowerIndex(0.0)) / double(dist.count());
}

} // namespace quantscope
