#include "adapters/hl7v2/parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "adapters/hl7v2/escape.hpp"
#include "tests/unit/hl7v2/test_util.hpp"

namespace gw::hl7v2 {
namespace {

using fhir::hl7_error;
using fhir::issue_code;
using fhir::severity;

const fhir::issue* find_issue(const fhir::issue_list& issues, std::string_view location) {
  for (const auto& i : issues)
    if (i.location == location) return &i;
  return nullptr;
}

std::string minimal(std::string_view body = "", std::string_view version = "2.5.1") {
  std::string s = "MSH|^~\\&|LIS|42001|EMRGW|SYT|20261120||ORU^R01^ORU_R01|C1|P|";
  s += version;
  s += "\r";
  s += body;
  return s;
}

TEST(Hl7Parser, SamplesParse) {
  for (const auto& p : test::sample_files()) {
    std::string bytes = test::read_file(p);
    parse_result r = parse(bytes);
    ASSERT_TRUE(r.msg.has_value()) << p;
    EXPECT_TRUE(r.complete) << p;
    if (p.filename().string().starts_with("malformed")) {
      EXPECT_FALSE(r.ok());
    } else {
      EXPECT_TRUE(r.ok()) << p << ": " << (r.issues.empty() ? "" : r.issues[0].message);
    }
  }
}

TEST(Hl7Parser, AdmitSampleValues) {
  std::string bytes = test::sample("adt-a01-admit-42001.hl7");
  parse_result r = parse(bytes);
  ASSERT_TRUE(r.ok());
  const message& m = *r.msg;
  EXPECT_EQ(m.message_code().raw(), "ADT");
  EXPECT_EQ(m.trigger_event().raw(), "A01");
  EXPECT_EQ(m.message_structure().raw(), "ADT_A01");
  EXPECT_EQ(m.control_id().raw(), "42001-ADT-0000001");
  EXPECT_EQ(m.version().raw(), "2.5.1");
  EXPECT_EQ(m.header().field(1).raw(), "|");
  EXPECT_EQ(m.header().field(2).raw(), "^~\\&");
  EXPECT_EQ(m.header().get(4, 1).raw(), "42001");
  EXPECT_EQ(m.header().field(18).text(), "UNICODE UTF-8");

  segment pid = m.at(m.find_index("PID"));
  value pid3 = pid.field(3);
  ASSERT_EQ(pid3.repetition_count(), 3u);
  EXPECT_EQ(pid3.repetition(0).component(1).raw(), "042078000123");
  EXPECT_EQ(pid3.repetition(0).component(4).subcomponent(2).raw(), "2.16.704.1.1");
  EXPECT_EQ(pid3.repetition(0).component(5).raw(), "NI");
  EXPECT_EQ(pid3.repetition(1).component(5).raw(), "PI");
  EXPECT_EQ(pid3.repetition(2).component(5).raw(), "SB");
  EXPECT_EQ(pid.get(5, 1).text(), "Nguyễn");
  EXPECT_EQ(pid.get(5, 2).text(), "Văn Thử");

  ASSERT_EQ(m.find_index("DG1", 1) < m.segment_count(), true);
  segment dg1b = m.at(m.find_index("DG1", 1));
  EXPECT_EQ(dg1b.sequence(), 2u);
  EXPECT_EQ(dg1b.get(3, 1).raw(), "I10");
  EXPECT_FALSE(m.has("ZZZ"));
}

TEST(Hl7Parser, MalformedSampleNamesMsh9) {
  std::string bytes = test::sample("malformed-missing-msh9-42001.hl7");
  parse_result r = parse(bytes);
  ASSERT_TRUE(r.msg.has_value());
  const auto* i = find_issue(r.issues, "MSH^1^9");
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(fhir::hl7_code_of(*i), 101);
  EXPECT_EQ(i->code, issue_code::required);
  EXPECT_EQ(r.msg->control_id().raw(), "42001-ADT-0000099");
}

TEST(Hl7Parser, SegmentTerminators) {
  for (std::string_view term : {"\r", "\n", "\r\n", "\n\n"}) {
    std::string s = "MSH|^~\\&|A|B|C|D|20260101||ADT^A01|X|P|2.5";
    s += term;
    s += "PID|1||123^^^F^PI";
    s += term;
    s += "ZPI|custom^value";
    s += term;
    parse_result r = parse(s);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r.msg->segment_count(), 3u);
    EXPECT_EQ(r.msg->at(1).get(3, 1).raw(), "123");
    EXPECT_EQ(r.msg->at(2).name(), "ZPI");
    EXPECT_EQ(r.msg->at(2).get(1, 2).raw(), "value");
  }
}

TEST(Hl7Parser, NoTrailingTerminatorAndBom) {
  std::string s = "\xEF\xBB\xBF" + minimal("PID|1");
  parse_result r = parse(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.msg->segment_count(), 2u);
}

TEST(Hl7Parser, DelimitersFromMsh) {
  std::string s = "MSH#*!%$#A#42001#C#D#2026##ADT*A01#X1#P#2.7\rPID#1##a*b$c!d!e$f#";
  parse_result r = parse(s);
  ASSERT_TRUE(r.ok()) << r.issues.size();
  const delimiters& d = r.msg->delims();
  EXPECT_EQ(d.field, '#');
  EXPECT_EQ(d.component, '*');
  EXPECT_EQ(d.repetition, '!');
  EXPECT_EQ(d.escape, '%');
  EXPECT_EQ(d.subcomponent, '$');
  EXPECT_EQ(d.truncation, 0);
  EXPECT_EQ(r.msg->trigger_event().raw(), "A01");
  segment pid = r.msg->at(1);
  EXPECT_EQ(pid.field(3).repetition_count(), 3u);
  EXPECT_EQ(pid.field(3).repetition(0).component(2).subcomponent(2).raw(), "c");
  EXPECT_EQ(pid.field(3).repetition(2).component(1).subcomponent(2).raw(), "f");
}

TEST(Hl7Parser, DelimitersWithTruncation) {
  std::string s = "MSH|^~\\&#|A|B|C|D|2026||ADT^A01|X|P|2.7\rNTE|1||a\\P\\b";
  parse_result r = parse(s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.msg->delims().truncation, '#');
  EXPECT_EQ(r.msg->at(1).field(3).text(), "a#b");
}

TEST(Hl7Parser, BadDelimitersAreFatal) {
  for (std::string s :
       {"MSH|^~\\|A", "MSH|^^\\&|A|B", "MSHA^~\\&|", "MSH|^~a&|x", "MSH", "MSH|^~\\&&&&|x", "MSH\r|^~\\&"}) {
    parse_result r = parse(s);
    EXPECT_FALSE(r.msg.has_value()) << s;
    ASSERT_FALSE(r.issues.empty()) << s;
    EXPECT_EQ(r.issues[0].severity, severity::fatal);
  }
}

TEST(Hl7Parser, NoMsh) {
  for (std::string s : {"", "\r\n", "PID|1||x", "garbage", "FHS|^~\\&|"}) {
    parse_result r = parse(s);
    EXPECT_FALSE(r.msg.has_value());
    ASSERT_EQ(r.issues.size(), 1u) << s;
    EXPECT_EQ(r.issues[0].severity, severity::fatal);
    EXPECT_FALSE(r.issues[0].message.empty());
  }
  parse_result r = parse("PID|1");
  EXPECT_EQ(r.issues[0].location, "MSH^1");
  EXPECT_EQ(fhir::hl7_code_of(r.issues[0]), 100);
}

TEST(Hl7Parser, NullVersusEmpty) {
  std::string s = minimal("PID|1||\"\"||\"\"^x|");
  parse_result r = parse(s);
  ASSERT_TRUE(r.ok());
  segment pid = r.msg->at(1);
  EXPECT_TRUE(pid.field(3).is_null());
  EXPECT_FALSE(pid.field(3).empty());
  EXPECT_FALSE(pid.field(3).has_value());
  EXPECT_EQ(pid.field(3).text(), "");
  EXPECT_TRUE(pid.field(4).empty());
  EXPECT_FALSE(pid.field(4).is_null());
  EXPECT_TRUE(pid.field(5).component(1).is_null());
  EXPECT_EQ(pid.field(5).component(2).raw(), "x");
  EXPECT_TRUE(pid.field(6).empty());
  EXPECT_TRUE(pid.field(60).empty());
  EXPECT_EQ(pid.field_count(), 6u);
}

TEST(Hl7Parser, EscapeSequences) {
  delimiters d;
  EXPECT_EQ(decode_text("a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f", d), "a|b^c&d~e\\f");
  EXPECT_EQ(decode_text("line1\\.br\\line2", d), "line1\nline2");
  EXPECT_EQ(decode_text("\\X41C3A9\\", d), "A\xC3\xA9");
  EXPECT_EQ(decode_text("\\H\\bold\\N\\", d), "bold");
  EXPECT_EQ(decode_text("a\\.sp 2\\b", d), "a\n\nb");
  EXPECT_EQ(decode_text("a\\.sk 3\\b", d), "a   b");
  EXPECT_EQ(decode_text("a\\.in +4\\b\\.fi\\\\.nf\\", d), "ab");
  // Unknown or not decodable: kept visibly.
  EXPECT_EQ(decode_text("\\Zabc\\", d), "\\Zabc\\");
  EXPECT_EQ(decode_text("\\C2842\\x", d), "\\C2842\\x");
  EXPECT_EQ(decode_text("\\XZZ\\", d), "\\XZZ\\");
  EXPECT_EQ(decode_text("\\XFF\\", d), "\\XFF\\");  // not valid UTF-8 alone
  EXPECT_EQ(decode_text("\\P\\", d), "\\P\\");      // no truncation character declared
  // Unpaired escape character: data.
  EXPECT_EQ(decode_text("C:\\temp", d), "C:\\temp");
  EXPECT_EQ(decode_text("\\", d), "\\");
  // Huge .sp counts are capped.
  EXPECT_LE(decode_text("\\.sp 999999999\\", d).size(), 64u);
}

TEST(Hl7Parser, EscapeRoundTrip) {
  delimiters d;
  std::string text = "a|b^c&d~e\\f\nnext";
  std::string enc = escape_text(text, d);
  EXPECT_EQ(enc, "a\\F\\b\\S\\c\\T\\d\\R\\e\\E\\f\\.br\\next");
  EXPECT_EQ(decode_text(enc, d), text);
}

TEST(Hl7Parser, XrayReportTextDecoded) {
  std::string bytes = test::sample("oru-r01-xray-report-42001.hl7");
  parse_result r = parse(bytes);
  ASSERT_TRUE(r.ok());
  segment obx = r.msg->at(r.msg->find_index("OBX"));
  std::string text = obx.field(5).text();
  EXPECT_NE(text.find("phải.\nKhông"), std::string::npos) << text;
  EXPECT_NE(text.find("0&48"), std::string::npos) << text;
  EXPECT_EQ(text.find('\\'), std::string::npos);
}

TEST(Hl7Parser, Versions) {
  for (auto v : {"2.3", "2.3.1", "2.4", "2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8", "2.8.2"}) {
    std::string s = minimal("", v);
    EXPECT_TRUE(parse(s).ok()) << v;
  }
  for (auto v : {"2.2", "2.9", "3.0", "x"}) {
    std::string s = minimal("", v);
    parse_result r = parse(s);
    ASSERT_TRUE(r.msg.has_value());
    const auto* i = find_issue(r.issues, "MSH^1^12");
    ASSERT_NE(i, nullptr) << v;
    EXPECT_EQ(fhir::hl7_code_of(*i), 203);
  }
  std::string s = "MSH|^~\\&|A|B|C|D|2026||ADT^A01|X|P|\r";
  parse_result r = parse(s);
  const auto* i = find_issue(r.issues, "MSH^1^12");
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(fhir::hl7_code_of(*i), 101);
}

TEST(Hl7Parser, RequiredHeaderFields) {
  std::string s = "MSH|^~\\&|A|B|C|D|2026||ADT|||2.5\r";
  parse_result r = parse(s);
  ASSERT_TRUE(r.msg.has_value());
  EXPECT_NE(find_issue(r.issues, "MSH^1^9^1^2"), nullptr);
  EXPECT_NE(find_issue(r.issues, "MSH^1^10"), nullptr);
  EXPECT_NE(find_issue(r.issues, "MSH^1^11"), nullptr);
  EXPECT_EQ(find_issue(r.issues, "MSH^1^12"), nullptr);
}

TEST(Hl7Parser, CharacterSets) {
  std::string s = "MSH|^~\\&|A|B|C|D|2026||ADT^A01|X|P|2.5|||||VNM|8859/1\r";
  parse_result r = parse(s);
  ASSERT_TRUE(r.msg.has_value());
  const auto* i = find_issue(r.issues, "MSH^1^18");
  ASSERT_NE(i, nullptr);
  EXPECT_EQ(i->code, issue_code::not_supported);

  s = "MSH|^~\\&|A|B|C|D|2026||ADT^A01|X|P|2.5|||||VNM|ASCII\rPID|1||abc\r";
  EXPECT_TRUE(parse(s).ok());
  s = "MSH|^~\\&|A|B|C|D|2026||ADT^A01|X|P|2.5|||||VNM|ASCII\rPID|1||Th\xE1\xBB\xAD\r";
  r = parse(s);
  EXPECT_NE(find_issue(r.issues, "PID^1^3"), nullptr);
}

TEST(Hl7Parser, InvalidUtf8) {
  for (std::string bad : {"\xFF", "\xC3", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80"}) {
    std::string s = minimal("PID|1||ok|x" + bad + "y\r");
    parse_result r = parse(s);
    ASSERT_TRUE(r.msg.has_value());
    const auto* i = find_issue(r.issues, "PID^1^4");
    ASSERT_NE(i, nullptr);
    EXPECT_EQ(fhir::hl7_code_of(*i), 102);
    EXPECT_FALSE(r.ok());
  }
}

TEST(Hl7Parser, StrayLineIsReported) {
  std::string s = minimal("OBX|1|TX|||first line\nsecond line|\r");
  parse_result r = parse(s);
  ASSERT_TRUE(r.msg.has_value());
  ASSERT_FALSE(r.issues.empty());
  EXPECT_EQ(r.issues[0].code, issue_code::structure);
}

TEST(Hl7Parser, HundredMegabytesHitsTheLimit) {
  std::string s = minimal("OBX|1|ED|||");
  s.append(100u * 1024 * 1024, 'A');
  s += "\r";
  parse_result r = parse(s);
  ASSERT_TRUE(r.msg.has_value());
  EXPECT_FALSE(r.complete);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.msg->segment_count(), 1u);  // the header only, for the answer
  EXPECT_EQ(r.msg->control_id().raw(), "C1");
  ASSERT_FALSE(r.issues.empty());
  EXPECT_EQ(r.issues[0].code, issue_code::too_long);
  EXPECT_EQ(r.issues[0].severity, severity::fatal);
  // What is wrong, with the size and the limit.
  EXPECT_EQ(r.issues[0].message, "message of " + std::to_string(s.size()) + " bytes exceeds the limit of " +
                                     std::to_string(parse_settings{}.max_message_bytes) +
                                     " bytes; only the MSH segment was read");
}

TEST(Hl7Parser, HugeHeaderLineGivesNoMessage) {
  std::string s = "MSH|^~\\&|";
  s.append(2000, 'x');
  parse_settings st;
  st.max_message_bytes = 1000;
  parse_result r = parse(s, st);
  EXPECT_FALSE(r.msg.has_value());
  ASSERT_FALSE(r.issues.empty());
  EXPECT_EQ(r.issues[0].code, issue_code::too_long);
}

TEST(Hl7Parser, TenThousandRepetitions) {
  std::string f;
  for (int i = 0; i < 10'000; ++i) f += "x~";
  std::string s = minimal("PID|1||" + f + "\r");
  parse_result r = parse(s);
  ASSERT_TRUE(r.msg.has_value());
  EXPECT_FALSE(r.complete);
  ASSERT_FALSE(r.issues.empty());
  EXPECT_EQ(r.issues.back().code, issue_code::too_costly);
  // Where: PID-3 (the first PID), in the location and in the text.
  EXPECT_EQ(r.issues.back().location, "PID^1^3");
  EXPECT_EQ(r.issues.back().message, "segment 2 field 3 has more than the allowed repetitions");

  parse_settings st;
  st.max_repetitions = 20'000;
  r = parse(s, st);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.msg->at(1).field(3).repetition_count(), 10'001u);
}

TEST(Hl7Parser, DeepSeparatorsAndSegmentLimits) {
  std::string deep;
  for (int i = 0; i < 5'000; ++i) deep += "^&~&^";
  // The second OBX: its sequence is in the location.
  parse_result r = parse(minimal("OBX|1\rOBX|2||" + deep + "\r"));
  ASSERT_TRUE(r.msg.has_value());
  EXPECT_FALSE(r.ok());
  ASSERT_FALSE(r.issues.empty());
  EXPECT_EQ(r.issues.back().location, "OBX^2^3");
  EXPECT_EQ(r.issues.back().message, "segment 3 field 3 has more than the allowed repetitions");

  std::string many_fields(2'000, '|');
  r = parse(minimal("PID" + many_fields + "\r"));
  EXPECT_FALSE(r.complete);
  ASSERT_FALSE(r.issues.empty());
  EXPECT_EQ(r.issues.back().location, "PID^1");
  EXPECT_EQ(r.issues.back().message,
            "segment 2 has more than " + std::to_string(parse_settings{}.max_fields) + " fields");

  std::string many_segments;
  for (int i = 0; i < 20'000; ++i) many_segments += "NTE|1\r";
  r = parse(minimal(many_segments));
  ASSERT_TRUE(r.msg.has_value());
  EXPECT_FALSE(r.complete);
  EXPECT_LE(r.msg->segment_count(), parse_settings{}.max_segments);
}

TEST(Hl7Parser, FieldEndsAtEveryPlaceOfAWord) {
  // Field separators and CR/LF terminators at each offset of the 8-byte words the splitter
  // reads, between plain and UTF-8 bytes, checked against a byte-by-byte split.
  for (const char filler : {'x', '\xC3', '^'}) {
    for (std::size_t len = 1; len <= 20; ++len) {
      for (std::size_t at = 0; at < len; ++at) {
        for (const char end : {'|', '\r', '\n'}) {
          std::string body(len, filler);
          body[at] = end;
          const std::string s = minimal("ZZZ|" + body + "|z\r");
          const parse_result r = parse(s);
          ASSERT_TRUE(r.msg.has_value());
          std::vector<std::string> want;  // the fields of every segment after MSH, names included
          std::string cur;
          for (char c : s.substr(s.find("ZZZ"))) {
            if (c == '|' || c == '\r' || c == '\n') {
              want.push_back(cur);
              cur.clear();
              if (c != '|') want.push_back("\n");
            } else {
              cur += c;
            }
          }
          std::vector<std::string> got;
          for (std::size_t i = 1; i < r.msg->segment_count(); ++i) {
            const segment seg = r.msg->at(i);
            got.emplace_back(seg.name());
            for (std::size_t f = 1; f <= seg.field_count(); ++f) got.emplace_back(seg.field(f).raw());
            got.emplace_back("\n");
          }
          EXPECT_EQ(got, want) << int(filler) << " " << len << " " << at << " " << int(end);
        }
      }
    }
  }
}

TEST(Hl7Parser, ComponentLimitsArePerRepetitionAndSubcomponentLimitsPerComponent) {
  // 300 identifiers of 5 components each in PID-3: 1,200 component separators in the field, but
  // never more than 5 components in a repetition (the limits are 1,000 each).
  std::string cx;
  for (int i = 0; i < 300; ++i) cx += (i ? "~" : "") + std::string("04207800") + std::to_string(1000 + i) + "^^^BCA^NI";
  EXPECT_TRUE(parse(minimal("PID|1||" + cx + "\r")).ok());
  parse_settings st;
  st.max_components = 3;
  EXPECT_TRUE(parse(minimal("ZZZ|a&b&c^d&e&f^g&h&i~j^k^l\r"), st).ok());
  EXPECT_FALSE(parse(minimal("ZZZ|a^b^c~d^e^f^g\r"), st).ok());
  EXPECT_FALSE(parse(minimal("ZZZ|a^b&c&d&e\r"), st).ok());
}

TEST(Hl7Parser, NulByteIsRefusedAtItsPlace) {
  std::string s = minimal("PID|1||042078000123^^^BCA^NI||Thu");
  s += '\0';
  s += "^Nghiem\r";
  const parse_result r = parse(s);
  ASSERT_TRUE(r.msg.has_value());
  EXPECT_FALSE(r.ok());
  ASSERT_FALSE(r.issues.empty());
  EXPECT_EQ(r.issues.back().location, "PID^1^5");
  EXPECT_EQ(r.issues.back().message,
            "NUL byte (0x00) at byte " + std::to_string(s.find('\0')) + ": not allowed in text");
  EXPECT_EQ(fhir::hl7_code_of(r.issues.back()), 102);
}

TEST(Hl7Parser, SeparatorLimitsAtTheirEdge) {
  // Only fields at least as long as the smallest limit are counted: the edge of that shortcut.
  parse_settings st;
  st.max_components = 5;
  st.max_repetitions = 7;
  EXPECT_TRUE(parse(minimal("ZZZ|^^^^|&&&&|~~~~~~\r"), st).ok());  // 5 components, 5 subcomponents, 7 repetitions
  for (const char* f : {"^^^^^", "&&&&&", "~~~~~~~", "a^b^c^d^e^f", "x~^^^^^"}) {
    const std::string field = f;
    const parse_result r = parse(minimal("ZZZ|1|" + field + "|2\r"), st);
    ASSERT_TRUE(r.msg.has_value()) << field;
    EXPECT_FALSE(r.complete) << field;
    ASSERT_FALSE(r.issues.empty()) << field;
    const std::string what = field.find('&') != std::string::npos ? "subcomponents"
                             : field.starts_with("~~")            ? "repetitions"
                                                                  : "components";
    EXPECT_EQ(r.issues.back().message, "segment 2 field 2 has more than the allowed " + what) << field;
  }
}

TEST(Hl7Parser, Location) {
  EXPECT_EQ(hl7_location("MSH", 1, 9), "MSH^1^9");
  EXPECT_EQ(hl7_location("PID", 1), "PID^1");
  EXPECT_EQ(hl7_location("PID", 1, 3, 2), "PID^1^3^2");
  EXPECT_EQ(hl7_location("PID", 1, 3, 0, 4), "PID^1^3^1^4");
}

}  // namespace
}  // namespace gw::hl7v2
