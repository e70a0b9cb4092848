// `linear --weights W --activations A [--bias B]`: one linear layer Y = W·A + B run the way an
// integer accelerator runs it (seed 002), printing every intermediate.

#include "arguments.h"
#include "cli_common.h"
#include "commands.h"
#include "json_writer.h"

#include "quantscope/errors.h"
#include "quantscope/integer_pipeline.h"
#include "quantscope/npy.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace quantscope::cli {

namespace {

const char* const kHelp =
    R"(usage: quantscope-cli linear --weights W --activations A [--bias B] [--bits 8]
               [--activation-range A] [--out-range A2] [--json]

Runs Y = W·A + B with symmetric integer quantization: weights and activations to codes in
[-qmax, qmax] (qmax = 2^(bits-1) - 1, multipliers s = qmax / range), the bias at s_w·s_a,
integer (int32) accumulation, requantization to the next layer's range, dequantization, and the
error against the float result.

  --weights W            [out, in] or [in] (one output): a .npy (or any tensor file) or an
                         inline comma-separated list, e.g. -23.543,8.533,1.012
  --activations A        [batch, in] or [in]: a file or an inline list
  --bias B               [out] or one number for every output: a file, list or number
  --bits B               bit width, 2..16 (default 8)
  --activation-range A   the activations' calibrated range (default max|A|)
  --out-range A2         the next layer's range (default max|float result|)
  --json                 print every intermediate as JSON

.npy files are read in double (a float64 .npy keeps its precision); other tensor files give
float32 values; inline numbers keep full double precision, so
  linear --weights -23.543,8.533,1.012,-12.4756,34.53 \
         --activations 0.32432,1.123213,0.234324,5.234234,4.234323 \
         --bias 33.1 --activation-range 6 --out-range 150
reproduces seed 002 exactly (bias 2577, accumulator 9056, requantized 98, error 0.386394 %).
)";

// Values of one operand and where they came from (for messages).
struct Operand {
    std::string source;
    Shape shape;
    std::vector<double> values;
};

// "1.5,-2,3" as numbers, or nothing when the text is not such a list.
std::optional<std::vector<double>> inlineNumbers(const std::string& text)
{
    std::vector<double> numbers;
    std::size_t begin = 0;
    while (begin <= text.size()) {
        const std::size_t comma = std::min(text.find(',', begin), text.size());
        const char* first = text.data() + begin;
        const char* last = text.data() + comma;
        double value = 0.0;
        const auto [ptr, ec] = std::from_chars(first, last, value);
        if (first == last || ec != std::errc() || ptr != last) {
            return std::nullopt;
        }
        numbers.push_back(value);
        begin = comma + 1;
    }
    return numbers;
}

bool isNpyFile(const std::string& path)
{
    return std::filesystem::path(path).extension() == ".npy";
}

Operand loadOperand(const std::string& text, const std::string& what)
{
    Operand operand;
    if (auto numbers = inlineNumbers(text)) {
        operand.source = what;
        operand.shape = {static_cast<std::int64_t>(numbers->size())};
        operand.values = std::move(*numbers);
    } else if (isNpyFile(text)) {
        NpyDoubles npy = readNpyAsDouble(text); // float64 keeps its precision
        operand.source = text;
        operand.shape = std::move(npy.shape);
        operand.values = std::move(npy.values);
    } else {
        const Tensor tensor = loadTensor(text, "");
        operand.source = text;
        operand.shape = tensor.shape();
        operand.values.assign(tensor.values().begin(), tensor.values().end());
    }
    for (double v : operand.values) {
        if (!std::isfinite(v)) {
            throw InputError(operand.source + ": " + what + " hold a non-finite value");
        }
    }
    return operand;
}

// Rows and columns of a 1-D ([n] -> 1 x n) or 2-D operand.
std::pair<std::int64_t, std::int64_t> matrixShape(const Operand& operand, const std::string& what)
{
    if (operand.shape.size() == 1) {
        return {1, operand.shape[0]};
    }
    if (operand.shape.size() == 2) {
        return {operand.shape[0], operand.shape[1]};
    }
    throw InputError(operand.source + ": " + what + " must be 1-D or 2-D, not " +
                     shapeToString(operand.shape));
}

