// CSV / whitespace-separated numbers: one tensor, rows x columns (1-D for a single row or
// column). The first non-comment row may be a header of column names; '#' starts a comment line.
#include "io/format_readers.h"
#include "io/io_error.h"
#include "io/listed_tensor_file.h"

#include <charconv>
#include <filesystem>
#include <optional>

namespace quantscope {

namespace {

bool isSeparator(char c)
{
    return c == ',' || c == ';' || c == ' ' || c == '\t' || c == '\r';
}

std::vector<std::string_view> splitFields(std::string_view line)
{
    std::vector<std::string_view> fields;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && isSeparator(line[i])) {
            ++i;
        }
        const std::size_t start = i;
        while (i < line.size() && !isSeparator(line[i])) {
            ++i;
        }
        if (i > start) {
            fields.push_back(line.substr(start, i - start));
        }
    }
    return fields;
}

std::optional<float> parseNumber(std::string_view field)
{
    if (field.size() > 1 && field[0] == '+') {
        field.remove_prefix(1); // from_chars does not take a leading '+'
    }
    float value = 0.0f;
    const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (error != std::errc() || end != field.data() + field.size()) {
        return std::nullopt;
    }
    return value;
}

class TextFile : public ListedTensorFile {
public:
    explicit TextFile(const std::shared_ptr<const MappedFile>& file)
        : ListedTensorFile(file)
    {
        const auto bytes = file->bytes();
        const std::string_view content(reinterpret_cast<const char*>(bytes.data()), bytes.size());
        std::size_t columns = 0;
        std::size_t rows = 0;
        std::size_t lineNumber = 0;
        bool headerAllowed = true;
        for (std::size_t start = 0; start < content.size();) {
            std::size_t end = content.find('\n', start);
            end = end == std::string_view::npos ? content.size() : end;
            const std::string_view line = content.substr(start, end - start);
            start = end + 1;
            ++lineNumber;
            const auto fields = splitFields(line);
            if (fields.empty() || fields.front().front() == '#') {
                continue;
            }
            const std::size_t before = m_values.size();
            for (std::string_view field : fields) {
                const auto value = parseNumber(field);
                if (!value) {
                    if (headerAllowed) {
                        break; // a header row: column names
                    }
                    failFile(path(), "line " + std::to_string(lineNumber) + ": '" +
                                         printableName(field) + "' is not a number");
                }
                m_values.push_back(*value);
            }
            const bool header = headerAllowed && m_values.size() - before != fields.size();
            headerAllowed = false;
            if (header) {
                m_values.resize(before);
                continue;
            }
            if (rows > 0 && fields.size() != columns) {
                failFile(path(), "line " + std::to_string(lineNumber) + " has " +
                                     std::to_string(fields.size()) + " values, expected " +
                                     std::to_string(columns));
            }
            columns = fields.size();
            ++rows;
        }
        if (m_values.empty()) {
            failFile(path(), "no numbers found");
        }
        TensorInfo info;
        info.name = std::filesystem::path(path()).stem().string();
        info.dtype = "text";
        if (rows == 1 || columns == 1) {
            info.shape = {static_cast<std::int64_t>(m_values.size())};
        } else {
            info.shape = {static_cast<std::int64_t>(rows), static_cast<std::int64_t>(columns)};
        }
        addTensor(std::move(info));
    }

protected:
    Tensor loadIndex(std::size_t) const override
    {
        const TensorInfo& info = tensors().front();
        return Tensor(info.name, info.shape, m_values, info.dtype);
    }

private:
    std::vector<float> m_values;
};

} // namespace

std::unique_ptr<TensorFile> openText(std::shared_ptr<const MappedFile> file)
{
    return std::make_unique<TextFile>(file);
}

} // namespace quantscope
