// The references a claimed row waits for, read from its JSON text the way PostgreSQL's
// `jsonb_path_query(content, 'lax $.**.reference')` + the "Type/<uuid>" pattern read them.
#include <gtest/gtest.h>

#include "gateway/store/outbox_store.hpp"

namespace gw::test {
namespace {

using store::references_in;
using store::resource_ref;

constexpr const char* k_p = "0b0e8f4c-3c1e-5f7a-9d2b-6a1f00000001";
constexpr const char* k_o = "0b0e8f4c-3c1e-5f7a-9d2b-6a1f00000002";

TEST(outbox_references, finds_references_at_any_depth_once_each_in_order) {
  std::string json = std::string(R"({"resourceType": "Observation", "subject": {"reference": "Patient/)") + k_p +
                     R"("}, "performer": [{"reference":"Organization/)" + k_o +
                     R"("}, {"display": "x"}], "hasMember": [{"reference" :  "Patient/)" + k_p + R"("}]})";
  auto refs = references_in(json);
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[0], (resource_ref{"Patient", k_p}));
  EXPECT_EQ(refs[1], (resource_ref{"Organization", k_o}));
}

TEST(outbox_references, ignores_what_is_not_a_relative_reference_to_a_stored_id) {
  std::string json =
      std::string(R"({"note": [{"text": "reference"}, {"text": "\"reference\": \"Patient/)") + k_p +
      R"(\""}], "a": {"reference": "urn:uuid:)" + k_p + R"("}, "b": {"reference": "Patient/123"},)" +
      R"( "c": {"reference": "patient/)" + k_p + R"("}, "d": {"reference": "Patient/)" + k_p +
      R"(/_history/2"}, "e": {"reference": 7}, "f": {"reference": "P/)" + k_p + R"("},)" +
      R"( "g": {"reference": "Patient/0B0E8F4C-3C1E-5F7A-9D2B-6A1F00000001"}, "h": {"display": "Patient/)" + k_p +
      R"("}})";
  EXPECT_TRUE(references_in(json).empty()) << json;
}

TEST(outbox_references, survives_truncated_text) {
  std::string json = std::string(R"({"subject": {"reference": "Patient/)") + k_p;
  EXPECT_TRUE(references_in(json).empty());
  EXPECT_TRUE(references_in(R"({"reference)").empty());
  EXPECT_TRUE(references_in(R"({"reference": )").empty());
  EXPECT_TRUE(references_in("\"\\").empty());
}

}  // namespace
}  // namespace gw::test
