#include "fhir/json.hpp"

#include "fhir/outcome.hpp"
#include "fhir/validate.hpp"
#include "tests/support/fhir_out.hpp"
#include "tests/unit/fhir/fhir_samples.hpp"

#include <gtest/gtest.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

namespace gw::fhir {
namespace {

std::string dump(const issue_list& issues) {
  std::string s;
  for (const auto& i : issues)
    s += std::string(to_string(i.severity)) + " " + std::string(to_string(i.code)) + " @ " + i.location + ": " +
         i.message + "\n";
  return s;
}

bool has_issue(const issue_list& issues, issue_code code, std::string_view location) {
  return std::any_of(issues.begin(), issues.end(),
                     [&](const issue& i) { return i.code == code && i.location == location; });
}

}  // namespace

// JSON → model → JSON for every resource type; each output is also schema-checked later.
TEST(json, round_trip_every_resource_type) {
  std::size_t n = 0;
  for (const any_resource& r : samples::all_resources()) {
    SCOPED_TRACE(std::string(r.type_name()));
    issue_list v;
    EXPECT_TRUE(validate(r, v)) << dump(v);
    std::string first = to_json(r);
    issue_list issues;
    any_resource back = parse_resource(first, issues);
    EXPECT_TRUE(issues.empty()) << dump(issues);
    ASSERT_FALSE(back.empty());
    EXPECT_EQ(back.type_name(), r.type_name());
    EXPECT_EQ(to_json(back), first);
    write_fhir_output("fhir-roundtrip-" + std::string(r.type_name()), first);
    ++n;
  }
  EXPECT_EQ(n, 22u);
}

TEST(json, round_trip_transaction_bundle) {
  Bundle b = samples::transaction(50);
  issue_list v;
  EXPECT_TRUE(validate(b, v)) << dump(v);
  std::string first = to_json(b);
  issue_list issues;
  auto back = parse_as<Bundle>(first, issues);
  ASSERT_TRUE(back) << dump(issues);
  EXPECT_TRUE(issues.empty()) << dump(issues);
  EXPECT_EQ(back->entry.size(), 50u);
  EXPECT_EQ(to_json(*back), first);
  write_fhir_output("fhir-transaction-50", first);
}

TEST(json, searchset_and_transaction_response) {
  Bundle s;
  s.id = "search-1";
  s.type = "searchset";
  s.total = 1;
  s.link.push_back({.relation = "self", .url = "https://gw.example/fhir/Patient?identifier=042078000123"});
  s.link.push_back({.relation = "next", .url = "https://gw.example/fhir/Patient?identifier=042078000123&_page=2"});
  s.entry.push_back({.full_url = "https://gw.example/fhir/Patient/" + samples::patient_id,
                     .resource = samples::patient(),
                     .search = Bundle::Search{.mode = "match", .score = decimal::parse("1.0")}});
  issue_list v;
  EXPECT_TRUE(validate(s, v)) << dump(v);
  std::string js = to_json(s);
  EXPECT_NE(js.find("\"score\":1.0"), std::string::npos);  // decimal precision kept
  write_fhir_output("fhir-searchset", js);

  Bundle r;
  r.type = "transaction-response";
  r.entry.push_back({.response = Bundle::Response{.status = "201 Created",
                                                  .location = "Patient/" + samples::patient_id + "/_history/1",
                                                  .etag = "W/\"1\"",
                                                  .last_modified = "2026-11-27T09:05:00+07:00"}});
  r.entry.push_back(
      {.response = Bundle::Response{
           .status = "422 Unprocessable Entity",
           .outcome = to_operation_outcome({{severity::error, issue_code::required, "Patient.name", "missing", {}}})}});
  v.clear();
  EXPECT_TRUE(validate(r, v)) << dump(v);
  std::string rj = to_json(r);
  issue_list issues;
  EXPECT_EQ(to_json(parse_resource(rj, issues)), rj);
  EXPECT_TRUE(issues.empty()) << dump(issues);
  write_fhir_output("fhir-transaction-response", rj);
}

TEST(json, writer_skips_empty_elements_and_puts_resource_type_first) {
  Patient p;
  p.id = "x";
  p.name.push_back({});  // empty item: skipped
  p.address.push_back({.city = ""});
  p.managing_organization = Reference{};
  EXPECT_EQ(to_json(p), R"({"resourceType":"Patient","id":"x"})");
  Observation o;
  o.status = "final";
  o.code.text = "x";
  o.value = true;
  o.effective = Period{.start = "2026"};
  EXPECT_EQ(
      to_json(o),
      R"({"resourceType":"Observation","status":"final","code":{"text":"x"},"effectivePeriod":{"start":"2026"},"valueBoolean":true})");
}

// The writer's bytes are exactly RapidJSON Writer's: passing its output through RapidJSON's
// Reader into its Writer (numbers kept as text) must change nothing, escapes included.
// RapidJSON's Writer quotes RawNumber text, so numbers pass through RawValue instead.
struct rewriter : rapidjson::Writer<rapidjson::StringBuffer> {
  using rapidjson::Writer<rapidjson::StringBuffer>::Writer;
  bool RawNumber(const char* s, rapidjson::SizeType n, bool) { return RawValue(s, n, rapidjson::kNumberType); }
};

std::string rapidjson_rewrite(const std::string& js) {
  rapidjson::StringBuffer buf;
  rewriter w(buf);
  rapidjson::Reader reader;
  rapidjson::MemoryStream ms(js.data(), js.size());
  if (!reader.Parse<rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag>(ms, w)) return {};
  return std::string(buf.GetString(), buf.GetSize());
}

/// "" when equal, else the first differing offset with some context of each.
std::string first_difference(const std::string& a, const std::string& b) {
  if (a == b) return {};
  std::size_t i = 0;
  while (i < a.size() && i < b.size() && a[i] == b[i]) ++i;
  const std::size_t from = i < 40 ? 0 : i - 40;
  return "offset " + std::to_string(i) + ": ..." + a.substr(from, 80) + " vs ..." + b.substr(from, 80);
}

TEST(json, writer_bytes_match_rapidjson_writer) {
  Patient p;
  p.id = "esc";
  std::string all_controls;
  for (char c = 1; c < 0x20; ++c) all_controls += c;
  p.name.push_back({.text = std::string("nul\0in", 6) + all_controls + "\x7F \"q\" back\\slash /solidus/ Nguyễn 😀"});
  p.name.push_back({});
  p.name.push_back({.family = "Trần", .given = {"", "Thị"}});
  p.active = false;
  p.multiple_birth = std::int32_t{-2147483647 - 1};
  p.telecom.push_back({.system = "phone", .value = "0912345678", .rank = 2147483647});
  std::string js = to_json(p);
  EXPECT_EQ(first_difference(rapidjson_rewrite(js), js), "");
  EXPECT_NE(js.find("nul\\u0000in\\u0001"), std::string::npos);
  EXPECT_NE(js.find("\\b\\t\\n\\u000B\\f\\r\\u000E"), std::string::npos);
  EXPECT_NE(js.find("\\u001F\x7F \\\"q\\\" back\\\\slash /solidus/"), std::string::npos);
  EXPECT_NE(js.find("\"multipleBirthInteger\":-2147483648"), std::string::npos);
  // Every escaped byte at every position of a string longer than the 8-byte fast path, among
  // bytes that need no escaping (space, 0x7F, multi-byte UTF-8 and letters).
  for (char special : {'"', '\\', '\n', '\x1F', '\0', '\x01'}) {
    for (std::size_t pos = 0; pos < 21; ++pos) {
      std::string text = "ab \x7F\xC3\xA1xyz\xE2\x82\xAC Thu\xE1\xBB\xAD 12";
      if ((static_cast<unsigned char>(text[pos]) & 0xC0) == 0x80) continue;  // inside a character
      text.insert(pos, 1, special);
      Patient q;
      q.id = "x";
      q.name.push_back({.text = text});
      const std::string one = to_json(q);
      EXPECT_EQ(first_difference(rapidjson_rewrite(one), one), "") << pos;
    }
  }
  // Every length around the steps of the writer (short strings are checked in overlapping 4- and
  // 8-byte words, from 16 bytes on in 16-byte blocks, long ones in pieces), with a byte to escape
  // at every position, bytes that are not escaped (' ', DEL, 0xFF: the vector compare is
  // unsigned), and none.
  for (std::size_t len : {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12,  13,   15,   16,  17,
                          18, 20, 23, 24, 25, 31, 32, 33, 35, 47, 48, 49, 300, 4095, 4096, 4097}) {
    for (std::size_t pos = 0; pos <= len; ++pos) {
      for (char special : {'"', '\\', '\x1F', '\0', ' ', '\x7F', '\xFF', 'k'}) {
        std::string text;
        for (std::size_t i = 0; i < len; ++i) text += static_cast<char>('a' + i % 26);
        if (pos < len) text[pos] = special;
        if (text.empty()) continue;  // an empty name is left out
        Patient q;
        q.id = "x";
        q.name.push_back({.text = text});
        const std::string one = to_json(q);
        // (A lone 0xFF is not UTF-8, which RapidJSON's reader refuses: only the exact text below.)
        if (special != '\xFF') {
          ASSERT_EQ(first_difference(rapidjson_rewrite(one), one), "") << len << " " << pos;
        }
        std::string escaped;
        for (const char c : text) {
          if (c == '"')
            escaped += "\\\"";
          else if (c == '\\')
            escaped += "\\\\";
          else if (c == '\x1F')
            escaped += "\\u001F";
          else if (c == '\0')
            escaped += "\\u0000";
          else
            escaped += c;
        }
        ASSERT_EQ(one, R"({"resourceType":"Patient","id":"x","name":[{"text":")" + escaped + R"("}]})")
            << len << " " << pos;
      }
      if (len > 40) pos += len / 7;  // a sample of the positions of the long strings
    }
  }
  for (const any_resource& r : samples::all_resources()) {
    std::string one = to_json(r);
    EXPECT_EQ(first_difference(rapidjson_rewrite(one), one), "") << r.type_name();
  }
  std::string b = to_json(samples::transaction(50));
  EXPECT_EQ(first_difference(rapidjson_rewrite(b), b), "");
}

// A document larger than the writer keeps between calls (1 MiB): written whole, and the next
// small one is still right after the buffer was given back.
TEST(json, writer_handles_a_document_larger_than_its_kept_buffer) {
  Patient big;
  big.id = "big";
  big.name.push_back({.text = std::string(3u << 20, 'a') + "\"end"});
  const std::string js = to_json(big);
  EXPECT_EQ(js.size(), (3u << 20) + 63);
  EXPECT_TRUE(js.ends_with(R"(aaaa\"end"}]})"));
  EXPECT_EQ(first_difference(rapidjson_rewrite(js), js), "");
  Patient small;
  small.id = "x";
  EXPECT_EQ(to_json(small), R"({"resourceType":"Patient","id":"x"})");
}

