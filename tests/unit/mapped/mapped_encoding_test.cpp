// Encodings of hospitals' exports: Windows-1258 (combining tone marks, NFC afterwards), UTF-16 with
// and without a byte order mark, a UTF-8 byte order mark; a byte not valid in the declared
// encoding is an error naming the line and column (delimited) or the line and byte (JSON), never a
// crash and never a value with a replacement character in it.
#include <gtest/gtest.h>

#include <algorithm>

#include "adapters/mapped/encoding.hpp"
#include "adapters/mapped/translate.hpp"
#include "fhir/json.hpp"
#include "fhir/text.hpp"
#include "tests/unit/mapped/test_util.hpp"

namespace gw::mapped {
namespace {

using namespace gw::mapped::test;
using fhir::severity;

/// The shipped mapping of `facility`, declaring encoding `e` (a copy that lives for the test).
struct with_encoding {
  mapping map;
  settings s;
  with_encoding(const std::string& facility, text_encoding e)
      : map(*settings_of(facility).map), s(settings_of(facility)) {
    map.encoding = e;
    s.map = &map;
  }
};

std::string utf8_bundle(const std::string& facility, const std::string& rel) {
  auto t = translate(sample(rel), settings_of(facility), context_of(facility));
  EXPECT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  return fhir::to_json(t.bundle);
}

const std::string delimited_sample = "mapped/42022/export-20261123.txt";

TEST(mapped_encoding, windows_1258_sample_gives_the_same_nfc_bundle_as_utf8) {
  const std::string bytes = sample("mapped/42022/export-20261123.cp1258.txt");
  // The committed sample (made with `iconv -t CP1258`) writes tones as combining marks (0xDE
  // tilde, 0xF2 dot below, ...), so equality below needs the NFC step.
  EXPECT_TRUE(std::any_of(bytes.begin(), bytes.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == 0xCC || u == 0xDE || u == 0xEC || u == 0xF2 || u == 0xD2;
  }));
  EXPECT_FALSE(fhir::is_valid_utf8(bytes));
  with_encoding w("42022", text_encoding::windows_1258);
  auto t = translate(bytes, w.s, context_of("42022"));
  ASSERT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  check_golden("mapped", "42022-export", t.bundle);  // the UTF-8 sample's golden Bundle
  EXPECT_EQ(fhir::to_json(t.bundle), utf8_bundle("42022", delimited_sample));
  const auto* p = t.bundle.entry[1].resource.get_if<fhir::Patient>();
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name[0].text, "PHAN THỊ HOA");  // precomposed U+1ECA
}

TEST(mapped_encoding, utf16_with_and_without_byte_order_mark) {
  const std::string utf8 = sample(delimited_sample), want = utf8_bundle("42022", delimited_sample);
  struct variant {
    text_encoding declared;
    std::string bytes;
  };
  const std::vector<variant> variants{
      {text_encoding::utf16, "\xFF\xFE" + encode_as(utf8, "UTF-16LE")},
      {text_encoding::utf16, "\xFE\xFF" + encode_as(utf8, "UTF-16BE")},
      {text_encoding::utf16le, "\xFF\xFE" + encode_as(utf8, "UTF-16LE")},
      {text_encoding::utf16le, encode_as(utf8, "UTF-16LE")},
      {text_encoding::utf16be, encode_as(utf8, "UTF-16BE")},
      {text_encoding::utf8, "\xEF\xBB\xBF" + utf8},
  };
  for (const auto& v : variants) {
    with_encoding w("42022", v.declared);
    auto t = translate(v.bytes, w.s, context_of("42022"));
    EXPECT_FALSE(fhir::has_errors(t.issues)) << encoding_name(v.declared) << "\n" << describe(t.issues);
    EXPECT_EQ(fhir::to_json(t.bundle), want) << encoding_name(v.declared);
  }
}

TEST(mapped_encoding, json_export_in_utf16_and_windows_1258) {
  const std::string utf8 = sample("mapped/42021/visits-2026-11-22.json");
  const std::string want = utf8_bundle("42021", "mapped/42021/visits-2026-11-22.json");
  with_encoding u16("42021", text_encoding::utf16);
  auto t = translate("\xFF\xFE" + encode_as(utf8, "UTF-16LE"), u16.s, context_of("42021"));
  EXPECT_FALSE(fhir::has_errors(t.issues)) << describe(t.issues);
  EXPECT_EQ(fhir::to_json(t.bundle), want);
  with_encoding cp("42021", text_encoding::windows_1258);
  auto c = translate(encode_as(utf8, "CP1258"), cp.s, context_of("42021"));
  EXPECT_FALSE(fhir::has_errors(c.issues)) << describe(c.issues);
  EXPECT_EQ(fhir::to_json(c.bundle), want);
}

TEST(mapped_encoding, byte_undefined_in_windows_1258_names_line_and_column) {
  // 0x81 has no character in Windows-1258: the value is refused with its place, the other lines
  // are read.
  std::string bytes = sample("mapped/42022/export-20261123.cp1258.txt") + "DP|B22-000318|I10|T\x81ng\n";
  with_encoding w("42022", text_encoding::windows_1258);
  auto t = translate(bytes, w.s, context_of("42022"));
  EXPECT_TRUE(has_issue_at(t.issues, "line 8 column 4", severity::error)) << describe(t.issues);
  EXPECT_NE(describe(t.issues).find("0x81"), std::string::npos) << describe(t.issues);
  EXPECT_EQ(t.bundle.entry.size(), 10u) << describe(t.issues);  // what the sample alone makes
  const std::string json = fhir::to_json(t.bundle);
  EXPECT_EQ(json.find("\xEF\xBF\xBD"), std::string::npos);  // no U+FFFD anywhere
}

