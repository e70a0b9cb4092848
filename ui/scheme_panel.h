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
// changes, so a new scheme needs no UI code. Also the optional second scheme of compare mode and
// a bit width shared by both (it sets the scheme's `bits`, or `levels` = 2^bits).
class SchemePanel : public QWidget {
    Q_OBJECT

public:
    explicit SchemePanel(ExplorerController* controller, QWidget* parent = nullptr);

    const std::vector<ParamEditor*>& editors() const { return m_editors; }
    ParamEditor* editor(const QString& name) const;
    QComboBox* schemeCombo() const { return m_scheme; }
    QComboBox* compareCombo() const { return m_compare; }
    QSpinBox* bitsSpin() const { return m_bits; }

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

    ExplorerController* m_controller;
    QComboBox* m_scheme;
    QComboBox* m_compare;
    QSpinBox* m_bits;
    QLabel* m_description;
    QFormLayout* m_form;
    std::vector<ParamEditor*> m_editors;
};

} // namespace quantscope
