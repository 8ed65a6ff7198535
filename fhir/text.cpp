#include "fhir/text.hpp"

#include "fhir/swar.hpp"

#include <utf8proc.h>

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define GW_TEXT_AVX2 1
#elif defined(__SSE2__)
#include <emmintrin.h>
#endif

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

#if defined(GW_TEXT_AVX2)
/// 32 bytes at a time: the first non-ASCII byte at or after `i`, or where fewer than 32 remain.
__attribute__((target("avx2"))) std::size_t skip_ascii_avx2(const unsigned char* p, std::size_t i, std::size_t n) {
  for (; i + 32 <= n; i += 32) {
    const auto high =
        static_cast<std::uint32_t>(_mm256_movemask_epi8(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i))));
    if (high != 0) return i + static_cast<std::size_t>(std::countr_zero(high));
  }
  return i;
}
const bool has_avx2 = __builtin_cpu_supports("avx2");
#endif

/// Skips ASCII from `i`: 32 bytes at a time (AVX2, when the CPU has it) or 16 (SSE2) up to the
/// first non-ASCII byte, then 8 at a time. The result is a position at or before the first
/// non-ASCII byte (the start of the 8-byte word that holds it, or within 8 of the end); the
/// callers go on byte by byte from there. Claims files are mostly ASCII (markup, base64).
std::size_t skip_ascii(const unsigned char* p, std::size_t i, std::size_t n) {
#if defined(GW_TEXT_AVX2)
  if (has_avx2 && n - i >= 32) {
    i = skip_ascii_avx2(p, i, n);
    if (i + 32 <= n) return i;  // stopped at a non-ASCII byte
  }
#endif
#if defined(__SSE2__)
  for (; i + 16 <= n; i += 16) {
    const int high = _mm_movemask_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i)));
    if (high != 0) return i + static_cast<std::size_t>(std::countr_zero(static_cast<unsigned>(high)));
  }
#endif
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    if ((w & swar::highs) != 0) return i;
  }
  return i;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  return first_invalid_utf8(s) == std::string_view::npos;
}

std::size_t first_invalid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    i = skip_ascii(p, i, n);  // ASCII fast path
    if (i == n) break;
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    // Well-formed sequences (Unicode table 3-7): the second byte's range depends on the first.
    std::size_t len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;
      if (c == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
    } else {
      return i;
    }
    if (i + len > n) return i;
    if (p[i + 1] < lo || p[i + 1] > hi) return i;
    for (std::size_t k = 2; k < len; ++k)
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return i;
    i += len;
  }
  return std::string_view::npos;
}

bool is_plainly_nfc(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  auto cont = [&](std::size_t k) { return k < n && (p[k] & 0xC0) == 0x80; };
  for (std::size_t i = 0; i < n;) {
    i = skip_ascii(p, i, n);  // ASCII fast path
    if (i == n) break;
    const unsigned char c = p[i];
    if (c < 0x80) {
      ++i;
    } else if (c >= 0xC2 && c <= 0xCB && cont(i + 1)) {  // U+0080..U+02FF
      i += 2;
    } else if (c == 0xE1 && i + 1 < n && p[i + 1] >= 0xB8 && p[i + 1] <= 0xBB && cont(i + 2)) {
      i += 3;  // U+1E00..U+1EFF
    } else {
      return false;
    }
  }
  return true;
}

std::optional<std::string> to_nfc(std::string_view s) {
  if (is_plainly_nfc(s)) return std::string(s);
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

std::string base64_encode(std::string_view bytes) {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out((bytes.size() + 2) / 3 * 4, '=');
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  std::size_t i = 0, o = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = (unsigned{p[i]} << 16) | (unsigned{p[i + 1]} << 8) | p[i + 2];
    out[o++] = alphabet[(v >> 18) & 63];
    out[o++] = alphabet[(v >> 12) & 63];
    out[o++] = alphabet[(v >> 6) & 63];
    out[o++] = alphabet[v & 63];
  }
  if (i < bytes.size()) {
    unsigned v = unsigned{p[i]} << 16;
    if (i + 1 < bytes.size()) v |= unsigned{p[i + 1]} << 8;
    out[o++] = alphabet[(v >> 18) & 63];
    out[o++] = alphabet[(v >> 12) & 63];
    if (i + 1 < bytes.size()) out[o] = alphabet[(v >> 6) & 63];
  }
  return out;
}

}  // namespace gw::fhir
