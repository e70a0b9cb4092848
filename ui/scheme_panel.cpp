#include "scheme_panel.h"

#include "chosen_params.h"
#include "explorer_controller.h"
#include "param_editor.h"
#include "quant_result.h"

#include "quantscope/scheme.h"

#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSpinBox>
#include <QVBoxLayout>

#include <algorithm>

namespace quantscope {
namespace {

constexpr int kMinBits = 1;
constexpr int kMaxBits = 16;
constexpr int kComboCharacters = 14;
// A value-units slider for a size spans max|x|·2^-20 … 2·max|x| (a step at 16 bits is
// max|x|·2^-15); one for a position spans the data range widened by half its width each way.
constexpr double kSmallestSize = 0x1.0p-20;
constexpr double kLargestSize = 2.0;
constexpr double kPositionMargin = 0.5;

// The spec's help with its range and default, so the tooltip says what values mean.
QString specToolTip(const ParamSpec& spec)
{
    QString tip = QString::fromStdString(spec.help);
    if (spec.kind == ParamKind::Choice) {
        return tip;
    }
    const auto number = [](double v) { return QString::number(v, 'g', 6); };
    tip += QStringLiteral(" (%1 to %2, default %3%4)")
               .arg(number(spec.minimum), number(spec.maximum), number(spec.defaultValue),
                    spec.optional ? QStringLiteral("; auto lets the scheme choose") : QString());
    return tip;
}

} // namespace

SchemePanel::SchemePanel(ExplorerController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_scheme(new QComboBox(this))
    , m_compare(new QComboBox(this))
    , m_bits(new QSpinBox(this))
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
    // Long scheme names must not widen the panel past its column.
    for (QComboBox* combo : {m_scheme, m_compare}) {
        combo->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        combo->setMinimumContentsLength(kComboCharacters);
    }
    m_bits->setObjectName(QStringLiteral("bitsSpin"));
    m_bits->setRange(kMinBits, kMaxBits);
    m_bits->setToolTip(tr("Bit width: at most 2^bits levels. Sets the scheme's bits (or levels) "
                          "and the bits of the compared scheme and the comparison table"));

    auto* top = new QFormLayout;
    top->addRow(tr("&Scheme"), m_scheme);
    top->addRow(tr("&Bits"), m_bits);
    top->addRow(tr("C&ompare with"), m_compare);
    auto* layout = new QVBoxLayout(this);
    // The metrics follow right below the last slider.
    const QMargins margins = layout->contentsMargins();
    layout->setContentsMargins(margins.left(), margins.top(), margins.right(), 2);
    layout->addLayout(top);
    layout->addWidget(m_description);
    layout->addLayout(m_form);
    layout->addStretch(1);

    connect(m_scheme, &QComboBox::currentIndexChanged, this,
            [this](int index) { m_controller->setScheme(m_scheme->itemData(index).toString()); });
    QWidget::setTabOrder(m_scheme, m_bits);
    QWidget::setTabOrder(m_bits, m_compare);
    connect(m_bits, &QSpinBox::valueChanged, m_controller, &ExplorerController::setBits);
    connect(m_compare, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_controller->setCompareScheme(m_compare->itemData(index).toString());
    });
    connect(controller, &ExplorerController::schemeChanged, this, &SchemePanel::rebuildEditors);
    connect(controller, &ExplorerController::paramsChanged, this, &SchemePanel::syncValues);
    connect(controller, &ExplorerController::loadFinished, this, &SchemePanel::updateSpans);
    connect(controller, &ExplorerController::resultChanged, this, &SchemePanel::updateAutoValues);
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
        const QString tip = specToolTip(spec);
        label->setToolTip(tip);
        for (QWidget* child : editor->findChildren<QWidget*>()) {
            if (child->objectName().endsWith(QLatin1String("_auto"))) {
                continue; // says what "auto" does
            }
            child->setToolTip(tip);
        }
        label->setBuddy(editor);
        m_form->addRow(label, editor);
        m_editors.push_back(editor);
        connect(editor, &ParamEditor::valueChanged, m_controller, &ExplorerController::setParam);
        connect(editor, &ParamEditor::autoSelected, m_controller,
                &ExplorerController::setParamAuto);
    }
    // New widgets join the end of the window's focus chain; put them right after the choices
    // above them, in the order they are shown.
    QWidget* previous = m_compare;
    for (ParamEditor* editor : m_editors) {
        for (QWidget* control : editor->focusControls()) {
            QWidget::setTabOrder(previous, control);
            previous = control;
        }
    }
    updateSpans();
    syncValues();
    updateAutoValues();
    emit editorsRebuilt();
}

void SchemePanel::updateSpans()
{
    const auto dist = m_controller->distribution();
    if (!dist || dist->empty()) {
        return;
    }
    for (ParamEditor* editor : m_editors) {
        const ParamSpec& spec = editor->spec();
        if (!spec.valueUnits) {
            continue;
        }
        if (spec.minimum >= 0.0) {
            const double size = dist->maxAbs();
            if (size > 0.0) {
                editor->setSliderSpan(size * kSmallestSize, size * kLargestSize);
            }
        } else {
            const double lo = dist->min();
            const double hi = dist->max();
            const double margin = hi > lo ? kPositionMargin * (hi - lo) : 1.0;
            editor->setSliderSpan(lo - margin, hi + margin);
        }
    }
}

void SchemePanel::updateAutoValues()
{
    const auto& result = m_controller->result();
    const auto dist = m_controller->distribution();
    if (!result || !dist || result->schemeId != m_controller->schemeId().toStdString()) {
        return;
    }
    for (ParamEditor* editor : m_editors) {
        if (editor->isAuto()) {
            editor->setAutoValue(chosenParamValue(*result, *dist, editor->spec().name));
        }
    }
}

void SchemePanel::syncValues()
{
    {
        const QSignalBlocker block(m_bits);
        m_bits->setValue(m_controller->bits());
        m_bits->setEnabled(schemeTakesBits(m_controller->schemeId().toStdString()));
    }
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
    // A parameter that is set greys out those it takes precedence over.
    for (ParamEditor* editor : m_editors) {
        QString reason;
        for (ParamEditor* other : m_editors) {
            const ParamSpec& spec = other->spec();
            const auto& overridden = spec.overrides;
            if (params.has(spec.name) && std::find(overridden.begin(), overridden.end(),
                                                   editor->spec().name) != overridden.end()) {
                reason = tr("%1 is set, so %2 has no effect (set %1 to auto to use it)")
                             .arg(QString::fromStdString(spec.name),
                                  QString::fromStdString(editor->spec().name));
                break;
            }
        }
        editor->setOverridden(reason);
    }
}

} // namespace quantscope
