#include "adapters/hl7v2/detail/text.hpp"

#include <utility>

#include "fhir/text.hpp"

namespace gw::hl7v2::detail {

std::string nfc(std::string text) {
  if (fhir::is_plainly_nfc(text)) return text;
  if (auto n = fhir::to_nfc(text)) return std::move(*n);
  return text;
}

bool is_base64(std::string_view s) {
  if (s.empty() || s.size() % 4 != 0) return false;
  std::size_t pad = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
    if (c == '=') {
      ++pad;
      if (i + 2 < s.size()) return false;
      continue;
    }
    if (!ok || pad > 0) return false;
  }
  return pad <= 2;
}

}  // namespace gw::hl7v2::detail
