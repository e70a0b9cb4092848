#pragma once

#include "quantscope/model_report.h"

#include <QAbstractTableModel>
#include <QSortFilterProxyModel>

#include <vector>

namespace quantscope {

class ModelReportJob;

// The model report as a table: a totals row, then one row per reported tensor in file order;
// columns name, parameters, dtype, then each scheme's SQNR at the current bits, coloured as a
// heatmap from the lowest SQNR (red) to the highest (green) over all cells.
class ModelTableModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column { NameColumn, ParametersColumn, DtypeColumn, FirstSchemeColumn };
    static constexpr int kSortRole = Qt::UserRole;
    static constexpr int kTotalsRole = Qt::UserRole + 1; // true on the totals row

    explicit ModelTableModel(const ModelReportJob* job, QObject* parent = nullptr);

    void setBits(int bits);
    int bits() const { return m_bits; }

    // Rows 1.. are tensors; nullptr for the totals row.
    const TensorReport* tensorAt(int row) const;
    QString schemeAt(int column) const;

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
    void onStarted();
    void onTensorReported(int reportRow);
    void refreshTotalsAndScale();
    std::optional<double> sqnrAt(int row, int column) const;
    QVariant totalsData(int column, int role) const;

    const ModelReportJob* m_job;
    int m_bits = 4;
    std::vector<int> m_reportRows;     // table row - 1 -> row in the report (tensors with results)
    std::vector<ReportTotal> m_totals; // at the current bits, one per scheme
    double m_low = 0.0;                // the heatmap's range
    double m_high = 1.0;
};

// Sorting and filtering that keep the totals row on top.
class ModelTableProxy : public QSortFilterProxyModel {
    Q_OBJECT

public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

protected:
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override;
    bool filterAcceptsRow(int row, const QModelIndex& parent) const override;
};

} // namespace quantscope
