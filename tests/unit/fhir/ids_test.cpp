#include "fhir/ids.hpp"

#include <gtest/gtest.h>

namespace gw::fhir {
TEST(ids, uuid_v5_matches_rfc_example) {
  // Python: uuid.uuid5(uuid.NAMESPACE_DNS, "python.org") == 886313e1-3b8a-5372-9b90-0c9aee199e5d
  uuid_bytes dns{};
  ASSERT_TRUE(parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c8", dns));
  EXPECT_EQ(uuid_v5(dns, "python.org"), "886313e1-3b8a-5372-9b90-0c9aee199e5d");
}
TEST(ids, same_inputs_same_id) {
  EXPECT_EQ(encounter_id("42001", "2611200007"), encounter_id("42001", " 2611200007 "));
  EXPECT_NE(encounter_id("42001", "2611200007"), encounter_id("42002", "2611200007"));
  EXPECT_EQ(patient_id_from_cccd("042078000123"), stable_id("Patient", "cccd", "042078000123"));
  EXPECT_TRUE(is_uuid(patient_id_from_cccd("042078000123")));
  EXPECT_EQ(patient_id_from_cccd("042078000123")[14], '5');  // version nibble
}
TEST(ids, parts_are_unambiguous) {
  EXPECT_NE(stable_id("X", "a|b", "c"), stable_id("X", "a", "b|c"));
  EXPECT_NE(stable_id("X", "ab"), stable_id("X", "a", "b"));
  EXPECT_NE(stable_id("Patient", "1"), stable_id("Encounter", "1"));
}
TEST(ids, condition_code_normalised) {
  auto enc = encounter_id("42001", "2611200007");
  EXPECT_EQ(condition_id(enc, "J18.9", "principal"), condition_id(enc, "j189", "principal"));
  EXPECT_NE(condition_id(enc, "J18.9", "principal"), condition_id(enc, "J18.9", "secondary"));
}
TEST(ids, parse_uuid_rejects_malformed) {
  uuid_bytes b{};
  EXPECT_FALSE(parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430c", b));
  EXPECT_FALSE(parse_uuid("6ba7b810x9dad-11d1-80b4-00c04fd430c8", b));
  EXPECT_FALSE(parse_uuid("6ba7b810-9dad-11d1-80b4-00c04fd430cg", b));
  EXPECT_EQ(urn_uuid("abc"), "urn:uuid:abc");
}
}  // namespace gw::fhir
