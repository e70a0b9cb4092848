#include "lesson_panel.h"

#include "explorer_controller.h"
#include "integer_pipeline_view.h"

#include "quantscope/scheme.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTextBrowser>
#include <QTextDocument>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <cmath>
#include <exception>

namespace quantscope {
namespace {

constexpr int kMaxTextHeight = 240; // beyond this the paragraph scrolls

QString schemeName(const QString& id)
{
    const Scheme* scheme = findScheme(id.toStdString());
    return scheme ? QString::fromStdString(scheme->displayName()).toHtmlEscaped() : id;
}

} // namespace

LessonPanel::LessonPanel(ExplorerController* controller, QWidget* parent)
    : QWidget(parent)
    , m_controller(controller)
    , m_title(new QLabel(this))
    , m_stepLabel(new QLabel(this))
    , m_text(new QTextBrowser(this))
    , m_previous(new QPushButton(tr("◀ Previous"), this))
    , m_next(new QPushButton(tr("Next ▶"), this))
    , m_restart(new QToolButton(this))
    , m_close(new QToolButton(this))
{
    setObjectName(QStringLiteral("lessonPanel"));
    setAttribute(Qt::WA_StyledBackground);
    setStyleSheet(QStringLiteral("#lessonPanel { background: #f4f7fc; border: 1px solid #b8c8e0; "
                                 "border-radius: 3px; }"));
    m_title->setObjectName(QStringLiteral("lessonTitle"));
    m_title->setWordWrap(true);
    m_title->setMinimumWidth(1); // a narrow centre wraps the title, never widens the column
    m_stepLabel->setObjectName(QStringLiteral("lessonStep"));
    m_text->setObjectName(QStringLiteral("lessonText"));
    m_previous->setObjectName(QStringLiteral("lessonPrevious"));
    m_next->setObjectName(QStringLiteral("lessonNext"));
    m_restart->setObjectName(QStringLiteral("lessonRestart"));
    m_close->setObjectName(QStringLiteral("lessonClose"));
    m_text->setFrameShape(QFrame::NoFrame);
    m_text->setOpenLinks(false);
    m_text->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_text->setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
    m_text->viewport()->setAutoFillBackground(false);
    m_text->setStyleSheet(QStringLiteral("QTextBrowser { background: transparent; }"));
    m_text->document()->setDocumentMargin(2);
    m_previous->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Left));
    m_next->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Right));
    m_previous->setToolTip(tr("The previous step (Alt+Left)"));
    m_next->setToolTip(tr("The next step (Alt+Right)"));
    m_restart->setText(QStringLiteral("↺"));
    m_restart->setToolTip(tr("Set this step up again (tensor, scheme and parameters)"));
    m_restart->setAutoRaise(true);
    m_close->setText(QStringLiteral("✕"));
    m_close->setToolTip(tr("End the lesson"));
    m_close->setAutoRaise(true);

    auto* header = new QHBoxLayout;
    header->setContentsMargins(0, 0, 0, 0);
    header->addWidget(m_title, 1);
    header->addWidget(m_stepLabel);
    header->addWidget(m_previous);
    header->addWidget(m_next);
    header->addWidget(m_restart);
    header->addWidget(m_close);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 4, 6, 4);
    layout->setSpacing(2);
    layout->addLayout(header);
    layout->addWidget(m_text);

    connect(m_previous, &QPushButton::clicked, this, &LessonPanel::previous);
    connect(m_next, &QPushButton::clicked, this, &LessonPanel::next);
    connect(m_restart, &QToolButton::clicked, this, &LessonPanel::restartStep);
    connect(m_close, &QToolButton::clicked, this, &LessonPanel::stop);
    connect(&m_watcher, &QFutureWatcher<FactsJob>::finished, this, &LessonPanel::onFactsFinished);
    connect(controller, &ExplorerController::paramsChanged, this, &LessonPanel::requestFacts);
    connect(controller, &ExplorerController::schemeChanged, this, &LessonPanel::requestFacts);
    connect(controller, &ExplorerController::loadFinished, this, [this] {
        if (m_lesson == nullptr) {
            return;
        }
        if (m_awaitingTensor) {
            m_awaitingTensor = false;
            if (stepTensorLoaded()) {
                applySchemeAndParams();
            }
        }
        requestFacts();
    });
    connect(controller, &ExplorerController::loadFailed, this, [this](const QString& message) {
        if (m_lesson != nullptr && m_awaitingTensor) {
            m_awaitingTensor = false;
            setText(tr("<p>The step's tensor could not be loaded: %1</p>")
                        .arg(message.toHtmlEscaped()));
        }
    });
    hide();
}

