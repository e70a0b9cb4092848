#pragma once

#include "quantscope/params.h"

#include <QList>
#include <QWidget>

#include <optional>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QSlider;

namespace quantscope {

// A slider with a spin box for one ParamSpec (a combo box for choices), plus an "auto" box for
// optional parameters. Object names: param_NAME (the editor), param_NAME_slider, _spin, _combo,
// _auto.
//
// A parameter in the tensor's value units (ParamSpec::valueUnits) slides over a span of the data
// set by setSliderSpan: logarithmically for positive sizes (a step, a clip threshold), linearly
// for positions (a clip bound); its spin box shows significant digits, not fixed decimals.
class ParamEditor : public QWidget {
    Q_OBJECT

public:
    static constexpr int kSliderSteps = 1000; // positions of a real-valued slider

    explicit ParamEditor(const ParamSpec& spec, QWidget* parent = nullptr);

    const ParamSpec& spec() const { return m_spec; }
    double value() const { return m_value; }
    // Shows `value`, or "auto" when empty (optional specs); emits nothing.
    void setValue(std::optional<double> value);
    // While on "auto": the value the scheme chose, shown greyed; unticking "auto" starts from it.
    void setAutoValue(std::optional<double> value);
    bool isAuto() const;
    // Greys the controls out while another parameter takes precedence; `reason` becomes the
    // tooltip. Empty: editable again.
    void setOverridden(const QString& reason);
    bool isOverridden() const { return !m_overriddenBy.isEmpty(); }

    // The range a value-units slider spans (ignored for other specs).
    void setSliderSpan(double low, double high);
    bool isLogarithmic() const;
    double sliderLow() const { return m_low; }
    double sliderHigh() const { return m_high; }

    QSlider* slider() const { return m_slider; }
    QDoubleSpinBox* spinBox() const { return m_spin; }
    // The controls keyboard focus visits, in tab order.
    QList<QWidget*> focusControls() const;

signals:
    void valueChanged(const QString& name, double value);
    void autoSelected(const QString& name);

private:
    int sliderPosition(double value) const;
    double sliderValue(int position) const;
    void commit(double value);
    void show(double value);
    void updateEnabled();

    ParamSpec m_spec;
    double m_value;
    double m_low; // the slider's span (real-valued specs)
    double m_high;
    QSlider* m_slider = nullptr;
    QDoubleSpinBox* m_spin = nullptr;
    QComboBox* m_combo = nullptr;
    QCheckBox* m_auto = nullptr;
    QString m_overriddenBy;
    QString m_normalToolTip; // the controls' tooltip while not overridden
};

} // namespace quantscope
