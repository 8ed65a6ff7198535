// The OperationOutcome a sender gets over HTTPS: a summary, then the issues with their places;
// a long list is cut with errors first and says how many were left out.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <string>

#include "gateway/ingest/pipeline.hpp"

namespace gw::ingest {
namespace {

rapidjson::Document parsed(const std::string& json) {
  rapidjson::Document d;
  d.Parse(json.c_str());
  EXPECT_FALSE(d.HasParseError()) << json;
  return d;
}

TEST(outcome_json, summary_then_every_issue_with_its_place) {
  const fhir::issue_list issues{
      {fhir::severity::error, fhir::issue_code::required, "XML1[STT=1].HO_TEN", "HO_TEN missing"},
      {fhir::severity::warning, fhir::issue_code::value, "", "a warning without a place"}};
  const auto d = parsed(outcome_json("m-1", "error", "rejected: the message has errors", issues));
  EXPECT_STREQ(d["resourceType"].GetString(), "OperationOutcome");
  EXPECT_STREQ(d["id"].GetString(), "m-1");
  const auto& list = d["issue"];
  ASSERT_EQ(list.Size(), 3u);
  EXPECT_STREQ(list[0]["diagnostics"].GetString(), "rejected: the message has errors");
  EXPECT_STREQ(list[1]["code"].GetString(), "required");
  EXPECT_STREQ(list[1]["expression"][0].GetString(), "XML1[STT=1].HO_TEN");
  EXPECT_FALSE(list[2].HasMember("expression"));
}

TEST(outcome_json, a_long_list_is_cut_errors_first_and_says_how_many_are_left_out) {
  fhir::issue_list issues;
  for (int i = 0; i < 300; ++i)
    issues.push_back({fhir::severity::warning, fhir::issue_code::value, "XML2[" + std::to_string(i + 1) + "].X", "w"});
  for (int i = 0; i < 50; ++i)
    issues.push_back({fhir::severity::error, fhir::issue_code::required, "XML3[" + std::to_string(i + 1) + "].Y", "e"});
  const auto d = parsed(outcome_json("m-2", "error", "rejected", issues));
  const auto& list = d["issue"];
  ASSERT_EQ(list.Size(), 1u + 200u + 1u);  // summary, 200 listed, the note
  for (rapidjson::SizeType k = 1; k <= 50; ++k) EXPECT_STREQ(list[k]["severity"].GetString(), "error") << k;
  EXPECT_STREQ(list[51]["severity"].GetString(), "warning");
  EXPECT_STREQ(list[201]["diagnostics"].GetString(),
               "150 further issues not listed; all 350 are stored with the message");
}

}  // namespace
}  // namespace gw::ingest
