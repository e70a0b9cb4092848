#include "model_table_model.h"

#include "model_report_job.h"

#include <QColor>
#include <QFont>
#include <QLocale>

#include <algorithm>
#include <cmath>

namespace quantscope {
namespace {

constexpr double kRedHue = 0.0;
constexpr double kGreenHue = 120.0 / 360.0;

QString sqnrText(const std::optional<double>& sqnr)
{
    return sqnr ? QString::number(*sqnr, 'f', 1) : QStringLiteral("∞");
}

} // namespace

ModelTableModel::ModelTableModel(const ModelReportJob* job, QObject* parent)
    : QAbstractTableModel(parent)
    , m_job(job)
{
    connect(job, &ModelReportJob::started, this, &ModelTableModel::onStarted);
    connect(job, &ModelReportJob::tensorReported, this, &ModelTableModel::onTensorReported);
    onStarted();
}

void ModelTableModel::setBits(int bits)
{
    if (bits == m_bits) {
        return;
    }
    m_bits = bits;
    refreshTotalsAndScale();
    emit dataChanged(index(0, FirstSchemeColumn), index(rowCount() - 1, columnCount() - 1));
    emit headerDataChanged(Qt::Horizontal, FirstSchemeColumn, columnCount() - 1);
}

const TensorReport* ModelTableModel::tensorAt(int row) const
{
    if (row < 1 || row > int(m_reportRows.size())) {
        return nullptr;
    }
    return &m_job->report().tensors[std::size_t(m_reportRows[std::size_t(row - 1)])];
}

QString ModelTableModel::schemeAt(int column) const
{
    const auto& schemes = m_job->report().schemes;
    const int index = column - FirstSchemeColumn;
    return index >= 0 && index < int(schemes.size()) ? QString::fromStdString(schemes[index])
                                                     : QString();
}

int ModelTableModel::rowCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : 1 + int(m_reportRows.size());
}

int ModelTableModel::columnCount(const QModelIndex& parent) const
{
    return parent.isValid() ? 0 : FirstSchemeColumn + int(m_job->report().schemes.size());
}

std::optional<double> ModelTableModel::sqnrAt(int row, int column) const
{
    const TensorReport* tensor = tensorAt(row);
    const ReportResult* result =
        tensor ? tensor->find(schemeAt(column).toStdString(), m_bits) : nullptr;
    if (result == nullptr || !result->metrics) {
        return std::nullopt;
    }
    return result->metrics->sqnrDb;
}

QVariant ModelTableModel::data(const QModelIndex& index, int role) const
{
    if (!index.isValid()) {
        return {};
    }
    const int column = index.column();
    if (role == kTotalsRole) {
        return index.row() == 0;
    }
    if (index.row() == 0) {
        return totalsData(column, role);
    }
    const TensorReport* tensor = tensorAt(index.row());
    if (tensor == nullptr) {
        return {};
    }
    if (column < FirstSchemeColumn) {
        if (role != Qt::DisplayRole && role != kSortRole && role != Qt::ToolTipRole) {
            return column == ParametersColumn && role == Qt::TextAlignmentRole
                       ? QVariant(Qt::AlignRight | Qt::AlignVCenter)
                       : QVariant();
        }
        switch (column) {
        case NameColumn:
            return role == kSortRole ? QVariant(qlonglong(tensor->index))
                                     : QVariant(QString::fromStdString(tensor->name));
        case ParametersColumn:
            return role == kSortRole
                       ? QVariant(qlonglong(tensor->parameters()))
                       : QVariant(QLocale().toString(qlonglong(tensor->parameters())));
        default:
            return QString::fromStdString(tensor->dtype);
        }
    }
    const ReportResult* result = tensor->find(schemeAt(column).toStdString(), m_bits);
    const bool valid = result != nullptr && result->metrics.has_value();
    const std::optional<double> sqnr = valid ? result->metrics->sqnrDb : std::nullopt;
    switch (role) {
    case Qt::DisplayRole:
        return valid ? sqnrText(sqnr) : QStringLiteral("—");
    case kSortRole:
        // No error sorts above every SQNR, a failure below.
        return valid ? (sqnr ? *sqnr : qInf()) : -qInf();
    case Qt::TextAlignmentRole:
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::BackgroundRole: {
        if (!valid) {
            return {};
        }
        const double t =
            sqnr && m_high > m_low ? std::clamp((*sqnr - m_low) / (m_high - m_low), 0.0, 1.0) : 1.0;
        return QColor::fromHsvF(kRedHue + t * (kGreenHue - kRedHue), 0.45, 0.97);
    }
    case Qt::ToolTipRole:
        if (!valid) {
            return tr("%1 at %2 bits on %3: %4")
                .arg(schemeAt(column))
                .arg(m_bits)
                .arg(QString::fromStdString(tensor->name))
                .arg(result ? QString::fromStdString(result->error) : tr("not computed"));
        }
        return tr("%1 at %2 bits on %3\nSQNR %4 dB · MSE %5 · max |error| %6 · %7 bpw\n"
                  "Double-click to open it in the explorer")
            .arg(schemeAt(column))
            .arg(m_bits)
            .arg(QString::fromStdString(tensor->name), sqnrText(sqnr))
            .arg(result->metrics->mse, 0, 'g', 4)
            .arg(result->metrics->maxAbsError, 0, 'g', 4)
            .arg(result->bpw);
    default:
        return {};
    }
}

