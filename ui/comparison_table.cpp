#include "comparison_table.h"

#include "comparison_model.h"
#include "explorer_controller.h"

#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace quantscope {
namespace {

// Rows without a number in the sorted column (errors, pending per-slice designs) stay at the
// bottom whichever way the column is sorted.
class ErrorsLastProxy final : public QSortFilterProxyModel {
public:
    using QSortFilterProxyModel::QSortFilterProxyModel;

protected:
    bool lessThan(const QModelIndex& left, const QModelIndex& right) const override
    {
        const QVariant a = left.data(sortRole());
        const QVariant b = right.data(sortRole());
        if (a.isValid() != b.isValid()) {
            // Descending order reverses the result: an invalid row must compare "less" then.
            const bool descending = sortOrder() == Qt::DescendingOrder;
            return a.isValid() != descending;
        }
        return QSortFilterProxyModel::lessThan(left, right);
    }
};

} // namespace

ComparisonTable::ComparisonTable(QWidget* parent)
    : QWidget(parent)
    , m_model(new ComparisonModel(this))
    , m_proxy(new ErrorsLastProxy(this))
    , m_view(new QTableView(this))
    , m_title(new QLabel(tr("<b>Every scheme</b>"), this))
{
    setObjectName(QStringLiteral("comparisonTable"));
    m_view->setObjectName(QStringLiteral("comparisonView"));
    m_title->setWordWrap(true);
    m_proxy->setSourceModel(m_model);
    m_proxy->setSortRole(ComparisonModel::kSortRole);
    m_proxy->setDynamicSortFilter(true);
    m_view->setModel(m_proxy);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(ComparisonModel::SqnrDb, Qt::DescendingOrder);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_view->setToolTip(tr("Double-click a row to make that scheme current"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_view, 1);
    connect(m_view, &QTableView::doubleClicked, this, &ComparisonTable::onDoubleClicked);
}

void ComparisonTable::setController(ExplorerController* controller)
{
    if (m_controller != nullptr) {
        disconnect(m_controller, nullptr, this, nullptr);
    }
    m_controller = controller;
    if (controller == nullptr) {
        return;
    }
    const auto refresh = [this] {
        const SchemeSweep& sweep = m_controller->comparison();
        m_model->setSweep(sweep);
        QString title = sweep.bits > 0 ? tr("<b>Every scheme at %1 bits</b>").arg(sweep.bits)
                                       : tr("<b>Every scheme</b>");
        if (!sweep.granularity.isPerTensor()) {
            title += tr(", %1 where a scheme takes it")
                         .arg(QString::fromStdString(sweep.granularity.describe()));
        }
        m_title->setText(title);
    };
    connect(controller, &ExplorerController::comparisonChanged, this, refresh);
    connect(controller, &ExplorerController::schemeChanged, m_model,
            &ComparisonModel::setCurrentScheme);
    connect(controller, &ExplorerController::compareSchemeChanged, m_model,
            &ComparisonModel::setCompareScheme);
    m_model->setCurrentScheme(controller->schemeId());
    m_model->setCompareScheme(controller->compareSchemeId());
    refresh();
}

void ComparisonTable::onDoubleClicked(const QModelIndex& index)
{
    if (m_controller != nullptr && index.isValid()) {
        m_controller->setScheme(index.data(ComparisonModel::kSchemeIdRole).toString());
    }
}

} // namespace quantscope
