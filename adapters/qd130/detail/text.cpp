#include "adapters/qd130/detail/text.hpp"

#include <array>
#include <bit>
#include <cstring>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define GW_QD130_BASE64_AVX2 1
#endif

namespace gw::qd130::detail {

std::string_view trim_ends(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && is_space(s[b])) ++b;
  while (e > b && is_space(s[e - 1])) --e;
  return s.substr(b, e - b);
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

#if defined(GW_QD130_BASE64_AVX2)
/// Decodes whole 32-character blocks of the standard alphabet with AVX2, 24 bytes each, from
/// `in[i]` to `out[o]`, and stops before the first block holding anything else (white space,
/// padding, the URL-safe alphabet, a bad byte), which the scalar path then takes. Writes up to
/// 4 bytes past the 24 of a block. Returns the characters consumed (a multiple of 32).
__attribute__((target("avx2"))) std::size_t b64_blocks_avx2(const unsigned char* in, std::size_t n,
                                                            unsigned char* out) {
  // Per 128-bit lane (the byte shuffles work within lanes): value = byte + roll[high nibble],
  // with '/' (high nibble 2, like '+') moved to slot 1 by adding its all-ones compare result.
  const __m256i roll = _mm256_setr_epi8(0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0,  //
                                        0, 16, 19, 4, -65, -65, -71, -71, 0, 0, 0, 0, 0, 0, 0, 0);
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  const __m256i slash = _mm256_set1_epi8('/');
  // Three bytes of each 4-character group, big-endian within the group, then the groups packed.
  const __m256i pack = _mm256_setr_epi8(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1,  //
                                        2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1);
  // Validity from the two nibbles: a byte is in the standard alphabet exactly when the bits
  // looked up for its low and its high nibble do not meet (every byte >= 0x80 meets bit 0x10).
  const __m256i bits_low = _mm256_setr_epi8(
      0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A,  //
      0x15, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x13, 0x1A, 0x1B, 0x1B, 0x1B, 0x1A);
  const __m256i bits_high = _mm256_setr_epi8(
      0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10,  //
      0x10, 0x10, 0x01, 0x02, 0x04, 0x08, 0x04, 0x08, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x10);
  std::size_t i = 0;
  while (i + 32 <= n) {
    const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(in + i));
    const __m256i high = _mm256_and_si256(_mm256_srli_epi32(v, 4), nibble);
    const __m256i low = _mm256_and_si256(v, nibble);
    if (!_mm256_testz_si256(_mm256_shuffle_epi8(bits_low, low), _mm256_shuffle_epi8(bits_high, high))) break;
    const __m256i is_slash = _mm256_cmpeq_epi8(v, slash);
    const __m256i sextets = _mm256_add_epi8(v, _mm256_shuffle_epi8(roll, _mm256_add_epi8(high, is_slash)));
    // Pairs of sextets into 12 bits, pairs of those into 24 bits per 32-bit group.
    const __m256i twelve = _mm256_maddubs_epi16(sextets, _mm256_set1_epi32(0x01400140));
    const __m256i twenty_four = _mm256_madd_epi16(twelve, _mm256_set1_epi32(0x00011000));
    const __m256i bytes = _mm256_shuffle_epi8(twenty_four, pack);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out), _mm256_castsi256_si128(bytes));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + 12), _mm256_extracti128_si256(bytes, 1));
    out += 24;
    i += 32;
  }
  return i;
}

/// From `i`: the first position of the pair a b when one starts before n − 32, else the first
/// position the vector loop did not look at (the caller goes on byte by byte).
__attribute__((target("avx2"))) std::size_t find_pair_avx2(const char* s, std::size_t n, std::size_t i, char a,
                                                           char b) {
  const __m256i va = _mm256_set1_epi8(a);
  const __m256i vb = _mm256_set1_epi8(b);
  for (; i + 33 <= n; i += 32) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i));
    const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s + i + 1));
    const auto m = static_cast<std::uint32_t>(
        _mm256_movemask_epi8(_mm256_and_si256(_mm256_cmpeq_epi8(x, va), _mm256_cmpeq_epi8(y, vb))));
    if (m != 0) return i + static_cast<std::size_t>(std::countr_zero(m));
  }
  return i;
}

const bool has_avx2 = __builtin_cpu_supports("avx2");
#endif

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::size_t find_pair(std::string_view s, char a, char b, std::size_t from) {
  std::size_t i = from;
  const std::size_t n = s.size();
#if defined(GW_QD130_BASE64_AVX2)
  if (has_avx2) i = find_pair_avx2(s.data(), n, i, a, b);
#else
  // One memchr per candidate first byte.
  while (i + 1 < n) {
    const void* hit = std::memchr(s.data() + i, a, n - i - 1);
    if (hit == nullptr) return std::string_view::npos;
    i = static_cast<std::size_t>(static_cast<const char*>(hit) - s.data());
    if (s[i + 1] == b) return i;
    ++i;
  }
#endif
  for (; i + 1 < n; ++i)
    if (s[i] == a && s[i + 1] == b) return i;
  return std::string_view::npos;
}

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
  // Spare bytes: the fast paths store 3-byte groups as 4-byte words, 24-byte blocks as 28.
  r.data = std::make_unique_for_overwrite<char[]>(bound + 8);
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
#if defined(GW_QD130_BASE64_AVX2)
      if (has_avx2 && i + 32 <= n) {
        const std::size_t used = b64_blocks_avx2(p + i, n - i, out + o);
        i += used;
        o += used / 4 * 3;
      }
#endif
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
