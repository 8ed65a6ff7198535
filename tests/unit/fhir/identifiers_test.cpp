#include "fhir/identifiers.hpp"

#include <gtest/gtest.h>

namespace gw::fhir {
TEST(identifiers, classify_by_shape) {
  EXPECT_EQ(classify_personal_id("042078000123"), id_kind::cccd);
  EXPECT_EQ(classify_personal_id(" 183456789 "), id_kind::cmnd);
  EXPECT_EQ(classify_personal_id("C1234567"), id_kind::passport);
  EXPECT_EQ(classify_personal_id("c1234567"), id_kind::unknown);
  EXPECT_EQ(classify_personal_id("04207800012"), id_kind::unknown);
}
TEST(identifiers, cccd_decoded) {
  issue_list issues;
  auto i = check_cccd("042078000123", "Patient.identifier[0].value", issues);
  ASSERT_TRUE(i);
  EXPECT_TRUE(issues.empty());
  EXPECT_EQ(i->province, "042");
  EXPECT_FALSE(i->female);
  EXPECT_EQ(i->birth_year, 1978);
  auto j = check_cccd("001305000001", "x", issues);
  ASSERT_TRUE(j);
  EXPECT_TRUE(j->female);
  EXPECT_EQ(j->birth_year, 2005);
}
TEST(identifiers, cccd_rejected) {
  for (auto bad : {"04207800012", "04207800012a", "003078000123", "042478000123", "999078000123"}) {
    issue_list issues;
    EXPECT_FALSE(check_cccd(bad, "loc", issues)) << bad;
    ASSERT_EQ(issues.size(), 1u) << bad;
    EXPECT_EQ(issues[0].code, issue_code::value);
    EXPECT_EQ(issues[0].location, "loc");
  }
}
TEST(identifiers, cmnd_passport_cchn) {
  issue_list issues;
  EXPECT_TRUE(check_cmnd("183456789", "l", issues));
  EXPECT_FALSE(check_cmnd("18345678", "l", issues));
  EXPECT_TRUE(check_passport("C1234567", "l", issues));
  EXPECT_EQ(issues.size(), 1u);
  EXPECT_TRUE(check_passport("X12345AB", "l", issues));  // foreign: warning
  EXPECT_EQ(issues.back().severity, severity::warning);
  EXPECT_FALSE(check_passport("C-123", "l", issues));
  EXPECT_TRUE(check_cchn("000998/HT-CCHN", "l", issues));
  EXPECT_TRUE(check_cchn("CCHN.C.42001", "l", issues));
  EXPECT_FALSE(check_cchn("", "l", issues));
  EXPECT_FALSE(check_cchn("000 998", "l", issues));
}
TEST(identifiers, bhyt_card) {
  issue_list issues;
  auto c = check_bhyt_card("GD4424299990001", "Coverage.identifier[0].value", issues);
  ASSERT_TRUE(c);
  EXPECT_TRUE(issues.empty());
  EXPECT_EQ(c->group, "GD");
  EXPECT_EQ(c->benefit, 4);
  EXPECT_EQ(c->province, "42");
  EXPECT_EQ(c->bhxh, "4299990001");
  EXPECT_FALSE(check_bhyt_card("GD6424299990001", "l", issues));
  EXPECT_FALSE(check_bhyt_card("GD442429999000", "l", issues));
  EXPECT_FALSE(check_bhyt_card("G14424299990001", "l", issues));
  issues.clear();
  EXPECT_TRUE(check_bhyt_card("ZZ4034299990001", "l", issues));  // unknown group + province: warnings
  EXPECT_EQ(issues.size(), 2u);
  EXPECT_FALSE(has_errors(issues));
  EXPECT_TRUE(check_bhxh_number("4299990001", "l", issues));
  EXPECT_FALSE(check_bhxh_number("429999000", "l", issues));
}
TEST(identifiers, systems) {
  identifier_systems s;
  EXPECT_EQ(s.national_id, "http://fhir.ehealth.gov.vn/core/sid/national_id");
  EXPECT_EQ(facility_record_system(s, "42001"), "urn:vn:cskcb:42001:ma_bn");
  EXPECT_EQ(episode_system(s, "42001"), "urn:vn:cskcb:42001:ma_lk");
  EXPECT_TRUE(is_known_province("42"));
  EXPECT_TRUE(is_known_province("001"));
  EXPECT_FALSE(is_known_province("03"));
}
}  // namespace gw::fhir
