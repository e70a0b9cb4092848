#include "plot_style.h"

#include <qcustomplot.h>

namespace quantscope::style {

void applyPlotStyle(QCustomPlot* plot)
{
    plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot->axisRect()->setRangeDrag(Qt::Horizontal);
    plot->axisRect()->setRangeZoom(Qt::Horizontal);
    plot->setNoAntialiasingOnDrag(true);
    plot->setPlottingHint(QCP::phFastPolylines, true);
    QFont small = plot->font();
    small.setPointSizeF(8.5);
    for (QCPAxis* axis : plot->axisRect()->axes()) {
        axis->setTickLabelFont(small);
        axis->setLabelFont(small);
        axis->grid()->setPen(QPen(QColor(220, 220, 220), 0, Qt::DotLine));
    }
    plot->setMinimumSize(200, 150);
}

} // namespace quantscope::style
