#pragma once

#include "quantscope/tensor_file.h"

#include <QFutureWatcher>
#include <QHash>
#include <QPair>
#include <QWidget>

#include <memory>

class QLineEdit;
class QSortFilterProxyModel;
class QStandardItemModel;
class QTableView;
class QThreadPool;

namespace quantscope {

class ExplorerController;

// The tensors of the open file: name, shape, dtype, element count and value range; then, greyed,
// the tensors the file holds that cannot be read, with the reason. The ranges are scanned in the
// background, one tensor after another (a memory-mapped tensor is read in place), and the scan
// stops when another file opens. A filter box narrows the list by name; choosing a row loads that
// tensor through the controller.
class TensorBrowser : public QWidget {
    Q_OBJECT

public:
    enum Column { NameColumn, ShapeColumn, DtypeColumn, ElementsColumn, RangeColumn };

    explicit TensorBrowser(QWidget* parent = nullptr);
    ~TensorBrowser() override;

    void setController(ExplorerController* controller);

    QTableView* table() const { return m_table; }
    QLineEdit* filterEdit() const { return m_filter; }
    // Rows passing the filter.
    int visibleRowCount() const;
    // The shown text of a visible row and column.
    QString text(int row, Column column) const;
    // Whether the background scan of the ranges is still running.
    bool isScanning() const;

    // The single low-priority thread the scans run on, apart from the explorer's work.
    static QThreadPool* scanPool();

signals:
    // The file's row count (readable and skipped tensors) changed (the window shows the browser
    // only for several).
    void tensorCountChanged(int count);
    void scanFinished();

private:
    // One tensor's finite value range, from the scan.
    struct ScannedRange {
        QString name;
        float min = 0.0f;
        float max = 0.0f;
        bool hasValues = false; // false: no finite value (or the tensor failed to load)
        QString error;
        int generation = 0; // which scan it belongs to
    };

    void onLoadFinished();
    void rebuild();
    void markCurrent();
    void onCurrentRowChanged();
    void setRange(const QString& name, QPair<float, float> range);
    void startScan();
    void onScanned(int index);

    ExplorerController* m_controller = nullptr;
    QLineEdit* m_filter;
    QTableView* m_table;
    QStandardItemModel* m_model;
    QSortFilterProxyModel* m_proxy;
    QString m_source;                             // the file the rows belong to
    std::shared_ptr<const TensorFile> m_file;     // and the file itself
    QHash<QString, QPair<float, float>> m_ranges; // known ranges by tensor name
    QHash<QString, int> m_rowOf;                  // model row of each readable tensor
    QFutureWatcher<ScannedRange> m_scan;
    int m_scanGeneration = 0; // counts files: results of an earlier scan are dropped
    bool m_syncing = false;
};

} // namespace quantscope
