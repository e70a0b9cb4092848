#include "scheme_panel.h"

#include "explorer_controller.h"
#include "param_editor.h"

#include "quantscope/scheme.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QVBoxLayout>

namespace quantscope {

SchemePanel::SchemePanel(ExplorerController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_scheme(new QComboBox(this))
    , m_compare(new QComboBox(this))
    , m_description(new QLabel(this))
    , m_form(new QFormLayout)
{
    m_scheme->setObjectName(QStringLiteral("schemeCombo"));
    m_compare->setObjectName(QStringLiteral("compareCombo"));
    m_description->setObjectName(QStringLiteral("schemeDescription"));
    m_description->setWordWrap(true);
    m_compare->addItem(tr("(none)"), QString());
    for (const auto& scheme : allSchemes()) {
        const QString id = QString::fromStdString(scheme->id());
        const QString name = QString::fromStdString(scheme->displayName());
        const QString tip = QString::fromStdString(scheme->description());
        m_scheme->addItem(name, id);
        m_scheme->setItemData(m_scheme->count() - 1, tip, Qt::ToolTipRole);
        m_compare->addItem(name, id);
        m_compare->setItemData(m_compare->count() - 1, tip, Qt::ToolTipRole);
    }
    m_scheme->setToolTip(tr("The quantization scheme"));
    m_compare->setToolTip(tr("A second scheme overlaid in purple, at the same bits"));

    auto* top = new QFormLayout;
    top->addRow(tr("Scheme"), m_scheme);
    top->addRow(tr("Compare with"), m_compare);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_description);
    layout->addLayout(m_form);
    layout->addStretch(1);

    connect(m_scheme, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_controller->setScheme(m_scheme->itemData(index).toString()); });
    connect(m_compare, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_controller->setCompareScheme(m_compare->itemData(index).toString());
    });
    connect(controller, &ExplorerController::schemeChanged, this, &SchemePanel::rebuildEditors);
    connect(controller, &ExplorerController::paramsChanged, this, &SchemePanel::syncValues);
    connect(controller, &ExplorerController::compareSchemeChanged, this, [this](const QString& id) {
        const QSignalBlocker block(m_compare);
        m_compare->setCurrentIndex(std::max(0, m_compare->findData(id)));
    });
    rebuildEditors();
}

ParamEditor* SchemePanel::editor(const QString& name) const
{
    for (ParamEditor* e : m_editors) {
        if (QString::fromStdString(e->spec().name) == name) {
            return e;
        }
    }
    return nullptr;
}

void SchemePanel::rebuildEditors()
{
    {
        const QSignalBlocker block(m_scheme);
        m_scheme->setCurrentIndex(std::max(0, m_scheme->findData(m_controller->schemeId())));
    }
    while (m_form->rowCount() > 0) {
        m_form->removeRow(0);
    }
    m_editors.clear();
    const Scheme* scheme = findScheme(m_controller->schemeId().toStdString());
    if (scheme == nullptr) {
        return;
    }
    m_description->setText(QString::fromStdString(scheme->description()));
    for (const ParamSpec& spec : scheme->paramSpecs()) {
        auto* editor = new ParamEditor(spec, this);
        auto* label = new QLabel(QString::fromStdString(spec.name), this);
        label->setToolTip(QString::fromStdString(spec.help));
        label->setBuddy(editor->slider());
        m_form->addRow(label, editor);
        m_editors.push_back(editor);
        connect(editor, &ParamEditor::valueChanged, m_controller, &ExplorerController::setParam);
        connect(editor, &ParamEditor::autoSelected, m_controller,
                &ExplorerController::setParamAuto);
    }
    syncValues();
}

void SchemePanel::syncValues()
{
    const Params& params = m_controller->params();
    for (ParamEditor* editor : m_editors) {
        const ParamSpec& spec = editor->spec();
        if (params.has(spec.name)) {
            editor->setValue(params.get(spec.name));
        } else if (spec.optional) {
            editor->setValue(std::nullopt);
        } else {
            editor->setValue(spec.defaultValue);
        }
    }
}

} // namespace quantscope
