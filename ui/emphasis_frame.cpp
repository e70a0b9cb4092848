#include "emphasis_frame.h"

#include "plot_style.h"

#include <QEvent>
#include <QPainter>

namespace quantscope {

EmphasisFrame::EmphasisFrame(QWidget* target)
    : QWidget(target)
{
    setObjectName(QStringLiteral("emphasisFrame"));
    setAttribute(Qt::WA_TransparentForMouseEvents);
    setAttribute(Qt::WA_NoSystemBackground);
    setFocusPolicy(Qt::NoFocus);
    setGeometry(target->rect());
    target->installEventFilter(this);
    raise();
    show();
}

bool EmphasisFrame::eventFilter(QObject* watched, QEvent* event)
{
    if (watched == parent() &&
        (event->type() == QEvent::Resize || event->type() == QEvent::ChildAdded)) {
        setGeometry(parentWidget()->rect());
        raise();
    }
    return QWidget::eventFilter(watched, event);
}

void EmphasisFrame::paintEvent(QPaintEvent*)
{
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(style::kEmphasis, kPenWidth));
    painter.setBrush(Qt::NoBrush);
    const qreal inset = kPenWidth / 2.0;
    painter.drawRoundedRect(QRectF(rect()).adjusted(inset, inset, -inset, -inset), 4, 4);
}

} // namespace quantscope
