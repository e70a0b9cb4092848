#include "comparison_model.h"

#include "plot_style.h"

#include <QBrush>
#include <QFont>

#include <limits>

namespace quantscope {
namespace {

const char* const kHeaders[] = {"scheme",
                                "bpw",
                                "MSE",
                                "RMSE",
                                "SQNR (dB)",
                                "max |error|",
                                "mean error",
                                "entropy (bits)",
                                "levels used",
                                "clipped (%)",
                                "weighted entropy"};
static_assert(std::size(kHeaders) == ComparisonModel::ColumnCount);

// The value a metric column sorts by; empty when the metric is missing.
std::optional<double> metricValue(const SchemeSweep::Row& row, int column)
{
    const Metrics& m = *row.metrics;
    switch (column) {
    case ComparisonModel::BitsPerWeight:
        return row.bitsPerWeight;
    case ComparisonModel::Mse:
        return m.mse;
    case ComparisonModel::Rmse:
        return m.rmse;
    case ComparisonModel::SqnrDb:
        // No SQNR means no error (or no signal): better than any finite value.
        return m.sqnrDb ? *m.sqnrDb : std::numeric_limits<double>::infinity();
    case ComparisonModel::MaxAbsError:
        return m.maxAbsError;
    case ComparisonModel::MeanError:
        return m.meanError;
    case ComparisonModel::EntropyBits:
        return m.entropyBits;
    case ComparisonModel::LevelsUsed:
        return double(m.levelsUsed);
    case ComparisonModel::ClippedPercent:
        return m.clippedFraction * 100.0;
    case ComparisonModel::WeightedEntropy:
        return m.weightedEntropy;
    default:
        return std::nullopt;
    }
}

QString metricText(const SchemeSweep::Row& row, int column)
{
    const Metrics& m = *row.metrics;
    const std::optional<double> value = metricValue(row, column);
    if (!value) {
        return QStringLiteral("—");
    }
    switch (column) {
    case ComparisonModel::BitsPerWeight:
        return QString::number(*value, 'f', 3);
    case ComparisonModel::SqnrDb:
        return m.sqnrDb ? QString::number(*value, 'f', 2) : QStringLiteral("∞");
    case ComparisonModel::EntropyBits:
        return QString::number(*value, 'f', 4);
    case ComparisonModel::LevelsUsed:
        return QString::number(m.levelsUsed);
    case ComparisonModel::ClippedPercent:
        return QString::number(*value, 'f', 4);
    default:
        return QString::number(*value, 'g', 6);
    }
}

} // namespace

ComparisonModel::ComparisonModel(QObject* parent)
    : QAbstractTableModel(parent)
{
}

void ComparisonModel::setSweep(const SchemeSweep& sweep)
{
    beginResetModel();
    m_sweep = sweep;
    endResetModel();
}

void ComparisonModel::setCurrentScheme(const QString& id)
{
    if (id != m_current) {
        m_current = id;
        highlightChanged();
    }
}

void ComparisonModel::setCompareScheme(const QString& id)
{
    if (id != m_compare) {
        m_compare = id;
        highlightChanged();
    }
}

void ComparisonModel::highlightChanged()
{
    if (rowCount() > 0) {
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1),
                         {Qt::BackgroundRole, Qt::FontRole});
    }
}

int ComparisonModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : int(m_sweep.rows.size());
}

int ComparisonModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ComparisonModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid() || index.row() >= rowCount()) {
        return {};
    }
    const SchemeSweep::Row& row = m_sweep.rows[index.row()];
    const QString id = QString::fromStdString(row.schemeId);
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        if (column == Scheme) {
            return id;
        }
        if (row.pending) {
            return column == Mse ? tr("computing per slice…") : QString();
        }
        if (!row.metrics) {
            return column == Mse ? QString::fromStdString(row.error) : QStringLiteral("—");
        }
        return metricText(row, column);
    case kSortRole:
        if (column == Scheme) {
            return id;
        }
        if (row.metrics) {
            if (const auto value = metricValue(row, column)) {
                return *value;
            }
        }
        return {}; // invalid values sort after every number
    case kSchemeIdRole:
        return id;
    case Qt::ToolTipRole:
        if (row.pending) {
            return tr("%1 designs a codebook per slice from its values: computed after the "
                      "others")
                .arg(QString::fromStdString(row.displayName));
        }
        if (!row.metrics) {
            return tr("%1 cannot design at %2 bits: %3")
                .arg(QString::fromStdString(row.displayName))
                .arg(m_sweep.bits)
                .arg(QString::fromStdString(row.error));
        }
        return QString::fromStdString(row.displayName);
    case Qt::TextAlignmentRole:
        return column == Scheme ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                : QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::BackgroundRole:
        if (id == m_current) {
            return QBrush(style::kCurrentRow);
        }
        if (id == m_compare) {
            return QBrush(style::kCompareRow);
        }
        return {};
    case Qt::FontRole:
        if (id == m_current) {
            QFont bold;
            bold.setBold(true);
            return bold;
        }
        return {};
    case Qt::ForegroundRole:
        return row.metrics || row.pending ? QVariant() : QVariant(QBrush(style::kError));
    default:
        return {};
    }
}

QVariant ComparisonModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount) {
        return QAbstractTableModel::headerData(section, orientation, role);
    }
    if (role == Qt::DisplayRole) {
        return tr(kHeaders[section]);
    }
    if (role == Qt::ToolTipRole && section == SqnrDb) {
        return tr("Signal-to-quantization-noise ratio; ∞ when the error is zero");
    }
    if (role == Qt::ToolTipRole && section == BitsPerWeight) {
        return tr("Bits stored per value: the codes plus every scale, zero point or table");
    }
    return {};
}

} // namespace quantscope
