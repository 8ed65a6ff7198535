#include "adapters/qd130/detail/text.hpp"

#include <array>

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

std::size_t utf8_invalid_at(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    const unsigned c = p[i];
    if (c < 0x80u) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    unsigned min = 0;
    if (c >= 0xC2u && c <= 0xDFu) {
      len = 2;
      min = 0x80u;
    } else if (c >= 0xE0u && c <= 0xEFu) {
      len = 3;
      min = 0x800u;
    } else if (c >= 0xF0u && c <= 0xF4u) {
      len = 4;
      min = 0x10000u;
    } else {
      return i;
    }
    if (i + len > n) return i;
    unsigned cp = c & (0xFFu >> (len + 1));
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0u) != 0x80u) return i;
      cp = (cp << 6) | (p[i + k] & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFFu || (cp >= 0xD800u && cp <= 0xDFFFu)) return i;
    i += len;
  }
  return std::string_view::npos;
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

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

base64_result base64_decode(std::string_view in, std::size_t max_out) {
  base64_result r;
  std::size_t significant = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (is_space(c) || c == '=') continue;
    if (b64_table[static_cast<unsigned char>(c)] < 0) {
      r.status = base64_status::invalid_character;
      r.bad_offset = i;
      return r;
    }
    ++significant;
  }
  if (significant == 0) {
    r.status = base64_status::empty;
    return r;
  }
  if (significant % 4 == 1) {
    r.status = base64_status::truncated;
    return r;
  }
  const std::size_t out_size = significant / 4 * 3 + (significant % 4 == 0 ? 0 : significant % 4 - 1);
  if (out_size > max_out) {
    r.status = base64_status::too_large;
    r.size = out_size;
    return r;
  }
  r.data = std::make_unique<char[]>(out_size == 0 ? 1 : out_size);
  std::uint32_t acc = 0;
  int bits = 0;
  std::size_t o = 0;
  bool padding_seen = false;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (is_space(c)) continue;
    if (c == '=') {
      padding_seen = true;
      continue;
    }
    if (padding_seen) {  // data after padding: two documents glued together, or damage
      r.status = base64_status::invalid_character;
      r.bad_offset = i;
      r.data.reset();
      return r;
    }
    acc = (acc << 6) | static_cast<std::uint32_t>(b64_table[static_cast<unsigned char>(c)]);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      r.data[o++] = static_cast<char>((acc >> bits) & 0xFFu);
    }
  }
  r.size = o;
  r.unpadded = significant % 4 != 0 && !padding_seen;
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