IntegerLinearInput buildInput(const Operand& weights, const Operand& activations,
                              const std::optional<Operand>& bias)
{
    IntegerLinearInput input;
    const auto [outFeatures, inFeatures] = matrixShape(weights, "weights");
    const auto [batch, activationFeatures] = matrixShape(activations, "activations");
    if (inFeatures == 0) {
        throw InputError(weights.source + ": the weights are empty");
    }
    if (activationFeatures != inFeatures) {
        throw InputError(activations.source + ": " + std::to_string(activationFeatures) +
                         " activation features, but " + weights.source + " has " +
                         std::to_string(inFeatures) + " inputs per output");
    }
    input.outFeatures = outFeatures;
    input.inFeatures = inFeatures;
    input.batch = batch;
    input.weights = weights.values;
    input.activations = activations.values;
    if (bias) {
        if (bias->values.size() == 1) {
            input.bias.assign(static_cast<std::size_t>(outFeatures), bias->values.front());
        } else if (static_cast<std::int64_t>(bias->values.size()) == outFeatures) {
            input.bias = bias->values;
        } else {
            throw InputError(bias->source + ": " + std::to_string(bias->values.size()) +
                             " bias values for " + std::to_string(outFeatures) + " outputs");
        }
    }
    return input;
}

std::string fixed(double value)
{
    if (!std::isfinite(value)) {
        return formatNumber(value);
    }
    char buffer[64];
    // Seed 002 prints 6 decimals; tiny and huge values get 6 significant digits instead.
    constexpr double kSmallestFixed = 1e-3;
    constexpr double kLargestFixed = 1e9;
    if (value != 0.0 && (std::abs(value) < kSmallestFixed || std::abs(value) >= kLargestFixed)) {
        std::snprintf(buffer, sizeof buffer, "%.6g", value);
    } else {
        std::snprintf(buffer, sizeof buffer, "%.6f", value);
    }
    return buffer;
}

// One value per line of `columns` entries: a [rows, columns] matrix (or a vector when rows = 1).
template <typename T, typename Format>
void printMatrix(std::ostream& out, const std::string& label, const std::vector<T>& values,
                 std::int64_t columns, Format format)
{
    const std::string indent(label.size() + 2, ' ');
    out << label << "  ";
    if (values.empty()) {
        out << "[]\n";
        return;
    }
    for (std::size_t i = 0; i < values.size(); ++i) {
        const bool rowStart = columns > 0 && i % static_cast<std::size_t>(columns) == 0;
        if (rowStart && i > 0) {
            out << "]\n" << indent;
        }
        out << (rowStart ? "[" : " ") << format(values[i]);
    }
    out << "]\n";
}

void printText(std::ostream& out, const IntegerLinearResult& r)
{
    const auto integer = [](std::int64_t v) { return std::to_string(v); };
    const auto relativePercent = [](const std::optional<double>& v) {
        return v ? fixed(100.0 * *v) + "%" : std::string("-");
    };
    out << "layer                     " << r.outFeatures << " outputs x " << r.inFeatures
        << " inputs, batch " << r.batch << "; " << r.bits << " bits, codes in [-" << r.qmax << ", "
        << r.qmax << "]\n";
    out << "weights                   a = " << fixed(r.weightRange)
        << "  s_w = " << fixed(r.weightMultiplier) << "\n";
    out << "activations               a = " << fixed(r.activationRange)
        << "  s_a = " << fixed(r.activationMultiplier) << "\n";
    out << "accumulator and bias      s_w*s_a = " << fixed(r.accumulatorMultiplier) << "\n";
    out << "next layer                a = " << fixed(r.outputRange)
        << "  s2 = " << fixed(r.outputMultiplier)
        << "  requantization coefficient s2/(s_w*s_a) = " << fixed(r.requantCoefficient) << "\n";
    printMatrix(out, "quantized weights       ", r.weightCodes, r.inFeatures, integer);
    printMatrix(out, "quantized activations   ", r.activationCodes, r.inFeatures, integer);
    printMatrix(out, "quantized bias          ", r.biasCodes, r.outFeatures, integer);
    printMatrix(out, "int32 accumulators      ", r.accumulators, r.outFeatures, integer);
    printMatrix(out, "accumulators / (s_w*s_a)", r.accumulatorDequantized, r.outFeatures, fixed);
    printMatrix(out, "requantized             ", r.requantized, r.outFeatures, integer);
    printMatrix(out, "dequantized             ", r.dequantized, r.outFeatures, fixed);
    printMatrix(out, "float result            ", r.floatResult, r.outFeatures, fixed);
    printMatrix(out, "absolute error          ", r.absoluteError, r.outFeatures, fixed);
    printMatrix(out, "relative error          ", r.relativeError, r.outFeatures, relativePercent);
    out << "max absolute error        " << fixed(r.maxAbsoluteError) << "\n";
    if (r.exceedsInt32) {
        out << "warning: a bias code or accumulator exceeds the int32 range (it would wrap on "
               "int32 hardware)\n";
    }
}

