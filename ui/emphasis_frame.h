#pragma once

#include <QWidget>

namespace quantscope {

// A coloured outline drawn over a widget to point at it (a lesson step's view). It covers its
// target, follows its size, and lets every mouse event through.
class EmphasisFrame : public QWidget {
    Q_OBJECT

public:
    static constexpr int kPenWidth = 3;

    explicit EmphasisFrame(QWidget* target);

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;
    void paintEvent(QPaintEvent* event) override;
};

} // namespace quantscope
