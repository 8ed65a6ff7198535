#pragma once
// Benchmark tools write their own rows into docs/benchmarks.md: each row goes after the last row
// of its section's table (notes may follow the table); a missing section or table is added.
#include <fstream>
#include <string>

#include "tests/support/temp_dir.hpp"

namespace gw::test {

/// Adds `row` (one "| ... |\n" line) to the table of the section `heading` (a "## ..." line) in
/// `file`. A missing section is appended with `intro` and `table_header` (its "| ... |\n| --- |\n"
/// lines); a section without a table gets `table_header` at its end.
inline void add_benchmark_row(const std::string& file, const std::string& heading, const std::string& intro,
                              const std::string& table_header, const std::string& row) {
  auto text = read_file(file);
  if (!text.empty() && text.back() != '\n') text.push_back('\n');
  auto section = text.find(heading);
  if (section == std::string::npos) {
    text += "\n" + heading + "\n\n" + intro + "\n\n" + table_header + row;
  } else {
    auto end = text.find("\n## ", section + heading.size());
    end = end == std::string::npos ? text.size() : end + 1;
    auto at = text.find("\n| ", section);
    if (at == std::string::npos || at >= end) {
      bool blank_before = end >= 2 && text.compare(end - 2, 2, "\n\n") == 0;
      text.insert(end, (blank_before ? "" : "\n") + table_header + row + (end < text.size() ? "\n" : ""));
    } else {
      while (at + 1 < end && text.compare(at + 1, 2, "| ") == 0) at = text.find('\n', at + 1);
      text.insert(at + 1, row);
    }
  }
  std::ofstream(file, std::ios::trunc) << text;
}

}  // namespace gw::test
