#pragma once

#include "explorer_controller.h"

#include <QAbstractTableModel>

namespace quantscope {

// Every scheme at the current bits (ExplorerController::comparison()) as a table: one row per
// scheme, its true bits per weight, one column per metric. The current scheme's row follows the
// explorer's own design (the user's parameters, marked * when they differ from the defaults); the
// other rows are at their defaults. Numbers sort numerically through kSortRole; rows of schemes
// that cannot design show the error and sort last; per-slice designs still being computed say so.
class ComparisonModel : public QAbstractTableModel {
    Q_OBJECT

public:
    enum Column {
        Scheme,
        BitsPerWeight,
        Mse,
        Rmse,
        SqnrDb,
        MaxAbsError,
        MeanError,
        EntropyBits,
        LevelsUsed,
        ClippedPercent,
        WeightedEntropy,
        ColumnCount
    };
    static constexpr int kSortRole = Qt::UserRole + 1;     // double, or invalid when missing
    static constexpr int kSchemeIdRole = Qt::UserRole + 2; // the row's scheme id

    explicit ComparisonModel(QObject* parent = nullptr);

    void setSweep(const SchemeSweep& sweep);
    // The explorer's current design; its scheme's row shows it (at the sweep's bits).
    void setCurrentResult(const std::optional<QuantResult>& result);
    // Whether the current scheme's row shows parameters other than the defaults.
    bool currentRowIsCustom() const;
    // The current scheme's row is highlighted, the compared one tinted.
    void setCurrentScheme(const QString& id);
    void setCompareScheme(const QString& id);
    const SchemeSweep& sweep() const { return m_sweep; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation,
                        int role = Qt::DisplayRole) const override;

private:
    void highlightChanged();
    // The row's metrics (the live design for the current scheme's row) and its error.
    const std::optional<Metrics>& rowMetrics(int row) const;
    const std::string& rowError(int row) const;
    bool isLiveRow(int row) const;

    SchemeSweep m_sweep;
    std::optional<QuantResult> m_live;
    std::optional<Metrics> m_liveMetrics; // m_live's metrics when valid
    QString m_current;
    QString m_compare;
};

} // namespace quantscope
