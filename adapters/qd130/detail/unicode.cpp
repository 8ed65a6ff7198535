#include "adapters/qd130/detail/unicode.hpp"

#include "adapters/qd130/detail/text.hpp"
#include "fhir/text.hpp"

namespace gw::qd130::detail {

namespace {
std::string collapse(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool space = false;
  for (char c : trim(s)) {
    if (is_space(c)) {
      space = true;
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
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