TEST(json, reader_reports_issues_with_locations) {
  issue_list issues;
  auto r = parse_resource(
      R"({"resourceType":"Bundle","type":"collection","entry":[{"resource":{"resourceType":"Patient",
          "identifier":[{"value":42}],"foo":1,"active":"yes","_birthDate":{"id":"a"},
          "deceasedBoolean":false,"deceasedDateTime":"2020"}}]})",
      issues);
  ASSERT_FALSE(r.empty());
  EXPECT_TRUE(has_issue(issues, issue_code::structure, "Bundle.entry[0].resource.identifier[0].value")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, issue_code::structure, "Bundle.entry[0].resource.foo")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, issue_code::structure, "Bundle.entry[0].resource.active")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, issue_code::not_supported, "Bundle.entry[0].resource._birthDate")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, issue_code::structure, "Bundle.entry[0].resource.deceasedDateTime")) << dump(issues);
  const Patient* p = r.get_if<Bundle>()->entry[0].resource.get_if<Patient>();
  ASSERT_NE(p, nullptr);
  EXPECT_FALSE(p->active.has_value());
}

TEST(json, bad_input_never_crashes) {
  struct bad {
    std::string json;
    issue_code code;
    std::string location;
  };
  std::string deep = R"({"resourceType":"Patient","extension":)";
  for (int i = 0; i < 100; ++i) deep += "[";
  std::vector<bad> cases{
      {"", issue_code::structure, "$ (offset 0)"},
      {"{\"resourceType\":\"Patient\",", issue_code::structure, "$ (offset 26)"},
      {"[1,2]", issue_code::structure, "$"},
      {R"({"id":"x"})", issue_code::required, "$.resourceType"},
      {R"({"resourceType":"Patientx"})", issue_code::not_supported, "Patientx.resourceType"},
      {R"({"resourceType":"Patient","multipleBirthInteger":1.5})", issue_code::value, "Patient.multipleBirthInteger"},
      {R"({"resourceType":"Patient","multipleBirthInteger":99999999999})", issue_code::value,
       "Patient.multipleBirthInteger"},
      {"{\"resourceType\":\"Patient\",\"id\":\"\xff\"}", issue_code::structure, "$ (offset 32)"},
  };
  for (const auto& c : cases) {
    issue_list issues;
    parse_resource(c.json, issues);
    EXPECT_TRUE(has_issue(issues, c.code, c.location)) << c.json << "\n" << dump(issues);
  }
  issue_list issues;
  parse_resource(deep, issues);
  ASSERT_FALSE(issues.empty());
  EXPECT_EQ(issues[0].code, issue_code::too_costly);
  EXPECT_NE(issues[0].location.find("offset"), std::string::npos);

  std::string big(50u * 1024 * 1024, ' ');
  big.replace(0, 25, R"({"resourceType":"Patient"})");
  issues.clear();
  EXPECT_TRUE(parse_resource(big, issues).empty());
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].code, issue_code::too_costly);

  issues.clear();
  parse_resource(R"({"resourceType":"Patient","gender":"male","gender":"female"})", issues);
  EXPECT_TRUE(has_issue(issues, issue_code::duplicate, "Patient.gender")) << dump(issues);

  json_limits small;
  small.max_string_bytes = 4;
  issues.clear();
  parse_resource(R"({"resourceType":"Patient","id":"abcdef"})", issues, small);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].code, issue_code::too_costly);
}

TEST(json, parse_as_rejects_other_type) {
  issue_list issues;
  EXPECT_FALSE(parse_as<Encounter>(R"({"resourceType":"Patient","id":"a"})", issues));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].code, issue_code::invalid);
  EXPECT_EQ(issues[0].location, "Patient");
}

TEST(json, bad_dates_are_value_issues_with_location) {
  issue_list issues;
  auto p = parse_as<Patient>(R"({"resourceType":"Patient","birthDate":"1978-02-30",
      "deceasedDateTime":"2026-11-20T10:00"})",
                             issues);
  ASSERT_TRUE(p);
  EXPECT_TRUE(issues.empty());
  validate(*p, issues);
  EXPECT_TRUE(has_issue(issues, issue_code::value, "Patient.birthDate")) << dump(issues);
  EXPECT_TRUE(has_issue(issues, issue_code::value, "Patient.deceasedDateTime")) << dump(issues);
}

}  // namespace gw::fhir
