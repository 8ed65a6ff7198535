#include "fhir/text.hpp"

#include <utf8proc.h>

#include <cstdlib>
#include <memory>

namespace gw::fhir {
namespace {

struct free_deleter {
  void operator()(utf8proc_uint8_t* p) const { std::free(p); }
};

std::optional<std::string> map(std::string_view s, int options) {
  utf8proc_uint8_t* out = nullptr;
  utf8proc_ssize_t n =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(s.data()), static_cast<utf8proc_ssize_t>(s.size()), &out,
                   static_cast<utf8proc_option_t>(options));
  std::unique_ptr<utf8proc_uint8_t, free_deleter> owned(out);
  if (n < 0) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  auto p = reinterpret_cast<const utf8proc_uint8_t*>(s.data());
  utf8proc_ssize_t left = static_cast<utf8proc_ssize_t>(s.size());
  while (left > 0) {
    utf8proc_int32_t cp = 0;
    utf8proc_ssize_t n = utf8proc_iterate(p, left, &cp);
    if (n <= 0 || cp < 0) return false;
    p += n;
    left -= n;
  }
  return true;
}

std::optional<std::string> to_nfc(std::string_view s) {
  if (s.empty()) return std::string();
  return map(s, UTF8PROC_STABLE | UTF8PROC_COMPOSE);
}

std::string search_key(std::string_view s) {
  if (s.empty()) return {};
  auto folded = map(s, UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK | UTF8PROC_CASEFOLD);
  if (!folded) return {};
  std::string out;
  out.reserve(folded->size());
  bool space = false;
  for (std::size_t i = 0; i < folded->size(); ++i) {
    unsigned char c = static_cast<unsigned char>((*folded)[i]);
    // đ (U+0111, C4 91) has no decomposition; case folding already turned Đ into đ.
    if (c == 0xC4 && i + 1 < folded->size() && static_cast<unsigned char>((*folded)[i + 1]) == 0x91) {
      c = 'd';
      ++i;
    }
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(c);
  }
  return out;
}

}  // namespace gw::fhir
