#pragma once
/// Small text helpers shared by the QĐ 130 decoder and translator (module-private).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace gw::qd130::detail {

/// ASCII whitespace as XML and base64 bodies use it.
constexpr bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}
constexpr bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

/// The `n` bytes at `a` and `b` are equal. For element names (short): word compares instead of a
/// memcmp call; every load stays within the n bytes.
inline bool same_bytes(const char* a, const char* b, std::size_t n) {
  auto w8 = [](const char* q) {
    std::uint64_t v;
    std::memcpy(&v, q, 8);
    return v;
  };
  auto w4 = [](const char* q) {
    std::uint32_t v;
    std::memcpy(&v, q, 4);
    return v;
  };
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8)
      if (w8(a + i) != w8(b + i)) return false;
    return w8(a + n - 8) == w8(b + n - 8);
  }
  if (n >= 4) return w4(a) == w4(b) && w4(a + n - 4) == w4(b + n - 4);
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}

/// White space removed from both ends (trim's path for values that have some).
std::string_view trim_ends(std::string_view s);
// trim, all_digits and is_decimal run for most decoded fields: inline.
inline std::string_view trim(std::string_view s) {
  // Nearly every value has no white space at either end.
  if (s.empty() || (!is_space(s.front()) && !is_space(s.back()))) return s;
  return trim_ends(s);
}
inline bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}
/// `-?digits(.digits)?`, in one pass.
inline bool is_decimal(std::string_view s) {
  const char* p = s.data();
  const char* const e = p + s.size();
  if (p != e && *p == '-') ++p;
  const char* d = p;
  while (p != e && is_digit(*p)) ++p;
  if (p == d) return false;
  if (p == e) return true;
  if (*p != '.') return false;
  d = ++p;
  while (p != e && is_digit(*p)) ++p;
  return p != d && p == e;
}
/// Splits on ';', trimming each part; an empty input gives no parts.
std::vector<std::string_view> split_list(std::string_view s, char sep = ';');
/// Number of UTF-8 code points (bytes that are not continuation bytes).
std::size_t utf8_length(std::string_view s);

/// The first position at or after `from` where the bytes `a` `b` stand in a row; npos when none.
std::size_t find_pair(std::string_view s, char a, char b, std::size_t from = 0);

enum class base64_status : std::uint8_t { ok, invalid_character, truncated, too_large, empty };

struct base64_result {
  base64_status status = base64_status::ok;
  std::unique_ptr<char[]> data;  ///< decoded bytes (no terminator)
  std::size_t size = 0;
  std::size_t bad_offset = 0;  ///< for invalid_character: offset in the input
  bool unpadded = false;       ///< the last group had no '=' padding
};

/// Decodes standard or URL-safe base64, skipping ASCII whitespace anywhere. Refuses output
/// larger than `max_out` before allocating it.
base64_result base64_decode(std::string_view in, std::size_t max_out);
/// True when every byte is a base64 character, '=' or whitespace, and there is at least one
/// base64 character.
bool looks_like_base64(std::string_view in);

/// The value of `key` in an application/x-www-form-urlencoded body, percent-decoded. '+' is kept
/// as '+' (not a space): base64 contains '+', and careless senders do not encode it, while a
/// space is never part of base64. Returns false when the key is absent.
bool form_value(std::string_view body, std::string_view key, std::string& out);

}  // namespace gw::qd130::detail