QVariant ModelTableModel::totalsData(int column, int role) const
{
    if (role == Qt::FontRole) {
        QFont font;
        font.setBold(true);
        return font;
    }
    if (column < FirstSchemeColumn) {
        if (role != Qt::DisplayRole && role != Qt::ToolTipRole) {
            return {};
        }
        if (column == NameColumn) {
            return tr("model (%1 tensors)").arg(m_reportRows.size());
        }
        if (column == ParametersColumn) {
            qlonglong parameters = 0;
            for (int row = 1; row <= int(m_reportRows.size()); ++row) {
                parameters += tensorAt(row)->parameters();
            }
            return QLocale().toString(parameters);
        }
        return {};
    }
    const std::size_t scheme = std::size_t(column - FirstSchemeColumn);
    if (scheme >= m_totals.size()) {
        return {};
    }
    const ReportTotal& total = m_totals[scheme];
    switch (role) {
    case Qt::DisplayRole:
        return total.failedTensors > 0 ? QStringLiteral("—") : sqnrText(total.sqnrDb);
    case Qt::TextAlignmentRole:
        return QVariant(Qt::AlignRight | Qt::AlignVCenter);
    case Qt::ToolTipRole:
        return total.failedTensors > 0
                   ? tr("%1 fails on %2 tensors at %3 bits")
                         .arg(schemeAt(column))
                         .arg(total.failedTensors)
                         .arg(m_bits)
                   : tr("The whole model with %1 at %2 bits: SQNR %3 dB (parameter-weighted), "
                        "%4 MB at %5 bpw")
                         .arg(schemeAt(column))
                         .arg(m_bits)
                         .arg(sqnrText(total.sqnrDb))
                         .arg(total.bytes / 1e6, 0, 'g', 4)
                         .arg(total.bpw, 0, 'g', 4);
    default:
        return {};
    }
}

QVariant ModelTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal) {
        return {};
    }
    if (role == Qt::DisplayRole) {
        switch (section) {
        case NameColumn:
            return tr("Tensor");
        case ParametersColumn:
            return tr("Parameters");
        case DtypeColumn:
            return tr("Dtype");
        default:
            return schemeAt(section);
        }
    }
    if (role == Qt::ToolTipRole && section >= FirstSchemeColumn) {
        return tr("SQNR (dB) of %1 at %2 bits").arg(schemeAt(section)).arg(m_bits);
    }
    return {};
}

void ModelTableModel::onStarted()
{
    beginResetModel();
    m_reportRows.clear();
    refreshTotalsAndScale();
    endResetModel();
}

void ModelTableModel::onTensorReported(int reportRow)
{
    // Rows after the inserted one moved down in the report.
    for (int& row : m_reportRows) {
        row += row >= reportRow ? 1 : 0;
    }
    const TensorReport& tensor = m_job->report().tensors[std::size_t(reportRow)];
    if (tensor.skipReason.empty()) {
        const auto at = std::lower_bound(m_reportRows.begin(), m_reportRows.end(), reportRow);
        const int tableRow = 1 + int(at - m_reportRows.begin());
        beginInsertRows({}, tableRow, tableRow);
        m_reportRows.insert(at, reportRow);
        endInsertRows();
    }
    refreshTotalsAndScale();
    emit dataChanged(index(0, 0), index(rowCount() - 1, columnCount() - 1));
}

void ModelTableModel::refreshTotalsAndScale()
{
    m_totals = reportTotalsAt(m_job->report(), m_bits);
    m_low = qInf();
    m_high = -qInf();
    for (int row = 1; row <= int(m_reportRows.size()); ++row) {
        for (int column = FirstSchemeColumn; column < columnCount(); ++column) {
            if (const auto sqnr = sqnrAt(row, column)) {
                m_low = std::min(m_low, *sqnr);
                m_high = std::max(m_high, *sqnr);
            }
        }
    }
}

bool ModelTableProxy::lessThan(const QModelIndex& left, const QModelIndex& right) const
{
    const bool leftTotals = left.data(ModelTableModel::kTotalsRole).toBool();
    const bool rightTotals = right.data(ModelTableModel::kTotalsRole).toBool();
    if (leftTotals || rightTotals) {
        // Whatever the order, the totals come first.
        return leftTotals == (sortOrder() == Qt::AscendingOrder);
    }
    return QSortFilterProxyModel::lessThan(left, right);
}

bool ModelTableProxy::filterAcceptsRow(int row, const QModelIndex& parent) const
{
    return row == 0 || QSortFilterProxyModel::filterAcceptsRow(row, parent);
}

} // namespace quantscope
