#include "adapters/qd130/detail/unicode.hpp"

#include <bit>
#include <cstdint>
#include <cstring>

#include "adapters/qd130/detail/text.hpp"
#include "fhir/swar.hpp"
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
/// but single spaces inside. Eight bytes at a time: most text has no control byte and no double
/// space in a word, so the byte loop runs only over the tail.
bool collapsed(std::string_view s) {
  namespace swar = fhir::swar;
  if (s.empty()) return true;
  if (s.front() == ' ' || s.back() == ' ') return false;
  const char* p = s.data();
  const std::size_t n = s.size();
  std::size_t i = 0;
  bool space = false;  ///< the byte before p[i] is a space
  for (; i + 8 <= n; i += 8) {
    const std::uint64_t w = swar::load(p + i);
    // A byte below 0x20 (tab, CR, LF, other controls): let the byte loop decide from here.
    if (swar::bytes_below(w, 0x20) != 0) break;
    const std::uint64_t spaces = swar::zero_bytes_exact(w ^ swar::broadcast(' '));  // high bit of each space byte
    if ((spaces & (spaces << 8)) != 0 || (space && (spaces & 0x80) != 0)) return false;
    space = (spaces >> 63) != 0;
  }
  for (; i < n; ++i) {
    const char c = p[i];
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
