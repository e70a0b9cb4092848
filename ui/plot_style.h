#pragma once

#include <QColor>
#include <QPen>

class QCustomPlot;

namespace quantscope::style {

// One palette for every plot: the data in a calm blue, the scheme in orange, the compared scheme
// in purple, so overlays read the same everywhere.
inline const QColor kData(70, 110, 170);
inline const QColor kDataFill(70, 110, 170, 90);
inline const QColor kPrimary(230, 110, 20);
inline const QColor kPrimaryBoundary(230, 110, 20, 150);
inline const QColor kCompare(140, 60, 200);
inline const QColor kCompareBoundary(140, 60, 200, 150);
inline const QColor kError(200, 40, 60);
inline const QColor kMarker(30, 30, 30);

// Shared look: fonts, grid, interactions (horizontal zoom and drag).
void applyPlotStyle(QCustomPlot* plot);

} // namespace quantscope::style