LessonPanel::~LessonPanel()
{
    m_watcher.waitForFinished();
}

void LessonPanel::setPipelineView(IntegerPipelineView* view)
{
    if (m_pipelineView != nullptr) {
        disconnect(m_pipelineView, nullptr, this, nullptr);
    }
    m_pipelineView = view;
    if (view != nullptr) {
        connect(view, &IntegerPipelineView::problemChanged, this, &LessonPanel::requestFacts);
    }
}

bool LessonPanel::start(const QString& idOrNumber, int step)
{
    const Lesson* lesson = findLesson(idOrNumber);
    if (lesson == nullptr || lesson->steps.empty()) {
        return false;
    }
    m_lesson = lesson;
    show();
    showStep(step);
    return true;
}

void LessonPanel::showStep(int step)
{
    if (m_lesson == nullptr) {
        return;
    }
    m_step = std::clamp(step, 0, int(m_lesson->steps.size()) - 1);
    ++m_generation;
    m_facts.clear();
    setText(tr("<p><b>%1</b></p><p><i>Setting up the step…</i></p>")
                .arg(currentStep().title.toHtmlEscaped()));
    updateHeader();
    applySetup();
}

void LessonPanel::next()
{
    if (m_lesson != nullptr && m_step + 1 < int(m_lesson->steps.size())) {
        showStep(m_step + 1);
    }
}

void LessonPanel::previous()
{
    if (m_lesson != nullptr && m_step > 0) {
        showStep(m_step - 1);
    }
}

void LessonPanel::restartStep()
{
    showStep(m_step);
}

void LessonPanel::stop()
{
    if (m_lesson == nullptr) {
        return;
    }
    m_lesson = nullptr;
    m_awaitingTensor = false;
    m_factsPending = false;
    m_facts.clear();
    hide();
    emit emphasisChanged({});
}

bool LessonPanel::isBusy() const
{
    return m_lesson != nullptr && (m_awaitingTensor || m_factsRunning || m_factsPending);
}

QString LessonPanel::shownText() const
{
    return m_html;
}

void LessonPanel::setText(const QString& html)
{
    m_html = html;
    m_text->setHtml(html);
    fitText();
}

void LessonPanel::fitText()
{
    // As tall as the paragraph at the current width, up to kMaxTextHeight (then it scrolls).
    QTextDocument* document = m_text->document();
    document->setTextWidth(m_text->viewport()->width());
    const int height = int(std::ceil(document->size().height())) + 2 * m_text->frameWidth();
    m_text->setFixedHeight(std::min(height, kMaxTextHeight));
}

void LessonPanel::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    fitText();
}

const LessonStep& LessonPanel::currentStep() const
{
    return m_lesson->steps[m_step];
}

void LessonPanel::updateHeader()
{
    const auto& lessons = allLessons();
    const int number = int(m_lesson - lessons.data()) + 1;
    m_title->setText(tr("<b>Lesson %1 · %2</b>").arg(number).arg(m_lesson->title.toHtmlEscaped()));
    m_stepLabel->setText(tr("%1 / %2").arg(m_step + 1).arg(m_lesson->steps.size()));
    m_stepLabel->setToolTip(tr("Step %1 of %2").arg(m_step + 1).arg(m_lesson->steps.size()));
    m_previous->setEnabled(m_step > 0);
    m_next->setEnabled(m_step + 1 < int(m_lesson->steps.size()));
}

const LessonTensor* LessonPanel::stepTensor() const
{
    for (int step = m_step; step >= 0; --step) {
        if (const auto& tensor = m_lesson->steps[step].setup.tensor) {
            return &*tensor;
        }
    }
    return nullptr;
}

