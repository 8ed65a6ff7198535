// detail::nfc: trimming and collapsing of white space, compared with a plain byte-by-byte model
// on every short mix of words, spaces, tabs, line breaks and Vietnamese letters (the word-wise
// fast path has cases at each position of an 8-byte word and across two words).
#include "adapters/qd130/detail/unicode.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace gw::qd130::detail {
namespace {

bool white(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/// Trim, then one space for each run of white space.
std::string model(std::string_view s) {
  while (!s.empty() && white(s.front())) s.remove_prefix(1);
  while (!s.empty() && white(s.back())) s.remove_suffix(1);
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (!white(s[i])) {
      out += s[i];
    } else if (!white(s[i - 1])) {
      out += ' ';
    }
  }
  return out;
}

TEST(Qd130Unicode, CollapseMatchesTheModelAtEveryPosition) {
  const std::vector<std::string> pieces{"a", "bc", " ", "  ", "\t", "\r\n", "ệ", "Đ", "x y", "\x01"};
  std::size_t cases = 0;
  // Strings of up to 5 pieces over every combination, shifted by 0..8 leading letters.
  std::vector<std::size_t> idx;
  for (std::size_t len = 0; len <= 5; ++len) {
    idx.assign(len, 0);
    while (true) {
      std::string body;
      for (auto k : idx) body += pieces[k];
      for (std::size_t shift = 0; shift <= 8; shift += 3) {
        const std::string s = std::string(shift, 'q') + body + std::string(8 - shift, 'z');
        ASSERT_EQ(nfc(s), model(s)) << "[" << s << "]";
        ASSERT_EQ(nfc(body), model(body)) << "[" << body << "]";
        ++cases;
      }
      std::size_t k = 0;
      while (k < len && ++idx[k] == pieces.size()) idx[k++] = 0;
      if (k == len) break;
    }
  }
  EXPECT_GT(cases, 100000u);
}

TEST(Qd130Unicode, LongCleanTextIsKept) {
  const std::string s = "Bệnh nhân tỉnh, sốt 38.5 độ, ho đờm đục, ran nổ đáy phổi phải. CSST<M96_T38.5_HA130/80>";
  EXPECT_EQ(nfc(s), s);
  EXPECT_EQ(nfc(s + "  x"), s + " x");
  EXPECT_EQ(nfc(" " + s), s);
}

}  // namespace
}  // namespace gw::qd130::detail
