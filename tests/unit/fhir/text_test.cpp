#include "fhir/text.hpp"

#include <gtest/gtest.h>

namespace gw::fhir {
TEST(text, utf8_validity) {
  EXPECT_TRUE(is_valid_utf8("Nguyễn Văn Thử"));
  EXPECT_TRUE(is_valid_utf8(""));
  EXPECT_FALSE(is_valid_utf8("\xff"));
  EXPECT_FALSE(is_valid_utf8("\xc3"));          // truncated
  EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));      // overlong
  EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));  // surrogate
}
TEST(text, nfc_normalises_decomposed_and_tone_mark_placement_input) {
  // "Hòa" decomposed: o + combining grave (U+0300).
  EXPECT_EQ(to_nfc("Ho\xcc\x80"
                   "a"),
            "H\xc3\xb2"
            "a");
  EXPECT_EQ(to_nfc("Nguyễn"), "Nguyễn");
  EXPECT_FALSE(to_nfc("\xff"));
}
TEST(text, search_key_removes_accents_case_and_d_stroke) {
  EXPECT_EQ(search_key("  Nguyễn  Văn ĐỨC "), "nguyen van duc");
  EXPECT_EQ(search_key("Đặng Thị Hoà"), "dang thi hoa");
  EXPECT_EQ(search_key("đ"), "d");
  EXPECT_EQ(search_key("NGUYEN VAN THU"), search_key("Nguyễn Văn Thử"));
  EXPECT_EQ(search_key("Ho\xcc\x80"
                       "a"),
            search_key("Hòa"));
  EXPECT_EQ(search_key("\xff"), "");
}
}  // namespace gw::fhir

namespace gw::fhir {
TEST(text, first_invalid_utf8_gives_the_offset_of_the_bad_sequence) {
  EXPECT_EQ(first_invalid_utf8(""), std::string_view::npos);
  EXPECT_EQ(first_invalid_utf8("Nguy\xE1\xBB\x85n V\xC4\x83n Th\xE1\xBB\xAD"), std::string_view::npos);
  EXPECT_EQ(first_invalid_utf8("abcdefghijklmnop\xC3"), 16u);     // truncated after the fast path
  EXPECT_EQ(first_invalid_utf8("abcdefgh\xED\xA0\x80"), 8u);      // surrogate
  EXPECT_EQ(first_invalid_utf8("ab\xE0\x80\x80"), 2u);            // overlong 3-byte form
  EXPECT_EQ(first_invalid_utf8("\xF4\x90\x80\x80"), 0u);          // above U+10FFFF
  EXPECT_EQ(first_invalid_utf8("\xF0\x9F\x98\x80 ok \x80"), 8u);  // lone continuation byte
  EXPECT_EQ(first_invalid_utf8("\xE1\xBB"), 0u);                  // cut inside a letter
}
TEST(text, plainly_nfc_is_a_quick_check_that_never_accepts_invalid_or_combining_text) {
  EXPECT_TRUE(is_plainly_nfc(""));
  EXPECT_TRUE(is_plainly_nfc("Nguyễn Văn Thử, Đặng Thị Hoà, 12 Phố Huế"));
  EXPECT_FALSE(
      is_plainly_nfc("Ho\xcc\x80"
                     "a"));                      // combining grave U+0300
  EXPECT_FALSE(is_plainly_nfc("\xE2\x84\xAB"));  // Angstrom sign: NFC changes it
  EXPECT_FALSE(is_plainly_nfc("abc\xC3"));       // truncated
  EXPECT_FALSE(is_plainly_nfc("\xE1\xBB"));      // truncated Vietnamese letter
  EXPECT_FALSE(is_plainly_nfc("\xC3\x28"));      // not a continuation byte
  EXPECT_FALSE(to_nfc("abcdefgh\xC3"));          // the quick path keeps the validity check
  EXPECT_EQ(to_nfc("\xE2\x84\xAB"), "\xC3\x85");
}
TEST(text, the_ascii_fast_paths_stop_at_every_position) {
  // The checks skip ASCII 32 (AVX2), 16 and 8 bytes at a time: a bad byte, a Vietnamese letter
  // and a combining mark at every position of strings of every length up to 80.
  for (std::size_t len = 1; len <= 80; ++len) {
    for (std::size_t pos = 0; pos < len; ++pos) {
      std::string ascii(len, 'a');
      std::string bad = ascii;
      bad[pos] = '\xFF';
      EXPECT_EQ(first_invalid_utf8(bad), pos) << len << " " << pos;
      EXPECT_FALSE(is_plainly_nfc(bad)) << len << " " << pos;
      std::string letter = ascii;
      letter.replace(pos, 1, "\xE1\xBB\x85");  // ễ
      EXPECT_EQ(first_invalid_utf8(letter), std::string_view::npos) << len << " " << pos;
      EXPECT_TRUE(is_plainly_nfc(letter)) << len << " " << pos;
      std::string combining = ascii;
      combining.replace(pos, 1, "\xCC\x80");  // U+0300
      EXPECT_FALSE(is_plainly_nfc(combining)) << len << " " << pos;
      std::string cut = ascii.substr(0, pos) + "\xE1\xBB";
      EXPECT_EQ(first_invalid_utf8(cut), pos) << len << " " << pos;
    }
  }
}
TEST(text, base64_encode_pads_to_whole_groups) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("M"), "TQ==");
  EXPECT_EQ(base64_encode("Ma"), "TWE=");
  EXPECT_EQ(base64_encode("Man"), "TWFu");
  EXPECT_EQ(base64_encode(std::string_view("\xFF\xFE\x00\x3F", 4)), "//4APw==");
}
}  // namespace gw::fhir
