#pragma once

#include <QHash>
#include <QPair>
#include <QWidget>

class QLineEdit;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTableView;

namespace quantscope {

class ExplorerController;

// The tensors of the open file: name, shape, dtype, element count and, once a tensor has been
// loaded, its value range; then, greyed, the tensors the file holds that cannot be read, with the
// reason. A filter box narrows the list by name; choosing a row loads that tensor through the
// controller.
class TensorBrowser : public QWidget {
    Q_OBJECT

public:
    enum Column { NameColumn, ShapeColumn, DtypeColumn, ElementsColumn, RangeColumn };

    explicit TensorBrowser(QWidget* parent = nullptr);

    void setController(ExplorerController* controller);

    QTableView* table() const { return m_table; }
    QLineEdit* filterEdit() const { return m_filter; }
    // Rows passing the filter.
    int visibleRowCount() const;
    // The shown text of a visible row and column.
    QString text(int row, Column column) const;

signals:
    // The file's row count (readable and skipped tensors) changed (the window shows the browser
    // only for several).
    void tensorCountChanged(int count);

private:
    void onLoadFinished();
    void rebuild();
    void markCurrent();
    void onCurrentRowChanged();

    ExplorerController* m_controller = nullptr;
    QLineEdit* m_filter;
    QTableView* m_table;
    QStandardItemModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QString m_source;                             // the file the rows belong to
    QHash<QString, QPair<float, float>> m_ranges; // tensors loaded so far
    bool m_syncing = false;
};

} // namespace quantscope
