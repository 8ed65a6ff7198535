#include "adapters/qd130/detail/unicode.hpp"

#include "adapters/qd130/detail/text.hpp"
#include "fhir/text.hpp"

namespace gw::qd130::detail {

namespace {
/// Trims and turns every run of white space into one space; runs of other bytes are copied whole.
std::string collapse(std::string_view s) {
  s = trim(s);
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t j = i;
    while (j < s.size() && !is_space(s[j])) ++j;
    out.append(s.data() + i, j - i);
    if (j == s.size()) break;
    while (j < s.size() && is_space(s[j])) ++j;
    out += ' ';  // trimmed, so more text follows
    i = j;
  }
  return out;
}

/// True when collapse() would return `s` unchanged: no white space at either end, no white space
/// but single spaces inside.
bool collapsed(std::string_view s) {
  if (s.empty()) return true;
  if (s.front() == ' ' || s.back() == ' ') return false;
  bool space = false;
  for (char c : s) {
    if (c == ' ') {
      if (space) return false;
      space = true;
    } else {
      if (c == '\t' || c == '\r' || c == '\n') return false;
      space = false;
    }
  }
  return true;
}
}  // namespace

std::string nfc(std::string_view text) {
  // Most values arrive trimmed, single-spaced and in NFC: copied once, as they are.
  if (fhir::is_plainly_nfc(text)) return collapsed(text) ? std::string(text) : collapse(text);
  if (auto n = fhir::to_nfc(text)) return collapse(*n);
  return collapse(text);
}

}  // namespace gw::qd130::detail
