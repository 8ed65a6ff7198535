#include "adapters/qd130/detail/flat_xml.hpp"

#include <algorithm>
#include <array>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#endif

#include "adapters/qd130/detail/text.hpp"

namespace gw::qd130::detail {

namespace {

// The scanners below run a few times per element: inlined into `parse`.
#define GW_FLAT_INLINE inline __attribute__((always_inline))

constexpr bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
constexpr bool is_name_start(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
constexpr bool name_char_slow(char c) {
  return is_name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-' || c == ':';
}
constexpr auto name_chars = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 256; ++c) t[static_cast<std::size_t>(c)] = name_char_slow(static_cast<char>(c));
  return t;
}();
inline bool is_name_char(char c) {
  return name_chars[static_cast<unsigned char>(c)];
}
/// Bytes that end a run of text: markup, and what only pugixml handles (references, CR, NUL).
constexpr bool is_text_stop(char c) {
  return c == '<' || c == '&' || c == '\r' || c == '\0';
}

/// First byte in [p, end) that is ']', '\r' or NUL (inside CDATA); `end` when none.
GW_FLAT_INLINE const char* find_cdata_stop(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i br = _mm_set1_epi8(']');
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i nul = _mm_setzero_si128();
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hit =
        _mm_or_si128(_mm_cmpeq_epi8(v, br), _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, nul)));
    if (const int mask = _mm_movemask_epi8(hit); mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (p < end && *p != ']' && *p != '\r' && *p != '\0') ++p;
  return p;
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define GW_FLAT_AVX2 1
/// find_text_stop's loop 32 bytes at a time, for long texts (an envelope's base64 files): from
/// `p`, the first stop byte when one is before end − 31, else the first byte not looked at.
__attribute__((target("avx2"))) const char* find_text_stop_avx2(const char* p, const char* end) {
  const __m256i lt = _mm256_set1_epi8('<');
  const __m256i amp = _mm256_set1_epi8('&');
  const __m256i cr = _mm256_set1_epi8('\r');
  const __m256i nul = _mm256_setzero_si256();
  while (end - p >= 32) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    const __m256i hit = _mm256_or_si256(_mm256_or_si256(_mm256_cmpeq_epi8(v, lt), _mm256_cmpeq_epi8(v, amp)),
                                        _mm256_or_si256(_mm256_cmpeq_epi8(v, cr), _mm256_cmpeq_epi8(v, nul)));
    if (const auto mask = static_cast<std::uint32_t>(_mm256_movemask_epi8(hit)); mask != 0)
      return p + __builtin_ctz(mask);
    p += 32;
  }
  return p;
}
const bool flat_has_avx2 = __builtin_cpu_supports("avx2");
#endif

/// First byte in [p, end) that is '<', '&', '\r' or NUL; `end` when none.
GW_FLAT_INLINE const char* find_text_stop(const char* p, const char* end) {
#if defined(__SSE2__)
  const __m128i lt = _mm_set1_epi8('<');
  const __m128i amp = _mm_set1_epi8('&');
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i nul = _mm_setzero_si128();
  int blocks = 0;
  while (end - p >= 16) {
#if defined(GW_FLAT_AVX2)
    // Past two blocks the text is long: go on 32 bytes at a time.
    if (++blocks > 2 && flat_has_avx2 && end - p >= 32) p = find_text_stop_avx2(p, end);
    if (end - p < 16) break;
#endif
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lt), _mm_cmpeq_epi8(v, amp)),
                                     _mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, nul)));
    if (const int mask = _mm_movemask_epi8(hit); mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  while (p < end && !is_text_stop(*p)) ++p;
  return p;
}

