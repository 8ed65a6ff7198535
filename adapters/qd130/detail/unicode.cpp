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
}  // namespace

std::string nfc(std::string_view text) {
  if (fhir::is_plainly_nfc(text)) return collapse(text);
  if (auto n = fhir::to_nfc(text)) return collapse(*n);
  return collapse(text);
}

}  // namespace gw::qd130::detail
