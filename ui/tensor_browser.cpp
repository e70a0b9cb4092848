#include "tensor_browser.h"

#include "explorer_controller.h"

#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

#include <exception>

namespace quantscope {
namespace {

QStandardItem* item(const QString& text, const QVariant& sortKey = {})
{
    auto* cell = new QStandardItem(text);
    cell->setEditable(false);
    cell->setToolTip(text);
    if (sortKey.isValid()) {
        cell->setData(sortKey, Qt::UserRole);
    }
    return cell;
}

QString rangeText(QPair<float, float> range)
{
    return QStringLiteral("[%1, %2]").arg(range.first, 0, 'g', 6).arg(range.second, 0, 'g', 6);
}

} // namespace

TensorBrowser::TensorBrowser(QWidget* parent)
    : QWidget(parent)
    , m_filter(new QLineEdit(this))
    , m_table(new QTableView(this))
    , m_model(new QStandardItemModel(0, 5, this))
    , m_proxy(new QSortFilterProxyModel(this))
{
    setObjectName(QStringLiteral("tensorBrowser"));
    m_filter->setObjectName(QStringLiteral("tensorFilter"));
    m_filter->setPlaceholderText(tr("Filter tensors by name"));
    m_filter->setClearButtonEnabled(true);
    m_table->setObjectName(QStringLiteral("tensorTable"));
    m_model->setHorizontalHeaderLabels(
        {tr("Name"), tr("Shape"), tr("Dtype"), tr("Elements"), tr("Range")});
    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterKeyColumn(NameColumn);
    m_proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
    m_proxy->setSortRole(Qt::UserRole);
    m_table->setModel(m_proxy);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(-1, Qt::AscendingOrder); // file order until the user sorts
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setStretchLastSection(true);
    m_table->setToolTip(tr("The file's tensors; select one to explore it"));

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    layout->addWidget(m_filter);
    layout->addWidget(m_table, 1);

    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);
    connect(m_table->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &TensorBrowser::onCurrentRowChanged);
}

void TensorBrowser::setController(ExplorerController* controller)
{
    if (m_controller) {
        disconnect(m_controller, nullptr, this, nullptr);
    }
    m_controller = controller;
    if (controller) {
        connect(controller, &ExplorerController::loadFinished, this,
                &TensorBrowser::onLoadFinished);
        onLoadFinished();
    }
}

int TensorBrowser::visibleRowCount() const
{
    return m_proxy->rowCount();
}

QString TensorBrowser::text(int row, Column column) const
{
    return m_proxy->index(row, column).data().toString();
}

void TensorBrowser::onLoadFinished()
{
    const auto tensor = m_controller->tensor();
    const auto dist = m_controller->distribution();
    const int rows = int(m_controller->fileTensors().size() + m_controller->fileSkipped().size());
    bool sameList = m_source == m_controller->source() && m_model->rowCount() == rows;
    for (int row = 0; sameList && row < int(m_controller->fileTensors().size()); ++row) {
        sameList = m_model->item(row, NameColumn)->text() ==
                   QString::fromStdString(m_controller->fileTensors()[row].name);
    }
    if (!sameList) {
        m_source = m_controller->source();
        m_ranges.clear();
    }
    if (tensor && dist && !dist->empty()) {
        m_ranges.insert(QString::fromStdString(tensor->name()), {dist->min(), dist->max()});
    }
    if (!sameList) {
        rebuild();
    } else {
        for (int row = 0; row < m_model->rowCount(); ++row) {
            const auto range = m_ranges.find(m_model->item(row, NameColumn)->text());
            if (range != m_ranges.end()) {
                m_model->setItem(row, RangeColumn, item(rangeText(*range), range->first));
            }
        }
    }
    markCurrent();
}

void TensorBrowser::rebuild()
{
    const QSignalBlocker block(m_table->selectionModel());
    m_model->removeRows(0, m_model->rowCount());
    const auto& tensors = m_controller->fileTensors();
    for (int index = 0; index < int(tensors.size()); ++index) {
        const TensorInfo& info = tensors[index];
        const QString name = QString::fromStdString(info.name);
        QString elements = tr("?");
        qlonglong count = -1;
        try {
            count = elementCount(info.shape);
            elements = QLocale().toString(count);
        } catch (const std::exception&) {
            // An overflowing shape is shown as unknown; loading it reports the problem.
        }
        const auto range = m_ranges.find(name);
        const QList<QStandardItem*> row{
            item(name, index), item(QString::fromStdString(shapeToString(info.shape)), index),
            item(QString::fromStdString(info.dtype), QString::fromStdString(info.dtype)),
            item(elements, count),
            range != m_ranges.end() ? item(rangeText(*range), range->first)
                                    : item(QString(), QVariant(qInf()))};
        if (!info.note.empty()) { // e.g. the stored scales of a dequantized tensor
            const QString note = QString::fromStdString(info.note);
            row[NameColumn]->setToolTip(name + "\n" + note);
            row[DtypeColumn]->setToolTip(QString::fromStdString(info.dtype) + "\n" + note);
        }
        m_model->appendRow(row);
    }
    // Tensors the file holds but QuantScope cannot read: greyed, not selectable, the reason shown.
    const int listed = int(tensors.size());
    const auto& skipped = m_controller->fileSkipped();
    for (int index = 0; index < int(skipped.size()); ++index) {
        const QString name = QString::fromStdString(skipped[index].name);
        const QString reason = QString::fromStdString(skipped[index].reason);
        QList<QStandardItem*> row{item(name, listed + index), item(QString(), listed + index),
                                  item(tr("skipped"), tr("skipped")), item(QString(), -1),
                                  item(reason, QVariant(qInf()))};
        for (QStandardItem* cell : row) {
            cell->setFlags(Qt::ItemIsEnabled);
            cell->setForeground(palette().brush(QPalette::Disabled, QPalette::Text));
            cell->setToolTip(tr("%1 was skipped: %2").arg(name, reason));
        }
        m_model->appendRow(row);
    }
    m_table->resizeColumnsToContents();
    emit tensorCountChanged(m_model->rowCount());
}

void TensorBrowser::markCurrent()
{
    const auto tensor = m_controller->tensor();
    if (!tensor) {
        return;
    }
    const QString name = QString::fromStdString(tensor->name());
    m_syncing = true;
    for (int row = 0; row < m_proxy->rowCount(); ++row) {
        if (m_proxy->index(row, NameColumn).data().toString() == name) {
            m_table->selectRow(row);
            m_table->scrollTo(m_proxy->index(row, NameColumn));
            break;
        }
    }
    m_syncing = false;
}

void TensorBrowser::onCurrentRowChanged()
{
    if (m_syncing || !m_controller) {
        return;
    }
    const QModelIndex current = m_table->selectionModel()->currentIndex();
    if (!current.isValid()) {
        return;
    }
    if (!(m_proxy->flags(current) & Qt::ItemIsSelectable)) {
        return; // a skipped tensor
    }
    const QString name = m_proxy->index(current.row(), NameColumn).data().toString();
    const auto tensor = m_controller->tensor();
    if (tensor && QString::fromStdString(tensor->name()) == name) {
        return;
    }
    m_controller->selectTensor(name);
}

} // namespace quantscope
