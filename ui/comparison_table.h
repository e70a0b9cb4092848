#pragma once

#include <QWidget>

class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace quantscope {

class ComparisonModel;
class ExplorerController;

// Every scheme at the current bits, sortable by any column; the current scheme's row is
// highlighted, follows the sliders (the others stay at their defaults), and double-clicking a row
// makes that scheme current. The columns that fit the panel's width are shown, most telling
// first (scheme, SQNR, MSE, levels used, clipped, …), so nothing hides behind a scrollbar; a row's
// tooltip lists every metric.
class ComparisonTable : public QWidget {
    Q_OBJECT

public:
    explicit ComparisonTable(QWidget* parent = nullptr);

    void setController(ExplorerController* controller);

    ComparisonModel* model() const { return m_model; }
    QSortFilterProxyModel* proxy() const { return m_proxy; }
    QTableView* view() const { return m_view; }
    QLabel* title() const { return m_title; }
    // The height that shows the title, the header and every row.
    int contentHeight() const;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    void onDoubleClicked(const QModelIndex& index);
    void refreshTitle();
    // Shows the columns that fit the view's width, in priority order.
    void fitColumns();
    int columnWidth(int column) const;

    ExplorerController* m_controller = nullptr;
    ComparisonModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QTableView* m_view;
    QLabel* m_title;
};

} // namespace quantscope
