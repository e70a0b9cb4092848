#include "integer_pipeline_view.h"

#include <QGridLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QScrollArea>
#include <QSpinBox>
#include <QStyle>
#include <QTableWidget>
#include <QVBoxLayout>

#include <exception>

namespace quantscope {
namespace {

constexpr int kDigits = 7;
constexpr int kMinBits = 2;
constexpr int kMaxBits = 16;

QString num(double value)
{
    return QString::number(value, 'g', kDigits);
}

QString listText(const std::vector<double>& values)
{
    QStringList items;
    for (double v : values) {
        items << num(v);
    }
    return items.join(QStringLiteral(", "));
}

// "1.5, -2 3" (commas, semicolons or spaces; − as minus) as numbers; nothing when a word is not
// a number.
std::optional<std::vector<double>> parseNumbers(QString text)
{
    text.replace(QChar(0x2212), QLatin1Char('-'));
    static const QRegularExpression separators(QStringLiteral("[,;\\s]+"));
    std::vector<double> values;
    for (const QString& word : text.split(separators, Qt::SkipEmptyParts)) {
        bool ok = false;
        const double value = word.toDouble(&ok);
        if (!ok) {
            return std::nullopt;
        }
        values.push_back(value);
    }
    return values;
}

// An optional range: empty text is "auto".
std::optional<std::optional<double>> parseRange(const QString& text)
{
    if (text.trimmed().isEmpty()) {
        return std::optional<double>();
    }
    const auto values = parseNumbers(text);
    if (!values || values->size() != 1) {
        return std::nullopt;
    }
    return std::optional<double>(values->front());
}

QLineEdit* makeEdit(const QString& name, const QString& tip, QWidget* parent)
{
    auto* edit = new QLineEdit(parent);
    edit->setObjectName(name);
    edit->setToolTip(tip);
    return edit;
}

} // namespace

IntegerPipelineView::IntegerPipelineView(QWidget* parent)
    : QWidget(parent)
    , m_weights(makeEdit(QStringLiteral("pipelineWeights"),
                         tr("The weights W of one output, separated by commas"), this))
    , m_activations(makeEdit(QStringLiteral("pipelineActivations"),
                             tr("The activations A, as many as weights"), this))
    , m_bias(makeEdit(QStringLiteral("pipelineBias"), tr("The bias B (empty: none)"), this))
    , m_bits(new QSpinBox(this))
    , m_activationRange(makeEdit(
          QStringLiteral("pipelineActivationRange"),
          tr("The activations' calibrated range a_A; codes beyond it saturate (empty: max|A|)"),
          this))
    , m_outputRange(makeEdit(QStringLiteral("pipelineOutputRange"),
                             tr("The next layer's range a2 (empty: max|result|)"), this))
    , m_error(new QLabel(this))
    , m_table(new QTableWidget(this))
    , m_chain(new QLabel(this))
{
    setObjectName(QStringLiteral("integerPipelineView"));
    m_bits->setObjectName(QStringLiteral("pipelineBits"));
    m_bits->setRange(kMinBits, kMaxBits);
    m_bits->setToolTip(tr("Bit width of weights, activations and the output codes"));
    m_activationRange->setPlaceholderText(tr("max|A|"));
    m_outputRange->setPlaceholderText(tr("max|result|"));
    m_error->setObjectName(QStringLiteral("pipelineError"));
    m_error->setStyleSheet(QStringLiteral("color: #8a1020;"));
    m_error->setWordWrap(true);
    m_error->hide();
    m_table->setObjectName(QStringLiteral("pipelineTable"));
    m_table->setRowCount(RowCount);
    m_table->setVerticalHeaderLabels(
        {tr("w"), tr("w_q = round(w·s_w)"), tr("a"), tr("a_q = round(a·s_a)"), tr("w_q · a_q")});
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->verticalHeader()->setDefaultSectionSize(m_table->fontMetrics().height() + 6);
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    m_chain->setObjectName(QStringLiteral("pipelineChain"));
    m_chain->setTextFormat(Qt::RichText);
    m_chain->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_chain->setAlignment(Qt::AlignTop | Qt::AlignLeft);

    auto* inputs = new QWidget(this);
    inputs->setObjectName(QStringLiteral("integerPipelineInputs"));
    auto* example = new QPushButton(tr("Example"), inputs);
    example->setObjectName(QStringLiteral("pipelineExample"));
    example->setToolTip(tr("Back to the source document's example: W, A, B, 8 bits, "
                           "a_A = 6, a_2 = 150"));
    const auto label = [inputs](const QString& text, QWidget* buddy) {
        auto* l = new QLabel(text, inputs);
        l->setBuddy(buddy);
        return l;
    };
    // Narrow enough for the centre column of a 1280-pixel window.
    auto* grid = new QGridLayout(inputs);
    grid->setContentsMargins(0, 0, 0, 0);
    grid->addWidget(label(tr("&W"), m_weights), 0, 0);
    grid->addWidget(m_weights, 0, 1, 1, 8);
    grid->addWidget(label(tr("&A"), m_activations), 1, 0);
    grid->addWidget(m_activations, 1, 1, 1, 8);
    grid->addWidget(label(tr("B"), m_bias), 2, 0);
    grid->addWidget(m_bias, 2, 1);
    grid->addWidget(label(tr("a<sub>A</sub>"), m_activationRange), 2, 2);
    grid->addWidget(m_activationRange, 2, 3);
    grid->addWidget(label(tr("a<sub>2</sub>"), m_outputRange), 2, 4);
    grid->addWidget(m_outputRange, 2, 5);
    grid->addWidget(label(tr("bits"), m_bits), 2, 6);
    grid->addWidget(m_bits, 2, 7);
    grid->addWidget(example, 2, 8);
    grid->setColumnStretch(1, 1);
    grid->setColumnStretch(3, 1);
    grid->setColumnStretch(5, 1);

    auto* content = new QWidget(this);
    auto* layout = new QVBoxLayout(content);
    layout->setContentsMargins(4, 4, 4, 4);
    auto* title = new QLabel(tr("<b>Integer W·A + B</b> — symmetric codes, int32 "
                                "accumulation, requantization to the next layer"),
                             content);
    title->setWordWrap(true);
    layout->addWidget(title);
    layout->addWidget(inputs);
    layout->addWidget(m_error);
    layout->addWidget(m_table);
    layout->addWidget(m_chain);
    layout->addStretch(1);
    auto* scroll = new QScrollArea(this);
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    outer->addWidget(scroll);

    for (QLineEdit* edit : {m_weights, m_activations, m_bias, m_activationRange, m_outputRange}) {
        connect(edit, &QLineEdit::textChanged, this, &IntegerPipelineView::onEdited);
    }
    connect(m_bits, &QSpinBox::valueChanged, this, &IntegerPipelineView::onEdited);
    connect(example, &QPushButton::clicked, this, [this] { setProblem(seed002Example()); });
    setProblem(seed002Example());
}

void IntegerPipelineView::setProblem(const IntegerLinearProblem& problem)
{
    {
        m_filling = true;
        m_weights->setText(listText(problem.input.weights));
        m_activations->setText(listText(problem.input.activations));
        m_bias->setText(listText(problem.input.bias));
        m_bits->setValue(problem.options.bits);
        m_activationRange->setText(
            problem.options.activationRange ? num(*problem.options.activationRange) : QString());
        m_outputRange->setText(problem.options.outputRange ? num(*problem.options.outputRange)
                                                           : QString());
        m_filling = false;
    }
    m_problem = problem;
    run();
}

QString IntegerPipelineView::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

QString IntegerPipelineView::chainText() const
{
    return m_chain->text();
}

void IntegerPipelineView::onEdited()
{
    if (m_filling) {
        return;
    }
    const auto weights = parseNumbers(m_weights->text());
    const auto activations = parseNumbers(m_activations->text());
    const auto bias = parseNumbers(m_bias->text());
    const auto activationRange = parseRange(m_activationRange->text());
    const auto outputRange = parseRange(m_outputRange->text());
    QString problemText;
    if (!weights || weights->empty()) {
        problemText = tr("W must be a list of numbers");
    } else if (!activations) {
        problemText = tr("A must be a list of numbers");
    } else if (!bias || bias->size() > 1) {
        problemText = tr("B must be one number (or empty)");
    } else if (!activationRange) {
        problemText = tr("a_A must be a number (or empty for max|A|)");
    } else if (!outputRange) {
        problemText = tr("a_2 must be a number (or empty for max|result|)");
    }
    if (!problemText.isEmpty()) {
        m_error->setText(problemText);
        m_error->show();
        return; // the last good inputs stay shown
    }
    IntegerLinearProblem problem;
    problem.input.outFeatures = 1;
    problem.input.batch = 1;
    problem.input.inFeatures = std::int64_t(weights->size());
    problem.input.weights = *weights;
    problem.input.activations = *activations;
    problem.input.bias = *bias;
    problem.options.bits = m_bits->value();
    problem.options.activationRange = *activationRange;
    problem.options.outputRange = *outputRange;
    m_problem = problem;
    run();
}

void IntegerPipelineView::run()
{
    try {
        m_result = runIntegerLinear(m_problem.input, m_problem.options);
        m_error->hide();
    } catch (const std::exception& e) {
        m_result.reset();
        m_error->setText(QString::fromStdString(e.what()));
        m_error->show();
    }
    showResult();
    emit problemChanged();
}

void IntegerPipelineView::showResult()
{
    if (!m_result) {
        m_table->setColumnCount(0);
        m_chain->clear();
        return;
    }
    const IntegerLinearResult& r = *m_result;
    const int n = int(r.inFeatures);
    m_table->setColumnCount(n);
    for (int i = 0; i < n; ++i) {
        const std::int64_t wq = r.weightCodes[i];
        const std::int64_t aq = r.activationCodes[i];
        const QString cells[RowCount] = {num(m_problem.input.weights[i]), QString::number(wq),
                                         num(m_problem.input.activations[i]), QString::number(aq),
                                         QString::number(wq * aq)};
        for (int row = 0; row < RowCount; ++row) {
            auto* item = new QTableWidgetItem(cells[row]);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_table->setItem(row, i, item);
        }
    }
    m_table->setFixedHeight(m_table->horizontalHeader()->height() +
                            RowCount * m_table->verticalHeader()->defaultSectionSize() +
                            2 * m_table->frameWidth() +
                            m_table->style()->pixelMetric(QStyle::PM_ScrollBarExtent));

    const std::int64_t biasCode = r.biasCodes[0];
    const std::int64_t acc = r.accumulators[0];
    const QString q = QString::number(r.qmax);
    const auto row = [](const QString& what, const QString& how, const QString& value) {
        return QStringLiteral("<tr><td>%1</td><td>%2</td><td align=right><b>%3</b></td></tr>")
            .arg(what, how, value);
    };
    QString rows;
    rows += row(tr("s<sub>w</sub> = q<sub>max</sub> / max|W|"),
                QStringLiteral("= %1 / %2 =").arg(q, num(r.weightRange)), num(r.weightMultiplier));
    rows += row(tr("s<sub>a</sub> = q<sub>max</sub> / a<sub>A</sub>"),
                QStringLiteral("= %1 / %2 =").arg(q, num(r.activationRange)),
                num(r.activationMultiplier));
    rows += row(tr("Σ w<sub>q</sub>·a<sub>q</sub>"), QString(), QString::number(acc - biasCode));
    rows += row(tr("b<sub>q</sub> = round(B · s<sub>w</sub>·s<sub>a</sub>)"),
                QStringLiteral("= round(%1 · %2) =")
                    .arg(num(m_problem.input.bias.empty() ? 0.0 : m_problem.input.bias[0]),
                         num(r.accumulatorMultiplier)),
                QString::number(biasCode));
    rows += row(tr("accumulator (int32) = Σ + b<sub>q</sub>"),
                r.exceedsInt32 ? tr("(beyond int32!)") : QString(), QString::number(acc));
    rows += row(tr("s<sub>2</sub> = q<sub>max</sub> / a<sub>2</sub>"),
                QStringLiteral("= %1 / %2 =").arg(q, num(r.outputRange)), num(r.outputMultiplier));
    rows += row(tr("requantize: s<sub>2</sub> / (s<sub>w</sub>·s<sub>a</sub>)"), QString(),
                num(r.requantCoefficient));
    rows += row(tr("y<sub>q</sub> = trunc(clip(coefficient · acc, ±q<sub>max</sub>))"), QString(),
                QString::number(r.requantized[0]));
    rows += row(tr("dequantized y<sub>q</sub> / s<sub>2</sub>"), QString(), num(r.dequantized[0]));
    rows += row(tr("float W·A + B"), QString(), num(r.floatResult[0]));
    const auto& relative = r.relativeError[0];
    rows += row(tr("error"), QString(),
                relative ? QStringLiteral("%1 %").arg(100.0 * *relative, 0, 'f', 6)
                         : num(r.absoluteError[0]));
    m_chain->setText(QStringLiteral("<table cellspacing=3>%1</table>").arg(rows));
}

} // namespace quantscope
