#include "param_editor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QSignalBlocker>
#include <QSlider>

#include <algorithm>
#include <cmath>

namespace quantscope {
namespace {

constexpr int kRealSliderSteps = 1000;
constexpr int kRealDecimals = 4;
const QString kWidestValue = QStringLiteral("-0000000.0000");
constexpr int kSpinChrome = 32; // frame and arrows beside the text
constexpr int kComboCharacters = 12;

} // namespace

ParamEditor::ParamEditor(const ParamSpec& spec, QWidget* parent)
    : QWidget(parent)
    , m_spec(spec)
    , m_value(spec.defaultValue)
{
    const QString name = QString::fromStdString(spec.name);
    const QString help = QString::fromStdString(spec.help);
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

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
        m_spin = new QDoubleSpinBox(this);
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
            m_slider->setRange(0, kRealSliderSteps);
            m_slider->setSingleStep(kRealSliderSteps / 100); // arrow keys: 1% of the range
            m_slider->setPageStep(kRealSliderSteps / 10);
            m_spin->setDecimals(kRealDecimals);
            m_spin->setSingleStep((spec.maximum - spec.minimum) / 100.0);
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
            if (m_slider) {
                m_slider->setEnabled(!on);
                m_spin->setEnabled(!on);
            }
            if (m_combo) {
                m_combo->setEnabled(!on);
            }
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

int ParamEditor::sliderPosition(double value) const
{
    if (m_spec.isInteger()) {
        return int(std::lround(value));
    }
    const double span = m_spec.maximum - m_spec.minimum;
    return span > 0 ? int(std::lround((value - m_spec.minimum) / span * kRealSliderSteps)) : 0;
}

double ParamEditor::sliderValue(int position) const
{
    if (m_spec.isInteger()) {
        return position;
    }
    return m_spec.minimum + (m_spec.maximum - m_spec.minimum) * position / kRealSliderSteps;
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

void ParamEditor::setValue(std::optional<double> value)
{
    if (m_auto) {
        const QSignalBlocker block(m_auto);
        m_auto->setChecked(!value.has_value());
        if (m_slider) {
            m_slider->setEnabled(value.has_value());
            m_spin->setEnabled(value.has_value());
        }
        if (m_combo) {
            m_combo->setEnabled(value.has_value());
        }
    }
    if (value) {
        m_value = *value;
        show(*value);
    }
}

} // namespace quantscope
