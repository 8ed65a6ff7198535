#include "adapters/qd130/detail/text.hpp"

#include <array>
#include <bit>
#include <cstring>

namespace gw::qd130::detail {

std::string_view trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!is_digit(c)) return false;
  return true;
}

bool is_decimal(std::string_view s) {
  if (!s.empty() && s.front() == '-') s.remove_prefix(1);
  const auto dot = s.find('.');
  if (dot == std::string_view::npos) return all_digits(s);
  return all_digits(s.substr(0, dot)) && all_digits(s.substr(dot + 1));
}

std::vector<std::string_view> split_list(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  s = trim(s);
  if (s.empty()) return out;
  while (true) {
    const auto p = s.find(sep);
    out.push_back(trim(s.substr(0, p)));
    if (p == std::string_view::npos) break;
    s.remove_prefix(p + 1);
  }
  return out;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0u) != 0x80u) ++n;
  return n;
}

namespace {
constexpr std::array<std::int8_t, 256> make_b64_table() {
  std::array<std::int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 26; ++i) {
    t[static_cast<std::size_t>('A' + i)] = static_cast<std::int8_t>(i);
    t[static_cast<std::size_t>('a' + i)] = static_cast<std::int8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) t[static_cast<std::size_t>('0' + i)] = static_cast<std::int8_t>(52 + i);
  t[static_cast<std::size_t>('+')] = 62;
  t[static_cast<std::size_t>('/')] = 63;
  t[static_cast<std::size_t>('-')] = 62;  // URL-safe alphabet
  t[static_cast<std::size_t>('_')] = 63;
  return t;
}
constexpr auto b64_table = make_b64_table();

// The same table pre-shifted for each position of a 4-character group, with bit 31 set for bytes
// that are not base64, so a group is 4 lookups OR-ed together and one test.
constexpr std::uint32_t b64_bad = 0x80000000u;
constexpr std::array<std::array<std::uint32_t, 256>, 4> make_b64_shifted() {
  std::array<std::array<std::uint32_t, 256>, 4> t{};
  for (std::size_t pos = 0; pos < 4; ++pos)
    for (std::size_t c = 0; c < 256; ++c)
      t[pos][c] = b64_table[c] < 0 ? b64_bad
                                   : static_cast<std::uint32_t>(b64_table[c]) << (6 * (3 - static_cast<unsigned>(pos)));
  return t;
}
constexpr auto b64_shifted = make_b64_shifted();

inline std::uint32_t b64_group(const unsigned char* p) {
  return b64_shifted[0][p[0]] | b64_shifted[1][p[1]] | b64_shifted[2][p[2]] | b64_shifted[3][p[3]];
}

/// The 3 decoded bytes of a group in memory order as a 4-byte word (the last byte spare).
inline std::uint32_t b64_word(std::uint32_t v) {
  if constexpr (std::endian::native == std::endian::little) return __builtin_bswap32(v << 8);
  return v << 8;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

base64_result base64_decode(std::string_view in, std::size_t max_out) {
  base64_result r;
  // Output bound without a counting pass; only a body near the limit pays for an exact count.
  std::size_t bound = in.size() / 4 * 3 + 3;
  if (bound > max_out) {
    std::size_t significant = 0;
    for (char c : in)
      if (b64_table[static_cast<unsigned char>(c)] >= 0) ++significant;
    bound = significant / 4 * 3 + 3;
    if (significant / 4 * 3 + (significant % 4 > 1 ? significant % 4 - 1 : 0) > max_out) {
      r.status = base64_status::too_large;
      r.size = significant / 4 * 3;
      return r;
    }
  }
  // One spare byte: the fast path stores each 3-byte group as a 4-byte word.
  r.data = std::make_unique_for_overwrite<char[]>(bound + 1);
  auto* out = reinterpret_cast<unsigned char*>(r.data.get());
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const std::size_t n = in.size();
  std::size_t o = 0;
  std::size_t i = 0;
  std::uint32_t acc = 0;
  int k = 0;  // characters in the current group of 4
  bool padding_seen = false;
  while (i < n) {
    if (k == 0 && !padding_seen) {
      // Fast path: whole groups without breaks, in a tight loop until a group has anything else
      // (white space, padding, a bad character), which the byte-wise path below then handles.
      while (i + 8 <= n) {
        const std::uint32_t v1 = b64_group(p + i);
        const std::uint32_t v2 = b64_group(p + i + 4);
        if (((v1 | v2) & b64_bad) != 0) break;
        const std::uint32_t w1 = b64_word(v1);
        const std::uint32_t w2 = b64_word(v2);
        std::memcpy(out + o, &w1, 4);
        std::memcpy(out + o + 3, &w2, 4);
        o += 6;
        i += 8;
      }
      while (i + 4 <= n) {
        const std::uint32_t v = b64_group(p + i);
        if ((v & b64_bad) != 0) break;
        out[o] = static_cast<unsigned char>(v >> 16);
        out[o + 1] = static_cast<unsigned char>(v >> 8);
        out[o + 2] = static_cast<unsigned char>(v);
        o += 3;
        i += 4;
      }
      if (i >= n) break;
    }
    const unsigned char ch = p[i];
    const int v = b64_table[ch];
    if (v >= 0 && !padding_seen) {
      acc = acc << 6 | static_cast<std::uint32_t>(v);
      if (++k == 4) {
        out[o] = static_cast<unsigned char>(acc >> 16);
        out[o + 1] = static_cast<unsigned char>(acc >> 8);
        out[o + 2] = static_cast<unsigned char>(acc);
        o += 3;
        k = 0;
        acc = 0;
      }
    } else if (ch == '=') {
      padding_seen = true;
    } else if (!is_space(static_cast<char>(ch))) {
      // Not base64, or data after padding (two documents glued together, or damage).
      r.status = base64_status::invalid_character;
      r.bad_offset = i;
      r.data.reset();
      return r;
    }
    ++i;
  }
  if (o == 0 && k == 0) {
    r.status = base64_status::empty;
    r.data.reset();
    return r;
  }
  if (k == 1) {
    r.status = base64_status::truncated;
    r.data.reset();
    return r;
  }
  if (k >= 2) out[o++] = static_cast<unsigned char>(acc >> (k == 2 ? 4 : 10));
  if (k == 3) out[o++] = static_cast<unsigned char>(acc >> 2);
  r.size = o;
  r.unpadded = k != 0 && !padding_seen;
  if (o > max_out) {
    r.status = base64_status::too_large;
    r.data.reset();
  }
  return r;
}

bool looks_like_base64(std::string_view in) {
  bool any = false;
  for (char c : in) {
    if (is_space(c) || c == '=') continue;
    if (b64_table[static_cast<unsigned char>(c)] < 0) return false;
    any = true;
  }
  return any;
}

bool form_value(std::string_view body, std::string_view key, std::string& out) {
  while (!body.empty()) {
    const auto amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || trim(pair.substr(0, eq)) != key) continue;
    const std::string_view v = pair.substr(eq + 1);
    out.clear();
    out.reserve(v.size());
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i] == '%' && i + 2 < v.size()) {
        const int h = hex_value(v[i + 1]);
        const int l = hex_value(v[i + 2]);
        if (h >= 0 && l >= 0) {
          out.push_back(static_cast<char>(h * 16 + l));
          i += 2;
          continue;
        }
      }
      out.push_back(v[i]);
    }
    return true;
  }
  return false;
}

}  // namespace gw::qd130::detail
