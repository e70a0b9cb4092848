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
inline const QColor kIdentity(120, 120, 120);
inline const QColor kCompareFill(140, 60, 200, 70);
inline const QColor kPrimaryFill(230, 110, 20, 110);
inline const QColor kCurrentRow(255, 228, 196);
inline const QColor kCompareRow(232, 218, 245);
inline const QColor kEmphasis(20, 150, 90); // the outline around a lesson step's views

// Distinct colours for one curve per scheme (rate–distortion): a qualitative palette, cycled.
inline QColor schemeColor(int index)
{
    static const QColor palette[] = {{31, 119, 180},  {255, 127, 14},  {44, 160, 44},
                                     {214, 39, 40},   {148, 103, 189}, {140, 86, 75},
                                     {227, 119, 194}, {127, 127, 127}, {188, 189, 34},
                                     {23, 190, 207},  {0, 0, 128},     {128, 128, 0}};
    constexpr int size = int(sizeof(palette) / sizeof(palette[0]));
    return palette[((index % size) + size) % size];
}

// Shared look: fonts, grid, interactions (horizontal zoom and drag).
void applyPlotStyle(QCustomPlot* plot);

} // namespace quantscope::style
