#include "fhir/datetime.hpp"

#include <gtest/gtest.h>

namespace gw::fhir {
namespace {
std::string dtm(std::string_view in, const time_settings& s = {}) {
  issue_list issues;
  auto r = from_hl7_dtm(in, issues, "PID-7", s);
  if (!r) {
    EXPECT_FALSE(issues.empty());
    EXPECT_EQ(issues.front().location, "PID-7");
    EXPECT_EQ(issues.front().code, issue_code::value);
    return "ERR";
  }
  EXPECT_TRUE(issues.empty());
  return r->value;
}
std::string qd(std::string_view in) {
  issue_list issues;
  auto r = from_qd130(in, issues, "XML1.NGAY_SINH");
  return r ? r->value : "ERR";
}
}  // namespace

TEST(datetime, hl7_dtm_all_precisions) {
  EXPECT_EQ(dtm("1978"), "1978");
  EXPECT_EQ(dtm("197803"), "1978-03");
  EXPECT_EQ(dtm("19780315"), "1978-03-15");
  EXPECT_EQ(dtm("2026112009"), "2026-11-20T09:00:00+07:00");
  EXPECT_EQ(dtm("202611200930"), "2026-11-20T09:30:00+07:00");
  EXPECT_EQ(dtm("20261120093015"), "2026-11-20T09:30:15+07:00");
  EXPECT_EQ(dtm("20261120093015.1234"), "2026-11-20T09:30:15.1234+07:00");
  EXPECT_EQ(dtm("202611201005+0700"), "2026-11-20T10:05:00+07:00");
  EXPECT_EQ(dtm("202611201005-0500"), "2026-11-20T10:05:00-05:00");
  time_settings utc;
  utc.default_offset = "Z";
  EXPECT_EQ(dtm("202611201005", utc), "2026-11-20T10:05:00Z");
  // Leading zeros in every part, and years below 1000.
  EXPECT_EQ(dtm("0987"), "0987");
  EXPECT_EQ(dtm("00050102"), "0005-01-02");
  EXPECT_EQ(dtm("00090102030405.5"), "0009-01-02T03:04:05.5+07:00");
  EXPECT_EQ(dtm("99991231235959-0930"), "9999-12-31T23:59:59-09:30");
}
TEST(datetime, hl7_dtm_errors) {
  EXPECT_EQ(dtm(""), "ERR");
  EXPECT_EQ(dtm("197"), "ERR");
  EXPECT_EQ(dtm("19781"), "ERR");
  EXPECT_EQ(dtm("20261320"), "ERR");
  EXPECT_EQ(dtm("20260230"), "ERR");
  EXPECT_EQ(dtm("20240229"), "2024-02-29");
  EXPECT_EQ(dtm("202611202500"), "ERR");
  EXPECT_EQ(dtm("202611201005+07"), "ERR");
  EXPECT_EQ(dtm("202611201005+1500"), "ERR");
  EXPECT_EQ(dtm("2026112010.5"), "ERR");
  EXPECT_EQ(dtm("2026-11-20"), "ERR");
  EXPECT_EQ(dtm("00001120"), "ERR");
}
TEST(datetime, qd130_unknown_parts) {
  EXPECT_EQ(qd("197800000000"), "1978");
  EXPECT_EQ(qd("197803000000"), "1978-03");
  EXPECT_EQ(qd("197803150000"), "1978-03-15");
  EXPECT_EQ(qd("19780315"), "1978-03-15");
  EXPECT_EQ(qd("19780000"), "1978");
  EXPECT_EQ(qd("202611200930"), "2026-11-20T09:30:00+07:00");
  EXPECT_EQ(qd("20261120093045"), "2026-11-20T09:30:45+07:00");
  EXPECT_EQ(qd("2026112009"), "ERR");
  EXPECT_EQ(qd("20261120x930"), "ERR");
  EXPECT_EQ(qd("202613200930"), "ERR");
  issue_list issues;
  time_settings keep;
  keep.zero_time_is_unknown = false;
  auto r = from_qd130("202611200000", issues, "x", keep);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->value, "2026-11-20T00:00:00+07:00");
  EXPECT_EQ(r->date(), "2026-11-20");
  EXPECT_FALSE(r->is_date());
}
TEST(datetime, fhir_format_checks) {
  EXPECT_TRUE(is_fhir_date("2026"));
  EXPECT_TRUE(is_fhir_date("2026-11"));
  EXPECT_TRUE(is_fhir_date("2026-11-20"));
  EXPECT_FALSE(is_fhir_date("2026-11-31"));
  EXPECT_FALSE(is_fhir_date("2026-11-20T10:00:00Z"));
  EXPECT_FALSE(is_fhir_date("0000"));
  EXPECT_TRUE(is_fhir_date_time("2026-11-20T10:00:00+07:00"));
  EXPECT_TRUE(is_fhir_date_time("2026-11-20T10:00:00.5Z"));
  EXPECT_FALSE(is_fhir_date_time("2026-11-20T10:00+07:00"));
  EXPECT_FALSE(is_fhir_date_time("2026-11-20T10:00:00"));
  EXPECT_FALSE(is_fhir_date_time("2026-11-20T10:00:00+7:00"));
  EXPECT_TRUE(is_fhir_instant("2026-11-20T10:00:00+07:00"));
  EXPECT_FALSE(is_fhir_instant("2026-11-20"));
  EXPECT_TRUE(is_fhir_time("10:00:00"));
  EXPECT_FALSE(is_fhir_time("24:00:00"));
}
TEST(datetime, format_instant_applies_offset) {
  using namespace std::chrono;
  sys_days d = year{2026} / 11 / 20;
  auto t = d + hours{3} + minutes{4} + seconds{5} + milliseconds{6};
  EXPECT_EQ(format_instant(t), "2026-11-20T10:04:05.006+07:00");
  EXPECT_EQ(format_instant(t, "Z"), "2026-11-20T03:04:05.006Z");
  EXPECT_TRUE(is_fhir_instant(format_instant(t)));
}
}  // namespace gw::fhir