TEST(mapped_encoding, invalid_utf8_is_named_like_any_wrong_encoding) {
  // The UTF-8 sample with one line written by a Windows-1258 tool: line and column, the byte and
  // its offset, nothing garbled in the Bundle.
  const std::string utf8 = sample(delimited_sample);
  const std::string bytes = utf8 + encode_as("DP|B22-000318|I10|Tăng huyết áp\n", "CP1258");
  auto t = translate(bytes, settings_of("42022"), context_of("42022"));
  EXPECT_TRUE(has_issue_at(t.issues, "line 8 column 4", severity::error)) << describe(t.issues);
  EXPECT_NE(describe(t.issues).find("offset " + std::to_string(utf8.size() + 19)), std::string::npos)
      << describe(t.issues);
  EXPECT_EQ(fhir::to_json(t.bundle).find("\xEF\xBF\xBD"), std::string::npos);
  // JSON: the line and byte offset (there are no JSON Pointers before the document parses).
  const std::string json = "{\"visits\": [\n{\"visit_no\": \"A\xff\"}]}";
  auto j = translate(json, settings_of("42021"), context_of("42021"));
  EXPECT_TRUE(has_issue_at(j.issues, "line 2 byte " + std::to_string(json.find('\xff')), severity::error))
      << describe(j.issues);
}

TEST(mapped_encoding, unpaired_surrogate_and_odd_length_in_utf16) {
  std::string bytes = "\xFF\xFE" + encode_as(sample(delimited_sample), "UTF-16LE");
  bytes += encode_as("DP|B22-000318|I10|T", "UTF-16LE") + std::string("\x3D\xD8", 2) + encode_as("x\n", "UTF-16LE");
  with_encoding w("42022", text_encoding::utf16);
  auto t = translate(bytes, w.s, context_of("42022"));
  EXPECT_TRUE(has_issue_at(t.issues, "line 8 column 4", severity::error)) << describe(t.issues);
  // JSON in UTF-16: the line is counted in the text, the offset in the file's bytes.
  with_encoding j("42021", text_encoding::utf16);
  const std::string json = "\xFF\xFE" + encode_as("{\"visits\": [\n{\"visit_no\": \"A", "UTF-16LE");
  auto u = translate(json + std::string("\x3D\xD8", 2) + encode_as("\"}]}", "UTF-16LE"), j.s, context_of("42021"));
  EXPECT_TRUE(has_issue_at(u.issues, "line 2 byte " + std::to_string(json.size()), severity::error))
      << describe(u.issues);
  auto odd = translate("\xFF\xFE" + encode_as(sample(delimited_sample), "UTF-16LE") + "V", w.s, context_of("42022"));
  EXPECT_TRUE(fhir::has_errors(odd.issues));
  EXPECT_TRUE(has_issue_at(odd.issues, "line 8 column 1", severity::error)) << describe(odd.issues);
}

TEST(mapped_encoding, whole_file_in_another_encoding_is_refused_at_byte_0) {
  const std::string utf8 = sample(delimited_sample);
  // UTF-8 declared Windows-1258: it would decode, garbled; refused instead.
  with_encoding cp("42022", text_encoding::windows_1258);
  auto a = translate(utf8, cp.s, context_of("42022"));
  EXPECT_TRUE(has_issue_at(a.issues, "byte 0", severity::error)) << describe(a.issues);
  EXPECT_EQ(a.bundle.entry.size(), 1u);  // the sender's Organization only
  // UTF-16 with a byte order mark, declared UTF-8.
  auto b = translate("\xFF\xFE" + encode_as(utf8, "UTF-16LE"), settings_of("42022"), context_of("42022"));
  EXPECT_TRUE(has_issue_at(b.issues, "byte 0", severity::error)) << describe(b.issues);
  // `utf-16` needs a byte order mark to know the order.
  with_encoding u16("42022", text_encoding::utf16);
  auto c = translate(encode_as(utf8, "UTF-16LE"), u16.s, context_of("42022"));
  EXPECT_TRUE(has_issue_at(c.issues, "byte 0", severity::error)) << describe(c.issues);
  // A byte order mark that contradicts the declared order.
  with_encoding be("42022", text_encoding::utf16be);
  auto d = translate("\xFF\xFE" + encode_as(utf8, "UTF-16LE"), be.s, context_of("42022"));
  EXPECT_TRUE(has_issue_at(d.issues, "byte 0", severity::error)) << describe(d.issues);
  // Windows-1258 bytes declared UTF-8 everywhere: more bad bytes than a slip; one error.
  std::string many;
  for (int i = 0; i < 300; ++i) many += "V|B" + std::to_string(i) + "|x|y|\xD0\xF4\xDE|1975-08-30|F|a|b|c|d|NOI\n";
  auto e = translate(many, settings_of("42022"), context_of("42022"));
  ASSERT_EQ(e.issues.size(), 1u) << describe(e.issues);
  EXPECT_EQ(e.issues[0].severity, severity::error);
}

TEST(mapped_encoding, names_in_mapping_files) {
  EXPECT_EQ(parse_encoding("UTF-8"), text_encoding::utf8);
  EXPECT_EQ(parse_encoding("Windows-1258"), text_encoding::windows_1258);
  EXPECT_EQ(parse_encoding("cp1258"), text_encoding::windows_1258);
  EXPECT_EQ(parse_encoding("utf-16le"), text_encoding::utf16le);
  EXPECT_EQ(parse_encoding("latin1"), std::nullopt);
  EXPECT_EQ(encoding_name(text_encoding::utf16be), "utf-16be");
}

}  // namespace
}  // namespace gw::mapped