/// First byte in [p, end) that is not a name character.
GW_FLAT_INLINE const char* skip_name(const char* p, const char* end) {
#if defined(__SSE2__)
  auto in = [](__m128i v, char lo, char hi) {
    return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8(static_cast<char>(lo - 1))),
                         _mm_cmplt_epi8(v, _mm_set1_epi8(static_cast<char>(hi + 1))));
  };
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i name = _mm_or_si128(
        _mm_or_si128(_mm_or_si128(in(v, 'A', 'Z'), in(v, 'a', 'z')), _mm_or_si128(in(v, '0', '9'), in(v, '-', '.'))),
        _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('_')), _mm_cmpeq_epi8(v, _mm_set1_epi8(':'))));
    const auto other = static_cast<unsigned>(~_mm_movemask_epi8(name)) & 0xFFFFu;
    if (other != 0) return p + __builtin_ctz(other);
    p += 16;
  }
#endif
  while (p < end && is_name_char(*p)) ++p;
  return p;
}

/// First byte in [p, end) that is not XML white space; `cr` is set when the run holds a CR.
GW_FLAT_INLINE const char* skip_space(const char* p, const char* end, bool& cr) {
  if (p == end || !is_ws(*p)) return p;  // the usual case inside tags: no white space at all
  if (end - p >= 2 && !is_ws(p[1])) {    // one byte: not worth a vector
    cr = cr || *p == '\r';
    return p + 1;
  }
#if defined(__SSE2__)
  while (end - p >= 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i r = _mm_cmpeq_epi8(v, _mm_set1_epi8('\r'));
    const __m128i ws =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\n'))),
                     _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\t')), r));
    const auto other = static_cast<unsigned>(~_mm_movemask_epi8(ws)) & 0xFFFFu;
    const unsigned run = other == 0 ? 16u : static_cast<unsigned>(__builtin_ctz(other));
    if ((static_cast<unsigned>(_mm_movemask_epi8(r)) & ((1u << run) - 1u)) != 0) cr = true;
    p += run;
    if (run < 16) return p;
  }
#endif
  for (; p < end && is_ws(*p); ++p)
    if (*p == '\r') cr = true;
  return p;
}

#undef GW_FLAT_INLINE

}  // namespace

inline std::uint32_t flat_xml::append(pugi::xml_node_type type, std::uint32_t parent, const char* text,
                                      std::size_t size) {
  const auto i = static_cast<std::uint32_t>(nodes_.size());
  nodes_.push_back(node{type, parent, 0, 0, 0, text, static_cast<std::uint32_t>(size)});
  if (parent != 0) {
    node& p = nodes_[parent];
    if (p.last_child == 0)
      p.first_child = i;
    else
      nodes_[p.last_child].next_sibling = i;
    p.last_child = i;
  }
  return i;
}

bool flat_xml::parse(char* data, std::size_t size) {
  return parse(data, size, true);
}

bool flat_xml::parse_readonly(const char* data, std::size_t size) {
  // Writes happen only for text with a CR, and then only when `may_write`.
  return parse(const_cast<char*>(data), size, false);
}