void printJson(std::ostream& out, const IntegerLinearResult& r)
{
    std::vector<std::optional<double>> relativePercent;
    for (const auto& v : r.relativeError) {
        relativePercent.push_back(v ? std::optional<double>(100.0 * *v) : std::nullopt);
    }
    JsonWriter json(out);
    json.beginObject();
    json.member("bits", r.bits);
    json.member("qmax", r.qmax);
    json.member("out_features", r.outFeatures);
    json.member("in_features", r.inFeatures);
    json.member("batch", r.batch);
    json.member("weight_range", r.weightRange);
    json.member("weight_multiplier", r.weightMultiplier);
    json.member("activation_range", r.activationRange);
    json.member("activation_multiplier", r.activationMultiplier);
    json.member("accumulator_multiplier", r.accumulatorMultiplier);
    json.member("output_range", r.outputRange);
    json.member("output_multiplier", r.outputMultiplier);
    json.member("requant_coefficient", r.requantCoefficient);
    json.member("weight_codes", r.weightCodes);
    json.member("activation_codes", r.activationCodes);
    json.member("bias_codes", r.biasCodes);
    json.member("accumulators", r.accumulators);
    json.member("exceeds_int32", r.exceedsInt32);
    json.member("accumulator_dequantized", r.accumulatorDequantized);
    json.member("requantized", r.requantized);
    json.member("dequantized", r.dequantized);
    json.member("float_result", r.floatResult);
    json.member("absolute_error", r.absoluteError);
    json.member("relative_error_percent", relativePercent);
    json.member("max_absolute_error", r.maxAbsoluteError);
    json.endObject();
}

} // namespace

void runLinear(const std::vector<std::string>& args, std::ostream& out)
{
    const Arguments arguments("linear", args,
                              {{"weights", true},
                               {"activations", true},
                               {"bias", true},
                               {"bits", true},
                               {"activation-range", true},
                               {"out-range", true},
                               {"json"}});
    if (arguments.helpRequested()) {
        out << kHelp;
        return;
    }
    arguments.expectPositional(0, "");
    const auto weightsText = arguments.value("weights");
    const auto activationsText = arguments.value("activations");
    if (!weightsText || !activationsText) {
        throw UsageError("linear: --weights and --activations are required");
    }
    IntegerLinearOptions options;
    if (const auto bits = arguments.value("bits")) {
        options.bits = static_cast<int>(parseInteger(*bits, "--bits"));
    }
    if (const auto range = arguments.value("activation-range")) {
        options.activationRange = parseReal(*range, "--activation-range");
    }
    if (const auto range = arguments.value("out-range")) {
        options.outputRange = parseReal(*range, "--out-range");
    }

    const Operand weights = loadOperand(*weightsText, "weights");
    const Operand activations = loadOperand(*activationsText, "activations");
    std::optional<Operand> bias;
    if (const auto biasText = arguments.value("bias")) {
        bias = loadOperand(*biasText, "bias");
    }
    const IntegerLinearResult result =
        runIntegerLinear(buildInput(weights, activations, bias), options);
    if (arguments.has("json")) {
        printJson(out, result);
    } else {
        printText(out, result);
    }
}

} // namespace quantscope::cli
