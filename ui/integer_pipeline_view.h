#pragma once

#include "quantscope/integer_pipeline.h"

#include <QWidget>

#include <optional>

class QLabel;
class QLineEdit;
class QSpinBox;
class QTableWidget;

namespace quantscope {

// The integer W·A + B of one output (seed 002), every integer shown: editable weights,
// activations, bias, bits and the two calibrated ranges; a table of w, w_q, a, a_q and the
// products; then the multipliers, the bias code, the int32 accumulator, the requantized 8-bit
// output, its dequantized value and the error. It opens on the document's example. The run is a
// handful of multiplications, done as the inputs are edited.
class IntegerPipelineView : public QWidget {
    Q_OBJECT

public:
    // Table rows.
    enum Row { WeightRow, WeightCodeRow, ActivationRow, ActivationCodeRow, ProductRow, RowCount };

    explicit IntegerPipelineView(QWidget* parent = nullptr);

    // The inputs last parsed successfully (the editors may hold text that does not parse).
    const IntegerLinearProblem& problem() const { return m_problem; }
    void setProblem(const IntegerLinearProblem& problem);
    // The run of problem(); empty when it fails (errorText() says why).
    const std::optional<IntegerLinearResult>& result() const { return m_result; }
    QString errorText() const;

    QLineEdit* weightsEdit() const { return m_weights; }
    QLineEdit* activationsEdit() const { return m_activations; }
    QLineEdit* biasEdit() const { return m_bias; }
    QSpinBox* bitsSpin() const { return m_bits; }
    QLineEdit* activationRangeEdit() const { return m_activationRange; }
    QLineEdit* outputRangeEdit() const { return m_outputRange; }
    QTableWidget* table() const { return m_table; }
    // The rich text of the scalar steps (multipliers, bias, accumulator, requantization).
    QString chainText() const;

signals:
    void problemChanged();

private:
    void onEdited();
    void run();
    void showResult();

    QLineEdit* m_weights;
    QLineEdit* m_activations;
    QLineEdit* m_bias;
    QSpinBox* m_bits;
    QLineEdit* m_activationRange;
    QLineEdit* m_outputRange;
    QLabel* m_error;
    QTableWidget* m_table;
    QLabel* m_chain;
    IntegerLinearProblem m_problem;
    std::optional<IntegerLinearResult> m_result;
    bool m_filling = false;
};

} // namespace quantscope