bool flat_xml::parse(char* data, std::size_t size, bool may_write) {
  const std::string_view text(data, size);
  nodes_.clear();
  with_cr_.clear();
  if (text.size() >= UINT32_MAX / 2) return false;
  nodes_.reserve(text.size() / 16 + 8);
  nodes_.push_back(node{pugi::node_null, 0, 0, 0, 0, nullptr, 0});  // index 0: null
  const char* p = text.data();
  const char* const end = p + text.size();
  auto skip_ws = [&] {
    bool ignored = false;
    p = skip_space(p, end, ignored);
  };
  // Optional declaration, only at the very start: `<?xml` + white space + … + `?>`.
  if (end - p >= 6 && std::memcmp(p, "<?xml", 5) == 0 && is_ws(p[5])) {
    p += 6;
    while (true) {
      if (p + 1 >= end || *p == '<' || *p == '\0') return false;
      if (p[0] == '?' && p[1] == '>') break;
      ++p;
    }
    p += 2;
  }
  skip_ws();
  std::uint32_t cur = 0;      // open element; 0 = document level
  std::uint32_t level = 0;    // cur's nesting level (the root element's is 1)
  std::uint32_t deepest = 0;  // max_level_, kept in a register while parsing
  bool root_done = false;
  while (p < end) {
    if (*p != '<') {
      // Text. White space alone (before markup or the end) makes no node.
      const char* mark = p;
      bool cr = false;
      p = skip_space(p, end, cr);
      if (p == end || *p == '<') continue;
      if (cur == 0) return false;
      while (true) {
        p = find_text_stop(p, end);
        if (p == end || *p != '<') {
          if (p == end || *p != '\r') return false;
          cr = true;
          ++p;
          continue;
        }
        break;
      }
      const std::uint32_t t = append(pugi::node_pcdata, cur, mark, static_cast<std::size_t>(p - mark));
      deepest = std::max(deepest, level + 1);
      if (cr) {
        if (!may_write) return false;  // as at the end, without reading the rest first
        with_cr_.push_back(t);
      }
      continue;
    }
    // Markup.
    if (end - p < 2) return false;
    const char c = p[1];
    if (c == '/') {
      if (cur == 0) return false;
      p += 2;
      const node& open = nodes_[cur];
      if (static_cast<std::size_t>(end - p) < open.size || !same_bytes(p, open.text, open.size)) return false;
      p += open.size;
      if (p < end && is_name_char(*p)) return false;
      skip_ws();
      if (p == end || *p != '>') return false;
      ++p;
      cur = open.parent;
      --level;
      if (cur == 0) root_done = true;
      continue;
    }
    if (c == '!') {
      if (cur == 0 || end - p < 12 || std::memcmp(p, "<![CDATA[", 9) != 0) return false;
      p += 9;
      const char* v = p;
      while (true) {
        p = find_cdata_stop(p, end);
        if (end - p < 3 || *p != ']') return false;
        if (p[1] == ']' && p[2] == '>') break;
        ++p;
      }
      append(pugi::node_cdata, cur, v, static_cast<std::size_t>(p - v));
      deepest = std::max(deepest, level + 1);
      p += 3;
      continue;
    }
    if (!is_name_start(c) || root_done) return false;
    // Start tag.
    const char* name = ++p;
    p = skip_name(p, end);
    const std::uint32_t el = append(pugi::node_element, cur, name, static_cast<std::size_t>(p - name));
    deepest = std::max(deepest, level + 1);
    bool empty = false;
    while (true) {
      const char* before = p;
      skip_ws();
      if (p == end) return false;
      if (*p == '>') {
        ++p;
        break;
      }
      if (*p == '/') {
        if (end - p < 2 || p[1] != '>') return false;
        p += 2;
        empty = true;
        break;
      }
      // An attribute: white space before it, name="value" or name='value' (values unused).
      if (before == p || !is_name_start(*p)) return false;
      p = skip_name(p, end);
      if (end - p < 2 || *p != '=' || (p[1] != '"' && p[1] != '\'')) return false;
      const char q = p[1];
      p += 2;
      while (p < end && *p != q) {
        if (*p == '<' || *p == '&' || *p == '\r' || *p == '\0') return false;
        ++p;
      }
      if (p == end) return false;
      ++p;
      if (p < end && !is_ws(*p) && *p != '>' && *p != '/') return false;
    }
    if (empty) {
      if (cur == 0) root_done = true;
    } else {
      cur = el;
      ++level;
    }
  }
  if (!root_done || cur != 0 || nodes_.size() < 2) return false;
  max_level_ = deepest;
  // Accepted: now CR LF and lone CR in text become LF, compacting each value in place.
  for (const std::uint32_t t : with_cr_) {
    node& n = nodes_[t];
    char* s = data + (n.text - text.data());
    // Runs between CRs move as blocks (base64 wrapped in CRLF lines has one CR per line).
    std::size_t r = 0;
    std::size_t w = 0;
    while (r < n.size) {
      const void* hit = std::memchr(s + r, '\r', n.size - r);
      const std::size_t e = hit == nullptr ? n.size : static_cast<std::size_t>(static_cast<const char*>(hit) - s);
      if (w != r) std::memmove(s + w, s + r, e - r);
      w += e - r;
      r = e;
      if (r < n.size) {
        s[w++] = '\n';
        if (++r < n.size && s[r] == '\n') ++r;
      }
    }
    n.size = static_cast<std::uint32_t>(w);
  }
  return true;
}

}  // namespace gw::qd130::detail
