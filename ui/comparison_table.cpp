#include "comparison_table.h"

#include "comparison_model.h"
#include "explorer_controller.h"

#include <QHeaderView>
#include <QLabel>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStyle>
#include <QTableView>
#include <QVBoxLayout>

namespace quantscope {
namespace {

// Which metrics a narrow panel keeps: the scheme and its SQNR always, then in this order.
constexpr ComparisonModel::Column kColumnPriority[] = {ComparisonModel::Scheme,
                                                       ComparisonModel::SqnrDb,
                                                       ComparisonModel::Mse,
                                                       ComparisonModel::BitsPerWeight,
                                                       ComparisonModel::LevelsUsed,
                                                       ComparisonModel::ClippedPercent,
                                                       ComparisonModel::EntropyBits,
                                                       ComparisonModel::MaxAbsError,
                                                       ComparisonModel::Rmse,
                                                       ComparisonModel::MeanError,
                                                       ComparisonModel::WeightedEntropy};
static_assert(std::size(kColumnPriority) == ComparisonModel::ColumnCount);
constexpr int kAlwaysShown = 2;
constexpr int kCellPadding = 10;
constexpr int kMinBelow = 220; // what the panel under the table keeps at least
constexpr int kSlack = 4;      // pixels between the computed and the laid-out height

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
    m_title->setObjectName(QStringLiteral("comparisonTitle"));
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
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 2);
    m_view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_view->setToolTip(tr("Double-click a row to make that scheme current"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_title);
    layout->addWidget(m_view, 1);
    connect(m_view, &QTableView::doubleClicked, this, &ComparisonTable::onDoubleClicked);
    connect(m_model, &QAbstractItemModel::modelReset, this, &ComparisonTable::fitColumns);
    connect(m_model, &QAbstractItemModel::dataChanged, this, &ComparisonTable::fitColumns);
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
        m_model->setSweep(m_controller->comparison());
        m_model->setCurrentResult(m_controller->result());
        refreshTitle();
    };
    connect(controller, &ExplorerController::comparisonChanged, this, refresh);
    connect(controller, &ExplorerController::resultChanged, this, [this] {
        m_model->setCurrentResult(m_controller->result());
        refreshTitle();
    });
    connect(controller, &ExplorerController::schemeChanged, m_model,
            &ComparisonModel::setCurrentScheme);
    connect(controller, &ExplorerController::compareSchemeChanged, m_model,
            &ComparisonModel::setCompareScheme);
    m_model->setCurrentScheme(controller->schemeId());
    m_model->setCompareScheme(controller->compareSchemeId());
    refresh();
}

void ComparisonTable::refreshTitle()
{
    const SchemeSweep& sweep = m_controller->comparison();
    if (sweep.bits <= 0) {
        m_title->setText(tr("<b>Every scheme</b>"));
        return;
    }
    const QString granularity =
        sweep.granularity.isPerTensor()
            ? QString()
            : tr(", %1 where a scheme takes it")
                  .arg(QString::fromStdString(sweep.granularity.describe()));
    m_title->setText(tr("<b>Every scheme, %1 bits</b>%2: highlight follows your settings")
                         .arg(sweep.bits)
                         .arg(granularity));
    m_title->setToolTip(tr("The highlighted row follows your settings%1; the other schemes "
                           "use their default parameters")
                            .arg(m_model->currentRowIsCustom() ? tr(" (marked *)") : QString()));
    fitColumns(); // the title's height may have changed
}

int ComparisonTable::contentHeight() const
{
    const int rows = m_model->rowCount();
    const int title = m_title->heightForWidth(width());
    const QHeaderView* header = m_view->horizontalHeader();
    return (title > 0 ? title : m_title->sizeHint().height()) +
           std::max(header->height(), header->sizeHint().height()) +
           rows * m_view->verticalHeader()->defaultSectionSize() + 2 * m_view->frameWidth() +
           layout()->spacing() + kSlack;
}

void ComparisonTable::resizeEvent(QResizeEvent* event)
{
    QWidget::resizeEvent(event);
    fitColumns();
}

int ComparisonTable::columnWidth(int column) const
{
    // The widest text of the column (in bold: the current row is), or its header.
    QFont bold = m_view->font();
    bold.setBold(true);
    const QFontMetrics metrics(bold);
    int widest = m_view->horizontalHeader()->sectionSizeHint(column);
    for (int row = 0; row < m_model->rowCount(); ++row) {
        const QModelIndex index = m_model->index(row, column);
        if (column != ComparisonModel::Scheme &&
            !index.data(ComparisonModel::kSortRole).isValid()) {
            continue; // an error message: elided, its tooltip has it all
        }
        const QString text = index.data().toString();
        widest = std::max(widest, metrics.horizontalAdvance(text) + kCellPadding);
    }
    return widest;
}

void ComparisonTable::fitColumns()
{
    // Room for a vertical scroll bar, should one appear after the fit.
    const int chrome =
        2 * m_view->frameWidth() + m_view->style()->pixelMetric(QStyle::PM_ScrollBarExtent);
    // The columns always shown never get cut: the panel is at least as wide as they are.
    int alwaysShown = chrome;
    for (int i = 0; i < kAlwaysShown; ++i) {
        alwaysShown += columnWidth(kColumnPriority[i]);
    }
    setMinimumWidth(alwaysShown);
    const int available = m_view->width() - chrome;
    if (available <= 0) {
        return;
    }
    int used = 0;
    QStringList hidden;
    bool full = false;
    for (int i = 0; i < int(std::size(kColumnPriority)); ++i) {
        const int column = kColumnPriority[i];
        const int width = columnWidth(column);
        full = full || (i >= kAlwaysShown && used + width > available);
        m_view->setColumnHidden(column, full);
        if (full) {
            hidden << m_model->headerData(column, Qt::Horizontal).toString();
            continue;
        }
        m_view->setColumnWidth(column, width);
        used += width;
    }
    // No empty space under the rows: the panel below gets it.
    const int content = contentHeight();
    setMaximumHeight(content);
    if (auto* splitter = qobject_cast<QSplitter*>(parentWidget())) {
        QList<int> sizes = splitter->sizes();
        const int at = splitter->indexOf(this);
        if (at + 1 < sizes.size()) {
            const int both = sizes[at] + sizes[at + 1];
            const int wanted = std::min(content, std::max(both - kMinBelow, both / 2));
            if (wanted != sizes[at]) {
                sizes[at] = wanted;
                sizes[at + 1] = both - wanted;
                splitter->setSizes(sizes);
            }
        }
    }
    m_title->setToolTip(hidden.isEmpty()
                            ? QString()
                            : tr("Widen the panel to see more columns (%1); a row's tooltip "
                                 "lists every metric")
                                  .arg(hidden.join(QStringLiteral(", "))));
}

void ComparisonTable::onDoubleClicked(const QModelIndex& index)
{
    if (m_controller != nullptr && index.isValid()) {
        m_controller->setScheme(index.data(ComparisonModel::kSchemeIdRole).toString());
    }
}

} // namespace quantscope
