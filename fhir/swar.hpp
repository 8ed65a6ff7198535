#pragma once
/// Byte tests on 64-bit words ("SIMD within a register") for the text scans that look at eight
/// bytes at a time: the JSON writer's escape check, the HL7 parser's and reader's separator scans,
/// the ASCII checks, the QĐ 130 white-space check. A word is loaded little-endian: byte i of the
/// text is bits 8i to 8i+7, so the lowest flagged byte is the first in the text.

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace gw::fhir::swar {

static_assert(std::endian::native == std::endian::little, "the word scans read the first byte lowest");

inline constexpr std::uint64_t ones = 0x0101010101010101ULL;
inline constexpr std::uint64_t highs = 0x8080808080808080ULL;

/// `c` in every byte.
constexpr std::uint64_t broadcast(char c) {
  return ones * static_cast<unsigned char>(c);
}

/// Eight bytes from `p`, any alignment.
inline std::uint64_t load(const void* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

/// The high bit of each zero byte of `x`, and possibly of a byte above a zero one (a borrow runs
/// upwards): exact for the lowest zero byte and as a yes/no, which is what a scan for the first
/// match needs.
constexpr std::uint64_t zero_bytes(std::uint64_t x) {
  return (x - ones) & ~x & highs;
}

/// The high bit of exactly the zero bytes of `x` (for counting them).
constexpr std::uint64_t zero_bytes_exact(std::uint64_t x) {
  return ~(((x & ~highs) + ~highs) | x) & highs;
}

/// The high bit of each byte of `w` below `n` (n at most 0x80), with the same borrow caveat as
/// zero_bytes.
constexpr std::uint64_t bytes_below(std::uint64_t w, unsigned char n) {
  return (w - ones * n) & ~w & highs;
}

/// Index of the byte of the lowest set bit of `flags` (not zero).
constexpr std::size_t first_byte(std::uint64_t flags) {
  return static_cast<std::size_t>(std::countr_zero(flags)) >> 3;
}

}  // namespace gw::fhir::swar
