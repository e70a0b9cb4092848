#pragma once

#include <QWidget>

#include <vector>

class QComboBox;
class QFormLayout;
class QLabel;
class QSpinBox;

namespace quantscope {

class ExplorerController;
class ParamEditor;

// The scheme choice and one editor per ParamSpec of the chosen scheme, rebuilt when the scheme
// changes, so a new scheme needs no UI code. Also the optional second scheme of compare mode, a
// bit width shared by both (it sets the scheme's `bits`, or `levels` = 2^bits) and the
// granularity (per tensor, per channel along an axis, per group of G along the last axis) every
// scheme that can takes.
class SchemePanel : public QWidget {
    Q_OBJECT

public:
    explicit SchemePanel(ExplorerController* controller, QWidget* parent = nullptr);

    const std::vector<ParamEditor*>& editors() const { return m_editors; }
    ParamEditor* editor(const QString& name) const;
    QComboBox* schemeCombo() const { return m_scheme; }
    QComboBox* compareCombo() const { return m_compare; }
    QSpinBox* bitsSpin() const { return m_bits; }
    QComboBox* granularityCombo() const { return m_granularity; }
    // The axis (per channel) or group size (per group).
    QSpinBox* granularitySpin() const { return m_granularityValue; }
    // Why the current scheme ignores the granularity (hidden when it does not).
    QLabel* granularityNote() const { return m_granularityNote; }

signals:
    // The editors were rebuilt for another scheme (the panel's height may have changed).
    void editorsRebuilt();

private:
    void rebuildEditors();
    void syncValues();
    // Value-units sliders span the loaded tensor's magnitudes.
    void updateSpans();
    // Editors on "auto" show what the scheme chose.
    void updateAutoValues();
    void syncGranularity();
    void applyGranularity();

    ExplorerController* m_controller;
    QComboBox* m_scheme;
    QComboBox* m_compare;
    QSpinBox* m_bits;
    QComboBox* m_granularity;
    QSpinBox* m_granularityValue;
    QLabel* m_granularityNote;
    QLabel* m_description;
    QFormLayout* m_form;
    std::vector<ParamEditor*> m_editors;
};

} // namespace quantscope
