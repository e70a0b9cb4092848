#include "scheme_panel.h"

#include "chosen_params.h"
#include "explorer_controller.h"
#include "param_editor.h"
#include "quant_result.h"

#include "quantscope/scheme.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
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
constexpr int kDefaultGroupSize = 128;
constexpr int kMaxGroupSize = 1 << 20;

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
    , m_granularity(new QComboBox(this))
    , m_granularityValue(new QSpinBox(this))
    , m_granularityNote(new QLabel(this))
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

    m_granularity->setObjectName(QStringLiteral("granularityCombo"));
    m_granularity->addItem(tr("per tensor"));
    m_granularity->addItem(tr("per channel, axis"));
    m_granularity->addItem(tr("per group of"));
    m_granularity->setToolTip(
        tr("Which values share a scale: the whole tensor, each index along an axis (per "
           "channel) or each run of G values along the last axis (per group). Applies to every "
           "scheme that can take it, here and in the comparison"));
    m_granularityValue->setObjectName(QStringLiteral("granularitySpin"));
    m_granularityValue->setToolTip(tr("The channel axis (negative counts from the end) or the "
                                      "group size G"));
    m_granularityNote->setObjectName(QStringLiteral("granularityNote"));
    m_granularityNote->setWordWrap(true);
    m_granularityNote->setStyleSheet(QStringLiteral("color: palette(mid); font-style: italic;"));
    // Bits and granularity share a row: the column keeps its height for the sliders.
    auto* bitsRow = new QHBoxLayout;
    bitsRow->setContentsMargins(0, 0, 0, 0);
    bitsRow->addWidget(m_bits);
    bitsRow->addWidget(m_granularity, 1);
    bitsRow->addWidget(m_granularityValue);

    auto* top = new QFormLayout;
    top->addRow(tr("&Scheme"), m_scheme);
    auto* bitsLabel = new QLabel(tr("&Bits"), this);
    bitsLabel->setBuddy(m_bits);
    top->addRow(bitsLabel, bitsRow);
    top->addRow(QString(), m_granularityNote);
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
    QWidget::setTabOrder(m_bits, m_granularity);
    QWidget::setTabOrder(m_granularity, m_granularityValue);
    QWidget::setTabOrder(m_granularityValue, m_compare);
    connect(m_bits, &QSpinBox::valueChanged, m_controller, &ExplorerController::setBits);
    connect(m_granularity, &QComboBox::currentIndexChanged, this, [this] {
        // A new kind starts from its usual value: axis 0, groups of 128.
        const QSignalBlocker block(m_granularityValue);
        const bool groups = m_granularity->currentIndex() == 2;
        m_granularityValue->setRange(groups ? 1 : -16, groups ? kMaxGroupSize : 15);
        m_granularityValue->setValue(groups ? kDefaultGroupSize : 0);
        applyGranularity();
    });
    connect(m_granularityValue, &QSpinBox::valueChanged, this, &SchemePanel::applyGranularity);
    connect(controller, &ExplorerController::granularityChanged, this,
            &SchemePanel::syncGranularity);
    connect(controller, &ExplorerController::loadFinished, this, &SchemePanel::syncGranularity);
    connect(m_compare, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_controller->setCompareScheme(m_compare->itemData(index).toString());
    });
    connect(controller, &ExplorerController::schemeChanged, this, &SchemePanel::rebuildEditors);
    connect(controller, &ExplorerController::schemeChanged, this, &SchemePanel::syncGranularity);
    connect(controller, &ExplorerController::paramsChanged, this, &SchemePanel::syncValues);
    connect(controller, &ExplorerController::loadFinished, this, &SchemePanel::updateSpans);
    connect(controller, &ExplorerController::resultChanged, this, &SchemePanel::updateAutoValues);
    connect(controller, &ExplorerController::compareSchemeChanged, this, [this](const QString& id) {
        const QSignalBlocker block(m_compare);
        m_compare->setCurrentIndex(std::max(0, m_compare->findData(id)));
    });
    rebuildEditors();
    syncGranularity();
}

void SchemePanel::applyGranularity()
{
    const int value = m_granularityValue->value();
    switch (m_granularity->currentIndex()) {
    case 1:
        m_controller->setGranularity(Granularity::perChannel(value));
        break;
    case 2:
        m_controller->setGranularity(Granularity::perGroup(value));
        break;
    default:
        m_controller->setGranularity(Granularity::perTensor());
        break;
    }
}

void SchemePanel::syncGranularity()
{
    const Granularity& g = m_controller->granularity();
    {
        const QSignalBlocker blockKind(m_granularity);
        const QSignalBlocker blockValue(m_granularityValue);
        m_granularity->setCurrentIndex(static_cast<int>(g.kind));
        const auto tensor = m_controller->tensor();
        const int rank = tensor ? static_cast<int>(tensor->shape().size()) : 16;
        switch (g.kind) {
        case Granularity::Kind::PerChannel:
            m_granularityValue->setRange(-std::max(1, rank), std::max(0, rank - 1));
            m_granularityValue->setValue(static_cast<int>(g.axis));
            break;
        case Granularity::Kind::PerGroup:
            m_granularityValue->setRange(1, kMaxGroupSize);
            m_granularityValue->setValue(static_cast<int>(g.groupSize));
            break;
        case Granularity::Kind::PerTensor:
            break;
        }
        m_granularityValue->setVisible(!g.isPerTensor());
    }
    // Say when the current scheme does not follow the choice.
    const Scheme* scheme = findScheme(m_controller->schemeId().toStdString());
    QString note;
    if (scheme != nullptr && !g.isPerTensor()) {
        if (scheme->asBlockScheme() != nullptr) {
            note = tr("%1 scales its own blocks").arg(QString::fromStdString(scheme->id()));
        } else if (!scheme->takesGranularity()) {
            note =
                tr("%1 calibrates one range per tensor").arg(QString::fromStdString(scheme->id()));
        }
    }
    m_granularityNote->setText(note);
    m_granularityNote->setVisible(!note.isEmpty());
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
