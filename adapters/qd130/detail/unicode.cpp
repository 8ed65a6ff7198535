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

/// True when every code point is in U+0000–U+02FF or U+1E00–U+1EFF (where precomposed
/// Vietnamese letters live): such text has no combining marks and no NFC singletons, so it is
/// already in NFC and the normaliser can be skipped.
bool plainly_nfc(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned c = p[i];
    if (c < 0x80u) {
      ++i;
    } else if (c >= 0xC2u && c <= 0xCBu) {
      i += 2;
    } else if (c == 0xE1u && i + 1 < n && p[i + 1] >= 0xB8u && p[i + 1] <= 0xBBu) {
      i += 3;
    } else {
      return false;
    }
  }
  return true;
}

std::string nfc(std::string_view text) {
  if (plainly_nfc(text)) return collapse(text);
  if (auto n = fhir::to_nfc(text)) return collapse(*n);
  return collapse(text);
}

std::string base64_encode(std::string_view in) {
  static constexpr char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                       static_cast<unsigned char>(in[i + 2]);
    out += abc[(v >> 18) & 63];
    out += abc[(v >> 12) & 63];
    out += abc[(v >> 6) & 63];
    out += abc[v & 63];
  }
  if (i < in.size()) {
    unsigned v = static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8;
    out += abc[(v >> 18) & 63];
    out += abc[(v >> 12) & 63];
    out += i + 1 < in.size() ? abc[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

}  // namespace gw::qd130::detail
