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
