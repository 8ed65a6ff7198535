#include "adapters/hl7v2/message.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapters/hl7v2/parser.hpp"

namespace gw::hl7v2 {
namespace {

/// `a` and `b` are the same value to every reader: same bytes, same answers one level down.
void expect_same(value a, value b, const std::string& where) {
  EXPECT_EQ(a.raw(), b.raw()) << where;
  EXPECT_EQ(a.empty(), b.empty()) << where;
  EXPECT_EQ(a.is_null(), b.is_null()) << where;
  EXPECT_EQ(a.text(), b.text()) << where;
  EXPECT_EQ(a.component_count(), b.component_count()) << where;
  EXPECT_EQ(a.subcomponent_count(), b.subcomponent_count()) << where;
  for (std::size_t k = 0; k <= 4; ++k) {
    EXPECT_EQ(a.component(k).raw(), b.component(k).raw()) << where << " component " << k;
    EXPECT_EQ(a.subcomponent(k).raw(), b.subcomponent(k).raw()) << where << " subcomponent " << k;
    EXPECT_EQ(a.subcomponent(k).text(), b.subcomponent(k).text()) << where << " subcomponent " << k;
  }
}

/// components(v)[n] against v.component(n) for every n up to past the table's capacity.
void expect_index_agrees(value v, const std::string& where) {
  const components c(v);
  for (std::size_t n = 0; n <= components::capacity + 4; ++n)
    expect_same(c[n], v.component(n), where + " [" + std::to_string(n) + "]");
}

std::string many(std::size_t n, char sep) {
  std::string s;
  for (std::size_t i = 1; i <= n; ++i) {
    if (i > 1) s += sep;
    s += "c" + std::to_string(i);
  }
  return s;
}

TEST(Hl7Components, IndexAgreesWithTheScanOnOddValues) {
  const std::vector<std::string> fields = {
      "",
      "\"\"",
      "a",
      "^",
      "^^",
      "a^",
      "^b",
      "a^^c^",
      "a^b~c^d",
      "~b^c",
      "a~",
      "a^b&c&&d^e",
      "&x^&&",
      "a\\S\\b^c\\T\\d^\\E\\",
      "\\F\\^\\R\\~x",
      "a^\\",
      "J18.9^Viêm phổi, không đặc hiệu^I10^^^^^^text^K^Kd^SYS",
      "\"\"^\"\"~\"\"",
      many(15, '^'),
      many(16, '^'),
      many(17, '^'),
      many(16, '^') + "^",
      many(30, '^') + "~" + many(3, '^'),
      many(16, '^') + "~x",
  };
  std::string msg = "MSH|^~\\&|LIS|42001|EMRGW|SYT|20261120||ORU^R01^ORU_R01|C1|P|2.5.1\rZZZ";
  for (const auto& f : fields) msg += "|" + f;
  msg += "\r";
  const parse_result r = parse(msg);
  ASSERT_TRUE(r.ok());
  const message& m = *r.msg;
  const segment z = m.at(1);
  ASSERT_EQ(z.field_count(), fields.size());
  for (std::size_t f = 1; f <= fields.size() + 1; ++f) {  // one past the last: an absent field
    const value field = z.field(f);
    const std::string where = "ZZZ-" + std::to_string(f);
    expect_index_agrees(field, where);
    for (std::size_t i = 0; i <= field.repetition_count(); ++i) {
      const value rep = field.repetition(i);
      expect_index_agrees(rep, where + " rep " + std::to_string(i));
      for (std::size_t k = 1; k <= rep.component_count() + 1; ++k) {
        expect_index_agrees(rep.component(k), where + " rep " + std::to_string(i) + " comp " + std::to_string(k));
        expect_index_agrees(rep.component(k).subcomponent(1), where + " sub");
      }
    }
  }
  // Literal MSH-1/MSH-2, a header field and a value that belongs to no message.
  for (std::size_t f : {1u, 2u, 9u}) expect_index_agrees(m.header().field(f), "MSH-" + std::to_string(f));
  expect_index_agrees(value{}, "value{}");
}

TEST(Hl7Components, IndexOfAFieldIsItsFirstRepetition) {
  const std::string msg = "MSH|^~\\&|LIS|42001|EMRGW|SYT|20261120||ORU^R01^ORU_R01|C1|P|2.5.1\rZZZ|a^b~c^d^e\r";
  const parse_result r = parse(msg);
  ASSERT_TRUE(r.ok());
  const components c(r.msg->at(1).field(1));
  EXPECT_EQ(c[1].raw(), "a");
  EXPECT_EQ(c[2].raw(), "b");
  EXPECT_TRUE(c[3].empty());
  const components second(r.msg->at(1).field(1).repetition(1));
  EXPECT_EQ(second[3].raw(), "e");
}

/// Component `n` (1-based) of the first repetition of `s`, byte by byte: the reference for the
/// word-at-a-time scan.
std::string naive_component(std::string_view s, std::size_t n) {
  std::string first(s.substr(0, s.find('~')));
  std::size_t start = 0;
  for (std::size_t k = 1; k < n; ++k) {
    std::size_t p = first.find('^', start);
    if (p == std::string::npos) return {};
    start = p + 1;
  }
  return first.substr(start, first.find('^', start) - start);
}

TEST(Hl7Components, SeparatorsAtEveryPlaceOfAWord) {
  // Separators at each offset around the 8-byte words the scan reads, between plain, UTF-8
  // (high bit set) and 0x7F/0x01 bytes that a wrong borrow trick would take for a separator.
  // 0xDE and 0xFE are '^' and '~' with the high bit set.
  for (const char f : {'x', '\xC3', '\xDE', '\xFE', '\x7F', '\x01', ']', '}'}) {
    for (std::size_t len = 0; len <= 20; ++len) {
      for (std::size_t at = 0; at <= len; ++at) {
        for (char sep : {'^', '~'}) {
          std::string body;
          for (std::size_t i = 0; i < len; ++i) body += i == at ? sep : f;
          if (at < len && len > 12) body[len - 3] = '^';  // a second separator after the first
          const std::string msg =
              "MSH|^~\\&|LIS|42001|EMRGW|SYT|20261120||ORU^R01^ORU_R01|C1|P|2.5.1\rZZZ|" + body + "\r";
          const parse_result r = parse(msg);
          ASSERT_TRUE(r.msg.has_value());
          const value v = r.msg->at(1).field(1);
          const components c(v);
          std::size_t reps = body.empty() ? 0 : 1;
          for (char ch : body) reps += ch == '~' ? 1u : 0u;
          EXPECT_EQ(v.repetition_count(), reps) << body;
          for (std::size_t n = 1; n <= 4; ++n) {
            EXPECT_EQ(v.component(n).raw(), naive_component(body, n)) << body << " component " << n;
            EXPECT_EQ(c[n].raw(), naive_component(body, n)) << body << " component " << n;
          }
        }
      }
    }
  }
}

TEST(Hl7Value, PlainAsciiOnlyWithoutEscapeOrHighBytes) {
  // The escape character of the message (here '#', then the usual backslash) or a byte >= 0x80
  // at every offset around the 8-byte words; '\\' is plain text when the escape is '#'.
  for (const std::string header : {"MSH|^~#&|", "MSH|^~\\&|"}) {
    const char esc = header[6];
    for (const char odd : {esc, '\x80', '\xC3', '\xFF', '\\', '\x7F'}) {
      for (std::size_t len = 1; len <= 20; ++len) {
        for (std::size_t at = 0; at < len; ++at) {
          std::string body(len, 'a');
          body[at] = odd;
          const std::string msg =
              header + "LIS|42001|EMRGW|SYT|20261120||ORU^R01^ORU_R01|C1|P|2.5.1\rZZZ|" + body + "\r";
          const parse_result r = parse(msg);
          ASSERT_TRUE(r.msg.has_value());
          const value v = r.msg->at(1).field(1);
          const bool plain = odd != esc && static_cast<unsigned char>(odd) < 0x80;
          EXPECT_EQ(v.is_plain_ascii(), plain) << header << " " << len << " " << at << " " << int(odd);
          if (plain) {
            EXPECT_EQ(v.text(), v.raw());
          }
        }
      }
    }
  }
  EXPECT_TRUE(value{}.is_plain_ascii());
}

}  // namespace
}  // namespace gw::hl7v2
