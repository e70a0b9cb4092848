#pragma once

#include <QWidget>

class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace quantscope {

class ComparisonModel;
class ExplorerController;

// Every scheme at the current bits, sortable by any column; the current scheme's row is
// highlighted and double-clicking a row makes that scheme current.
class ComparisonTable : public QWidget {
    Q_OBJECT

public:
    explicit ComparisonTable(QWidget* parent = nullptr);

    void setController(ExplorerController* controller);

    ComparisonModel* model() const { return m_model; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    QTableView* view() const { return m_view; }

private:
    void onDoubleClicked(const QModelIndex& index);

    ExplorerController* m_controller = nullptr;
    ComparisonModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_view;
    QLabel* m_title;
};

} // namespace quantscope
