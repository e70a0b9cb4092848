#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace quantscope::cli {

// A plain-text table with columns aligned to their widest cell: the first column left-aligned,
// the others (numbers) right-aligned.
class TextTable {
public:
    explicit TextTable(std::vector<std::string> header) { m_rows.push_back(std::move(header)); }
    void addRow(std::vector<std::string> cells) { m_rows.push_back(std::move(cells)); }
    void print(std::ostream& out) const;

private:
    std::vector<std::vector<std::string>> m_rows;
};

} // namespace quantscope::cli
