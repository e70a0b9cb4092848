#pragma once

#include "lesson.h"

#include <QFutureWatcher>
#include <QWidget>

class QLabel;
class QPushButton;
class QTextBrowser;
class QToolButton;

namespace quantscope {

class ExplorerController;
class IntegerPipelineView;

// The running lesson: its title, the step's paragraph with live numbers, Previous / Next, a button
// to set the step up again, and Close. Showing a step sets the explorer up through the controller
// (the tensor, then scheme and parameters) and asks the window to emphasise the step's views; every
// control stays free. The paragraph's numbers are computed by the core off the UI thread whenever
// the explorer's state changes (latest state wins), so they follow the sliders.
class LessonPanel : public QWidget {
    Q_OBJECT

public:
    explicit LessonPanel(ExplorerController* controller, QWidget* parent = nullptr);
    ~LessonPanel() override;

    // The pipeline view whose inputs lesson steps set and read (may be null).
    void setPipelineView(IntegerPipelineView* view);

    // Starts `lesson` at step `step` (0-based, clamped); returns false for an unknown id.
    bool start(const QString& idOrNumber, int step = 0);
    void showStep(int step);
    void next();
    void previous();
    void restartStep(); // sets the current step up again
    void stop();

    const Lesson* lesson() const { return m_lesson; }
    int stepIndex() const { return m_step; }
    // True until the step's tensor is loaded and its paragraph computed for the current state.
    bool isBusy() const;
    // The paragraph as shown (rich text) and the facts it was filled from.
    QString shownText() const;
    const LessonFacts& shownFacts() const { return m_facts; }

protected:
    void resizeEvent(QResizeEvent* event) override;

signals:
    // The views the current step is about (empty when the lesson stops).
    void emphasisChanged(const QStringList& objectNames);

private:
    void setText(const QString& html);
    void fitText();
    void applySetup();
    void applySchemeAndParams();
    // The step's tensor, or the nearest earlier step's: a step without one continues on it.
    const LessonTensor* stepTensor() const;
    bool stepTensorLoaded() const;
    void requestFacts();
    void startFacts();
    void onFactsFinished();
    void updateHeader();
    const LessonStep& currentStep() const;

    ExplorerController* m_controller;
    IntegerPipelineView* m_pipelineView = nullptr;
    QLabel* m_title;
    QLabel* m_stepLabel;
    QTextBrowser* m_text;
    QString m_html; // what m_text shows
    QPushButton* m_previous;
    QPushButton* m_next;
    QToolButton* m_restart;
    QToolButton* m_close;

    // A computation of a step's facts; `generation` tells which showing of a step it is for.
    struct FactsJob {
        LessonFacts facts;
        QString failure;
        int generation = 0;
    };

    const Lesson* m_lesson = nullptr;
    int m_step = 0;
    int m_generation = 0;          // counts step showings
    bool m_awaitingTensor = false; // the step's tensor is loading
    LessonFacts m_facts;
    QFutureWatcher<FactsJob> m_watcher;
    bool m_factsRunning = false;
    bool m_factsPending = false;
};

} // namespace quantscope
