#include "adapters/hl7v2/encoder.hpp"

#include <gtest/gtest.h>

#include <string>

#include "adapters/hl7v2/parser.hpp"
#include "tests/unit/hl7v2/test_util.hpp"

namespace gw::hl7v2 {
namespace {

/// Inputs for the round-trip properties: every sample and every parser fuzz corpus file.
std::vector<std::filesystem::path> round_trip_inputs() {
  auto files = test::sample_files();
  auto corpus = test::corpus_files("hl7v2_parser");
  files.insert(files.end(), corpus.begin(), corpus.end());
  return files;
}

bool all_segment_ids_valid(const message& m) {
  for (std::size_t i = 0; i < m.segment_count(); ++i) {
    std::string_view n = m.at(i).name();
    if (n.size() != 3) return false;
    for (char c : n)
      if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}

/// Same structure and the same decoded text in every leaf (subcomponent).
void expect_same_values(const message& a, const message& b, const std::string& what) {
  ASSERT_EQ(a.segment_count(), b.segment_count()) << what;
  for (std::size_t s = 0; s < a.segment_count(); ++s) {
    segment sa = a.at(s), sb = b.at(s);
    ASSERT_EQ(sa.name(), sb.name()) << what;
    ASSERT_EQ(sa.field_count(), sb.field_count()) << what << " " << sa.name();
    for (std::size_t f = (s == 0 ? 3 : 1); f <= sa.field_count(); ++f) {
      value fa = sa.field(f), fb = sb.field(f);
      ASSERT_EQ(fa.is_null(), fb.is_null());
      ASSERT_EQ(fa.repetition_count(), fb.repetition_count()) << what << " " << sa.name() << f;
      for (std::size_t r = 0; r < fa.repetition_count(); ++r) {
        value ra = fa.repetition(r), rb = fb.repetition(r);
        ASSERT_EQ(ra.component_count(), rb.component_count()) << what << " " << sa.name() << f;
        for (std::size_t c = 1; c <= ra.component_count(); ++c) {
          value ca = ra.component(c), cb = rb.component(c);
          ASSERT_EQ(ca.subcomponent_count(), cb.subcomponent_count()) << what;
          for (std::size_t k = 1; k <= ca.subcomponent_count(); ++k)
            ASSERT_EQ(ca.subcomponent(k).text(), cb.subcomponent(k).text())
                << what << " " << sa.name() << "-" << f << "." << c << "." << k;
        }
      }
    }
  }
}

TEST(Hl7Encoder, ParseEncodeParseIsIdentity) {
  std::size_t checked = 0;
  for (const auto& p : round_trip_inputs()) {
    std::string bytes = test::read_file(p);
    parse_result r1 = parse(bytes);
    if (!r1.msg || !r1.complete) continue;
    std::string enc = encode(*r1.msg);
    parse_result r2 = parse(enc);
    ASSERT_TRUE(r2.msg.has_value()) << p;
    EXPECT_EQ(encode(*r2.msg), enc) << p;
    EXPECT_EQ(r2.msg->delims(), r1.msg->delims());
    expect_same_values(*r1.msg, *r2.msg, p.string());
    ++checked;
  }
  EXPECT_GE(checked, 8u);
}

TEST(Hl7Encoder, OtherDelimitersGiveTheSameValues) {
  const delimiters sets[] = {
      {'#', '*', '!', '%', '$', 0},
      {'|', '^', '~', '\\', '&', '#'},
      {'&', '|', '^', '~', '\\', 0},  // the usual characters, all in other roles
  };
  std::size_t checked = 0;
  for (const auto& p : round_trip_inputs()) {
    std::string bytes = test::read_file(p);
    parse_result r1 = parse(bytes);
    if (!r1.msg || !r1.complete || !all_segment_ids_valid(*r1.msg)) continue;
    for (const auto& d : sets) {
      std::string enc = encode(*r1.msg, d, "\r\n");
      if (r1.msg->delims() != d) {
        EXPECT_NE(enc, bytes);
      }
      parse_result r2 = parse(enc);
      ASSERT_TRUE(r2.msg.has_value()) << p;
      EXPECT_EQ(r2.msg->delims(), d);
      expect_same_values(*r1.msg, *r2.msg, p.string());
      // And back again: the original delimiters give the same values once more.
      std::string back = encode(*r2.msg, r1.msg->delims());
      parse_result r3 = parse(back);
      ASSERT_TRUE(r3.msg.has_value());
      expect_same_values(*r1.msg, *r3.msg, p.string());
    }
    ++checked;
  }
  EXPECT_GE(checked, 8u);
}

TEST(Hl7Encoder, ReencodingKeepsFormattingEscapes) {
  std::string s = "MSH|^~\\&|A|B|C|D|2026||ORU^R01|X|P|2.5\rOBX|1|FT|||a\\.br\\b\\T\\c\\Xc3a9\\\\H\\x\\N\\\\Zq\\\r";
  parse_result r = parse(s);
  ASSERT_TRUE(r.ok());
  delimiters d{'#', '*', '!', '%', '$', 0};
  std::string enc = encode(*r.msg, d);
  EXPECT_NE(enc.find("a%.br%b&c%Xc3a9%%H%x%N%%Zq%"), std::string::npos) << enc;
}

TEST(Hl7Encoder, WriterEscapes) {
  message_writer w;
  w.segment("MSH").field("A").field("B").field("C").field("D").field("2026").field("");
  w.components({"ACK", "A01", "ACK"}).field("1").field("P").field("2.5");
  w.segment("NTE").field("1").field("").field("a|b^c&d~e\\f\r\ng").components({"x", "", ""});
  std::string out = w.finish();
  EXPECT_EQ(out,
            "MSH|^~\\&|A|B|C|D|2026||ACK^A01^ACK|1|P|2.5\r"
            "NTE|1||a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\.br\\g|x\r");
  parse_result r = parse(out);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.msg->at(1).field(3).text(), "a|b^c&d~e\\f\ng");
}

}  // namespace
}  // namespace gw::hl7v2
