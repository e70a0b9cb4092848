#include "param_editor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QSignalBlocker>
#include <QSlider>

#include <algorithm>
#include <cmath>
#include <limits>

namespace quantscope {
namespace {

constexpr int kRealDecimals = 4;
const QString kWidestValue = QStringLiteral("-0000000.0000");
constexpr int kSpinChrome = 32; // frame and arrows beside the text
constexpr int kSignificantDigits = 6;
// Before a tensor gives it a span, a value-units slider covers these magnitudes.
constexpr double kDefaultLow = 1e-6;
constexpr double kDefaultHigh = 1e6;
constexpr double kArrowFactor = 1.189207115002721; // 2^(1/4): one arrow step of a size

// A spin box for values in the tensor's units: significant digits (0.000788, 1.5e-05), any
// magnitude; the arrows scale a size by 2^(1/4) rather than adding a fixed step.
class ValueSpinBox : public QDoubleSpinBox {
public:
    ValueSpinBox(bool logarithmic, QWidget* parent)
        : QDoubleSpinBox(parent)
        , m_logarithmic(logarithmic)
    {
        setDecimals(std::numeric_limits<double>::max_exponent10 +
                    std::numeric_limits<double>::digits10); // no rounding of the value
    }

    QString textFromValue(double value) const override
    {
        return QString::number(value, 'g', kSignificantDigits);
    }
    double valueFromText(const QString& text) const override
    {
        return text.trimmed().replace(QChar(0x2212), QLatin1Char('-')).toDouble();
    }
    QValidator::State validate(QString& text, int&) const override
    {
        const QString trimmed = text.trimmed();
        if (trimmed.isEmpty() || trimmed == QLatin1String("-") ||
            trimmed.endsWith(QLatin1Char('e'), Qt::CaseInsensitive) ||
            trimmed.endsWith(QLatin1String("e-"), Qt::CaseInsensitive) ||
            trimmed.endsWith(QLatin1Char('.'))) {
            return QValidator::Intermediate;
        }
        bool ok = false;
        const double value = trimmed.toDouble(&ok);
        if (!ok) {
            return QValidator::Invalid;
        }
        return value >= minimum() && value <= maximum() ? QValidator::Acceptable
                                                        : QValidator::Intermediate;
    }
    void stepBy(int steps) override
    {
        if (m_logarithmic && value() > 0.0) {
            setValue(value() * std::pow(kArrowFactor, steps));
        } else {
            QDoubleSpinBox::stepBy(steps);
        }
    }

private:
    bool m_logarithmic;
};
constexpr int kComboCharacters = 12;

} // namespace

ParamEditor::ParamEditor(const ParamSpec& spec, QWidget* parent)
    : QWidget(parent)
    , m_spec(spec)
    , m_value(spec.defaultValue)
    , m_low(spec.minimum)
    , m_high(spec.maximum)
{
    const QString name = QString::fromStdString(spec.name);
    const QString help = QString::fromStdString(spec.help);
    setObjectName(QStringLiteral("param_%1").arg(name));
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    if (spec.valueUnits) {
        m_low = std::clamp(spec.minimum >= 0.0 ? kDefaultLow : -kDefaultHigh, spec.minimum,
                           spec.maximum);
        m_high = std::clamp(kDefaultHigh, spec.minimum, spec.maximum);
    }

    if (spec.kind == ParamKind::Choice) {
        m_combo = new QComboBox(this);
        m_combo->setObjectName(QStringLiteral("param_%1_combo").arg(name));
        // Long choices must not widen the panel past its column.
        m_combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        m_combo->setMinimumContentsLength(kComboCharacters);
        for (const auto& choice : spec.choices) {
            m_combo->addItem(QString::fromStdString(choice));
        }
        m_combo->setToolTip(help);
        layout->addWidget(m_combo, 1);
        connect(m_combo, &QComboBox::currentIndexChanged, this,
                [this](int index) { commit(index); });
    } else {
        m_slider = new QSlider(Qt::Horizontal, this);
        m_slider->setObjectName(QStringLiteral("param_%1_slider").arg(name));
        m_slider->setFocusPolicy(Qt::StrongFocus); // arrow keys step the value
        m_slider->setToolTip(help);
        m_spin = spec.valueUnits ? new ValueSpinBox(spec.minimum >= 0.0, this)
                                 : new QDoubleSpinBox(this);
        m_spin->setObjectName(QStringLiteral("param_%1_spin").arg(name));
        m_spin->setToolTip(help);
        m_spin->setRange(spec.minimum, spec.maximum);
        m_spin->setKeyboardTracking(false);
        // Huge ranges (absolute thresholds up to 1e30) would otherwise squeeze the slider.
        m_spin->setMaximumWidth(m_spin->fontMetrics().horizontalAdvance(kWidestValue) +
                                kSpinChrome);
        if (spec.isInteger()) {
            m_slider->setRange(int(spec.minimum), int(spec.maximum));
            m_slider->setPageStep(std::max(1, int((spec.maximum - spec.minimum) / 8)));
            m_spin->setDecimals(0);
            m_spin->setSingleStep(1);
        } else {
            m_slider->setRange(0, kSliderSteps);
            m_slider->setSingleStep(kSliderSteps / 100); // arrow keys: 1% of the range
            m_slider->setPageStep(kSliderSteps / 10);
            if (!spec.valueUnits) {
                m_spin->setDecimals(kRealDecimals);
                m_spin->setSingleStep((spec.maximum - spec.minimum) / 100.0);
            }
        }
        layout->addWidget(m_slider, 1);
        layout->addWidget(m_spin);
        connect(m_slider, &QSlider::valueChanged, this,
                [this](int position) { commit(sliderValue(position)); });
        connect(m_spin, &QDoubleSpinBox::valueChanged, this, [this](double v) { commit(v); });
    }
    if (spec.optional) {
        m_auto = new QCheckBox(tr("auto"), this);
        m_auto->setObjectName(QStringLiteral("param_%1_auto").arg(name));
        m_auto->setToolTip(tr("Let the scheme choose %1").arg(name));
        layout->addWidget(m_auto);
        connect(m_auto, &QCheckBox::toggled, this, [this, name](bool on) {
            updateEnabled();
            if (on) {
                emit autoSelected(name);
            } else {
                emit valueChanged(name, m_value);
            }
        });
    }
    // Focus (tab order, a label's buddy) lands on the control that edits the value.
    setFocusProxy(m_combo ? static_cast<QWidget*>(m_combo) : m_slider);
    setToolTip(help);
    show(m_value);
}

QList<QWidget*> ParamEditor::focusControls() const
{
    QList<QWidget*> controls;
    for (QWidget* control : {static_cast<QWidget*>(m_combo), static_cast<QWidget*>(m_slider),
                             static_cast<QWidget*>(m_spin), static_cast<QWidget*>(m_auto)}) {
        if (control != nullptr) {
            controls.push_back(control);
        }
    }
    return controls;
}

bool ParamEditor::isLogarithmic() const
{
    return m_spec.valueUnits && m_spec.minimum >= 0.0 && m_low > 0.0 && m_high > m_low;
}

void ParamEditor::setSliderSpan(double low, double high)
{
    if (!m_spec.valueUnits || m_slider == nullptr) {
        return;
    }
    low = std::clamp(low, m_spec.minimum, m_spec.maximum);
    high = std::clamp(high, m_spec.minimum, m_spec.maximum);
    if (!(high > low)) {
        return;
    }
    m_low = low;
    m_high = high;
    const QSignalBlocker block(m_slider);
    m_slider->setValue(sliderPosition(m_value));
}

int ParamEditor::sliderPosition(double value) const
{
    if (m_spec.isInteger()) {
        return int(std::lround(value));
    }
    double fraction = 0.0;
    if (isLogarithmic()) {
        fraction = value > 0.0 ? std::log(value / m_low) / std::log(m_high / m_low) : 0.0;
    } else if (m_high > m_low) {
        fraction = (value - m_low) / (m_high - m_low);
    }
    return int(std::lround(std::clamp(fraction, 0.0, 1.0) * kSliderSteps));
}

double ParamEditor::sliderValue(int position) const
{
    if (m_spec.isInteger()) {
        return position;
    }
    const double fraction = double(position) / kSliderSteps;
    if (isLogarithmic()) {
        return m_low * std::pow(m_high / m_low, fraction);
    }
    return m_low + (m_high - m_low) * fraction;
}

void ParamEditor::commit(double value)
{
    value = std::clamp(value, m_spec.minimum, m_spec.maximum);
    if (m_spec.isInteger()) {
        value = std::round(value);
    }
    if (value == m_value) {
        return;
    }
    m_value = value;
    show(value);
    emit valueChanged(QString::fromStdString(m_spec.name), value);
}

void ParamEditor::show(double value)
{
    if (m_combo) {
        const QSignalBlocker block(m_combo);
        m_combo->setCurrentIndex(int(value));
        return;
    }
    const QSignalBlocker blockSlider(m_slider);
    const QSignalBlocker blockSpin(m_spin);
    m_slider->setValue(sliderPosition(value));
    m_spin->setValue(value);
}

bool ParamEditor::isAuto() const
{
    return m_auto != nullptr && m_auto->isChecked();
}

void ParamEditor::updateEnabled()
{
    const bool editable = !isAuto() && m_overriddenBy.isEmpty();
    for (QWidget* control : {static_cast<QWidget*>(m_slider), static_cast<QWidget*>(m_spin),
                             static_cast<QWidget*>(m_combo)}) {
        if (control != nullptr) {
            control->setEnabled(editable);
        }
    }
    if (m_auto) {
        m_auto->setEnabled(m_overriddenBy.isEmpty());
    }
}

void ParamEditor::setOverridden(const QString& reason)
{
    if (reason == m_overriddenBy) {
        return;
    }
    if (m_overriddenBy.isEmpty()) {
        m_normalToolTip = (m_combo ? static_cast<QWidget*>(m_combo) : m_slider)->toolTip();
    }
    m_overriddenBy = reason;
    const QString tip = reason.isEmpty() ? m_normalToolTip : reason;
    for (QWidget* control : {static_cast<QWidget*>(m_slider), static_cast<QWidget*>(m_spin),
                             static_cast<QWidget*>(m_combo)}) {
        if (control != nullptr) {
            control->setToolTip(tip);
        }
    }
    updateEnabled();
}

void ParamEditor::setValue(std::optional<double> value)
{
    if (m_auto) {
        const QSignalBlocker block(m_auto);
        m_auto->setChecked(!value.has_value());
    }
    updateEnabled();
    if (value) {
        m_value = *value;
        show(*value);
    }
}

void ParamEditor::setAutoValue(std::optional<double> value)
{
    if (!isAuto() || !value || !std::isfinite(*value)) {
        return;
    }
    m_value = std::clamp(*value, m_spec.minimum, m_spec.maximum);
    show(m_value);
}

} // namespace quantscope
