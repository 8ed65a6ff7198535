// The row checks (detail::check_row) on hand-built rows: which rules report, and in which order,
// whatever the order of the row's fields; rules past the 64th of a table; lengths in code points.
#include "adapters/qd130/detail/field_rules.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/unit/qd130/test_util.hpp"

namespace gw::qd130 {
namespace {

using namespace gw::qd130::test;

/// A row of `t` with the given (name, value) fields in the given order, each with its rule index
/// as the decoder sets it (or without one when `with_rules` is false: found by name instead).
row make_row(table_id t, std::initializer_list<std::pair<std::string_view, std::string_view>> fields,
             bool with_rules = true) {
  row r;
  r.table = t;
  r.position = 1;
  for (const auto& [name, value] : fields) {
    const detail::field_rule* rule = detail::find_rule(t, name);
    r.fields.push_back(field{name, value, with_rules && rule != nullptr ? detail::rule_index(*rule) : field::no_rule});
  }
  return r;
}

std::vector<std::string> checked(const row& r, schema_version v = schema_version::qd130, int date = 20261120) {
  fhir::issue_list out;
  detail::check_row(r, v, date, out);
  std::vector<std::string> s;
  for (const auto& i : out) s.push_back(i.location + ": " + i.message);
  return s;
}

TEST(Qd130FieldRules, MissingFieldsInRuleOrderWhateverTheFieldOrder) {
  // XML0: MA_DICH_VU, MA_THUOC and MA_VAT_TU are each required when the other two are absent.
  const row forward = make_row(table_id::xml0, {{"MA_LK", "LK1"}, {"STT", "1"}, {"MA_THUOC", "40.17"}});
  const row backward = make_row(table_id::xml0, {{"MA_THUOC", "40.17"}, {"STT", "1"}, {"MA_LK", "LK1"}}, false);
  const std::vector<std::string> expected{
      "XML0[STT=1].MA_BN: MA_BN missing",
      "XML0[STT=1].HO_TEN: HO_TEN missing",
      "XML0[STT=1].NGAY_SINH: NGAY_SINH missing",
      "XML0[STT=1].GIOI_TINH: GIOI_TINH missing",
      "XML0[STT=1].MA_DOITUONG_KCB: MA_DOITUONG_KCB missing",
      "XML0[STT=1].NGAY_VAO: NGAY_VAO missing",
      "XML0[STT=1].MA_LOAI_KCB: MA_LOAI_KCB missing",
      "XML0[STT=1].MA_CSKCB: MA_CSKCB missing",
      "XML0[STT=1].TEN_THUOC: TEN_THUOC missing",
      "XML0[STT=1].NGAY_YL: NGAY_YL missing",
  };
  EXPECT_EQ(checked(forward), expected);
  EXPECT_EQ(checked(backward), expected);
  // Indices the decoder vouches for are used as they stand; without that, a stale index (here
  // every field's points at MA_BN) is checked against the name and the name wins.
  row exact = forward;
  exact.rules_exact = true;
  EXPECT_EQ(checked(exact), expected);
  row stale = backward;
  for (auto& f : stale.fields) f.rule = detail::rule_index(*detail::find_rule(table_id::xml0, "MA_BN"));
  EXPECT_EQ(checked(stale), expected);
  // A vouched-for row moved into another table: its indices belong to XML0's rules, so they are
  // not taken for XML1's (the checks index per-table arrays by the rule); found by name instead.
  row moved = forward;
  moved.rules_exact = true;
  moved.table = table_id::xml1;
  row by_name = make_row(table_id::xml1, {{"MA_LK", "LK1"}, {"STT", "1"}, {"MA_THUOC", "40.17"}}, false);
  EXPECT_EQ(checked(moved), checked(by_name));
  // An empty value is a missing one.
  const row empty_name = make_row(table_id::xml0, {{"MA_LK", "LK1"}, {"STT", "1"}, {"MA_THUOC", ""}});
  const auto s = checked(empty_name);
  ASSERT_GE(s.size(), 10u);
  EXPECT_EQ(s[8], "XML0[STT=1].MA_DICH_VU: MA_DICH_VU missing");
  EXPECT_EQ(s[9], "XML0[STT=1].MA_THUOC: MA_THUOC missing");
}

TEST(Qd130FieldRules, RulesPastTheSixtyFourthOfATable) {
  // XML1's rule 63 is MA_HSBA (required), 64 MA_TTDV (at most 10 characters): the missing one
  // reports before the long one, and a later field reports after an earlier one.
  ASSERT_EQ(detail::rule_range(table_id::xml1).first + 64,
            detail::rule_index(*detail::find_rule(table_id::xml1, "MA_TTDV")));
  const row r = make_row(table_id::xml1, {{"MA_TTDV", "12345678901"}, {"STT", "x"}, {"MA_LK", "LK1"}});
  const auto s = checked(r);
  ASSERT_GE(s.size(), 3u);
  EXPECT_EQ(s[0], "XML1[1].STT: STT is not a number");
  EXPECT_EQ(s[s.size() - 2], "XML1[1].MA_HSBA: MA_HSBA missing");
  EXPECT_EQ(s.back(), "XML1[1].MA_TTDV: MA_TTDV longer than 10 characters");
  // QĐ 4210: only its required fields, no lengths or numbers.
  const auto old = checked(r, schema_version::qd4210);
  for (const auto& line : old) EXPECT_EQ(line.find("longer"), std::string::npos) << line;
  EXPECT_EQ(old.front(), "XML1[1].MA_BN: MA_BN missing");
}

TEST(Qd130FieldRules, LengthsCountCodePointsNotBytes) {
  // 10 two-byte characters fit MA_TTDV's 10; 11 do not.
  const std::string ten = "ăăăăăăăăăă";
  const std::string eleven = ten + "ă";
  const row fits = make_row(table_id::xml1, {{"MA_TTDV", ten}});
  const row too_long = make_row(table_id::xml1, {{"MA_TTDV", eleven}});
  for (const auto& line : checked(fits)) EXPECT_EQ(line.find("longer"), std::string::npos) << line;
  EXPECT_EQ(checked(too_long).back(), "XML1[1].MA_TTDV: MA_TTDV longer than 10 characters");
}

}  // namespace
}  // namespace gw::qd130
