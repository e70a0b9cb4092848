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
// optional parameters. Object names: param_NAME_slider, _spin, _combo, _auto.
class ParamEditor : public QWidget {
    Q_OBJECT

public:
    explicit ParamEditor(const ParamSpec& spec, QWidget* parent = nullptr);

    const ParamSpec& spec() const { return m_spec; }
    double value() const { return m_value; }
    // Shows `value`, or "auto" when empty (optional specs); emits nothing.
    void setValue(std::optional<double> value);

    QSlider* slider() const { return m_slider; }
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

    ParamSpec m_spec;
    double m_value;
    QSlider* m_slider = nullptr;
    QDoubleSpinBox* m_spin = nullptr;
    QComboBox* m_combo = nullptr;
    QCheckBox* m_auto = nullptr;
};

} // namespace quantscope
