#include "fhir/issue.hpp"

#include <gtest/gtest.h>

namespace gw::fhir {
TEST(issue, hl7_code_derived_from_issue_code) {
  EXPECT_EQ(hl7_code_of({severity::error, issue_code::required, "MSH^1^9", "missing", {}}), 101);
  EXPECT_EQ(hl7_code_of({severity::error, issue_code::conflict, "", "", {}}), 205);
  EXPECT_EQ(hl7_code_of({severity::error, issue_code::value, "", "", hl7_error::table_value_not_found}), 103);
}
TEST(issue, has_errors_ignores_warnings) {
  issue_list l{{severity::warning, issue_code::value, "", "", {}}};
  EXPECT_FALSE(has_errors(l));
  l.push_back({severity::fatal, issue_code::structure, "", "", {}});
  EXPECT_TRUE(has_errors(l));
}
}  // namespace gw::fhir
