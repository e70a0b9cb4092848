#pragma once

#include "quantscope/model_report.h"

#include <QString>
#include <QWidget>

class QCustomPlot;

namespace quantscope {

// The layer a tensor belongs to, from its name: everything up to the first all-digit component
// ("model.layers.12.mlp.up_proj.weight" -> "model.layers.12", "blk.3.attn_q.weight" -> "blk.3"),
// else the name without its last component ("model.embed_tokens.weight" -> "model.embed_tokens").
QString layerOf(const QString& tensorName);

// SQNR along the model's depth: the reported tensors in file order, one curve per scheme at the
// chosen bits (the highlighted scheme drawn bold), layers shaded alternately and labelled.
class ModelDepthPlot : public QWidget {
    Q_OBJECT

public:
    explicit ModelDepthPlot(QWidget* parent = nullptr);

    void setReport(const ModelReport* report, int bits, const QString& highlighted);
    QCustomPlot* plot() const { return m_plot; }
    // Points per scheme drawn (for tests): the tensors with a finite SQNR.
    int pointCount(const QString& scheme) const;

private:
    void rebuild();

    QCustomPlot* m_plot;
    const ModelReport* m_report = nullptr;
    int m_bits = 4;
    QString m_highlighted;
};

} // namespace quantscope