bool LessonPanel::stepTensorLoaded() const
{
    const LessonTensor* wanted = stepTensor();
    if (wanted == nullptr) {
        return true;
    }
    const auto tensor = m_controller->tensor();
    if (!tensor || m_controller->isLoading()) {
        return false;
    }
    if (wanted->make) {
        return m_controller->source().isEmpty() &&
               QString::fromStdString(tensor->name()) == wanted->key;
    }
    return m_controller->source() == wanted->key;
}

void LessonPanel::applySetup()
{
    const LessonSetup& setup = currentStep().setup;
    if (setup.pipeline && m_pipelineView != nullptr) {
        m_pipelineView->setProblem(*setup.pipeline);
    }
    m_controller->setCompareScheme(setup.compare);
    if (!stepTensorLoaded()) {
        // Scheme and parameters follow once the tensor is there (some depend on it).
        m_awaitingTensor = true;
        const LessonTensor* tensor = stepTensor();
        if (tensor->make) {
            m_controller->setTensor(tensor->make());
        } else {
            m_controller->openSource(tensor->key);
        }
        return;
    }
    m_awaitingTensor = false;
    applySchemeAndParams();
    requestFacts();
}

void LessonPanel::applySchemeAndParams()
{
    const LessonSetup& setup = currentStep().setup;
    if (!setup.scheme.isEmpty()) {
        Params params = setup.params;
        const auto dist = m_controller->distribution();
        if (setup.tensorParams && dist && !dist->empty()) {
            const Params derived = setup.tensorParams(*dist);
            for (const auto& [name, value] : derived.values()) {
                params.set(name, value);
            }
        }
        m_controller->setSchemeParams(setup.scheme, params);
    }
    // After the scheme: its parameter editors exist now.
    emit emphasisChanged(setup.emphasis);
}

void LessonPanel::requestFacts()
{
    if (m_lesson == nullptr || m_awaitingTensor || !m_controller->distribution() ||
        m_controller->distribution()->empty()) {
        return;
    }
    if (m_factsRunning) {
        m_factsPending = true; // the latest state is computed when the running one ends
        return;
    }
    startFacts();
}

void LessonPanel::startFacts()
{
    m_factsPending = false;
    LessonContext context;
    context.dist = m_controller->distribution();
    context.tensor = m_controller->tensor();
    context.schemeId = m_controller->schemeId().toStdString();
    context.params = m_controller->params();
    if (m_pipelineView != nullptr) {
        context.pipeline = m_pipelineView->problem();
    }
    context.setup = currentStep().setup;
    const auto facts = currentStep().facts;
    const int generation = m_generation;
    m_factsRunning = true;
    m_watcher.setFuture(
        QtConcurrent::run(ExplorerController::workPool(), [facts, context, generation] {
            FactsJob job;
            job.generation = generation;
            try {
                if (facts) {
                    job.facts = facts(context);
                }
            } catch (const std::exception& e) {
                job.failure = QString::fromStdString(e.what());
            }
            return job;
        }));
}

void LessonPanel::onFactsFinished()
{
    m_factsRunning = false;
    if (m_lesson == nullptr) {
        return;
    }
    const FactsJob job = m_watcher.result();
    if (m_factsPending || job.generation != m_generation) {
        // The state (or the step) moved on while these were computed.
        m_factsPending = false;
        requestFacts();
        return;
    }
    m_facts = job.facts;
    const LessonStep& step = currentStep();
    if (!job.failure.isEmpty()) {
        setText(tr("<p>This step cannot be computed on the current tensor: %1</p>")
                    .arg(job.failure.toHtmlEscaped()));
        return;
    }
    QString text;
    const QString stepScheme = step.setup.scheme;
    if (!stepScheme.isEmpty() && m_controller->schemeId() != stepScheme) {
        text += tr("<p><i>You are exploring %1; the numbers below are for %2, the scheme of this "
                   "step. ↺ sets the step up again.</i></p>")
                    .arg(schemeName(m_controller->schemeId()), schemeName(stepScheme));
    }
    text += tr("<p><b>%1</b></p>").arg(step.title.toHtmlEscaped());
    text += fillFacts(step.text, m_facts);
    setText(text);
}

} // namespace quantscope
