#include "comparison_model.h"

#include "plot_style.h"

#include <QBrush>
#include <QFont>

#include <limits>

namespace quantscope {
namespace {

// Short headers keep the columns narrow; the tooltips say what they are.
const char* const kHeaders[] = {"scheme",   "bpw",     "MSE",    "RMSE",   "SQNR dB",   "max |err|",
                                "mean err", "entropy", "levels", "clip %", "w. entropy"};
const char* const kHeaderTips[] = {
    "The quantization scheme",
    "Bits stored per value: the codes plus every scale, zero point or table",
    "Mean squared error",
    "Root of the mean squared error",
    "Signal-to-quantization-noise ratio in dB; ∞ when the error is zero",
    "Largest |Q(x) − x|",
    "Mean of Q(x) − x (the bias)",
    "Entropy of the level usage, in bits",
    "Levels that receive at least one value",
    "Share of the values clipped, in percent",
    "The weighted-entropy objective, where the scheme defines it"};
static_assert(std::size(kHeaders) == ComparisonModel::ColumnCount);
static_assert(std::size(kHeaderTips) == ComparisonModel::ColumnCount);

// The value a metric column sorts by; empty when the metric is missing.
std::optional<double> metricValue(const Metrics& m, double bitsPerWeight, int column)
{
    switch (column) {
    case ComparisonModel::BitsPerWeight:
        return bitsPerWeight;
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

QString metricText(const Metrics& m, double bitsPerWeight, int column)
{
    const std::optional<double> value = metricValue(m, bitsPerWeight, column);
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

void ComparisonModel::setCurrentResult(const std::optional<QuantResult>& result)
{
    m_live = result;
    m_liveMetrics.reset();
    if (m_live && m_live->valid()) {
        m_liveMetrics = m_live->metrics;
    }
    if (rowCount() > 0) {
        emit dataChanged(index(0, 0), index(rowCount() - 1, ColumnCount - 1));
    }
}

bool ComparisonModel::isLiveRow(int row) const
{
    return m_live && m_live->schemeId == m_sweep.rows[row].schemeId &&
           QString::fromStdString(m_live->schemeId) == m_current &&
           bitsOf(m_live->params) == m_sweep.bits;
}

bool ComparisonModel::currentRowIsCustom() const
{
    if (!m_live) {
        return false;
    }
    const Params defaults = ExplorerController::paramsAtBits(m_live->schemeId, m_sweep.bits);
    return m_live->params.values() != defaults.values();
}

const std::optional<Metrics>& ComparisonModel::rowMetrics(int row) const
{
    return isLiveRow(row) ? m_liveMetrics : m_sweep.rows[row].metrics;
}

const std::string& ComparisonModel::rowError(int row) const
{
    return isLiveRow(row) ? m_live->error : m_sweep.rows[row].error;
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
    const std::optional<Metrics>& metrics = rowMetrics(index.row());
    const bool live = isLiveRow(index.row());
    const double bitsPerWeight = live ? m_live->bitsPerWeight : row.bitsPerWeight;
    switch (role) {
    case Qt::DisplayRole:
        if (column == Scheme) {
            return live && currentRowIsCustom() ? id + QLatin1Char('*') : id;
        }
        if (row.pending && !live) {
            return column == Mse ? tr("computing per slice…") : QString();
        }
        if (!metrics) { // the reason is the row's tooltip
            return column == Mse ? tr("n/a") : QStringLiteral("—");
        }
        return metricText(*metrics, bitsPerWeight, column);
    case kSortRole:
        if (column == Scheme) {
            return id;
        }
        if (metrics) {
            if (const auto value = metricValue(*metrics, bitsPerWeight, column)) {
                return *value;
            }
        }
        return {}; // invalid values sort after every number
    case kSchemeIdRole:
        return id;
    case Qt::ToolTipRole: {
        if (row.pending && !live) {
            return tr("%1 designs a codebook per slice from its values: computed after the "
                      "others")
                .arg(QString::fromStdString(row.displayName));
        }
        if (!metrics) {
            return tr("%1 cannot design at %2 bits: %3")
                .arg(QString::fromStdString(row.displayName))
                .arg(m_sweep.bits)
                .arg(QString::fromStdString(rowError(index.row())));
        }
        // Every metric, so columns a narrow panel hides can still be read.
        QStringList lines{QString::fromStdString(row.displayName)};
        if (live) {
            QStringList params;
            for (const auto& [name, value] : m_live->params.values()) {
                params << QStringLiteral("%1 %2").arg(QString::fromStdString(name)).arg(value);
            }
            lines << tr("with your settings (%1); the other rows use their defaults")
                         .arg(params.join(QStringLiteral(", ")));
        }
        for (int c = Mse; c < ColumnCount; ++c) {
            lines << QStringLiteral("%1: %2").arg(tr(kHeaders[c]),
                                                  metricText(*metrics, bitsPerWeight, c));
        }
        return lines.join(QLatin1Char('\n'));
    }
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
        return metrics || row.pending ? QVariant() : QVariant(QBrush(style::kError));
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
    if (role == Qt::ToolTipRole) {
        return tr(kHeaderTips[section]);
    }
    return {};
}

} // namespace quantscope
