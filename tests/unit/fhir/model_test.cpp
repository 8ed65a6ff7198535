#include "fhir/model.hpp"

#include "fhir/bundle.hpp"

#include <gtest/gtest.h>

namespace gw::fhir {
TEST(model, any_resource_holds_and_copies) {
  Patient p;
  p.id = "p1";
  p.gender = "female";
  p.deceased = DateTime{"2026-11-20"};
  any_resource r = p;
  EXPECT_EQ(r.type_name(), "Patient");
  EXPECT_EQ(r.id(), "p1");
  any_resource c = r;
  ASSERT_NE(c.get_if<Patient>(), nullptr);
  EXPECT_EQ(c.get_if<Patient>()->gender, "female");
  EXPECT_EQ(c.get_if<Encounter>(), nullptr);
  Bundle b;
  b.type = "collection";
  b.entry.push_back({.full_url = "urn:uuid:x", .resource = c});
  any_resource rb = b;
  EXPECT_EQ(rb.type_name(), "Bundle");
  EXPECT_TRUE(any_resource{}.empty());
}
TEST(model, resource_type_dispatch) {
  std::string_view seen;
  EXPECT_TRUE(
      with_resource_type("Observation", [&](auto* t) { seen = std::remove_pointer_t<decltype(t)>::resource_type; }));
  EXPECT_EQ(seen, "Observation");
  EXPECT_FALSE(with_resource_type("Patientx", [](auto*) {}));
}
TEST(model, bundle_helpers) {
  Patient p;
  p.id = patient_id_from_cccd("042078000123");
  EXPECT_EQ(reference_to(p).reference, "Patient/" + p.id);
  EXPECT_TRUE(reference_to(Patient{}).reference.empty());
  Bundle::Entry e = put_entry(p);
  EXPECT_EQ(e.full_url, "urn:uuid:" + p.id);
  ASSERT_TRUE(e.request);
  EXPECT_EQ(e.request->method, "PUT");
  EXPECT_EQ(e.request->url, "Patient/" + p.id);
  EXPECT_EQ(e.resource.id(), p.id);
}
TEST(model, decimal_keeps_text) {
  EXPECT_EQ(decimal::parse("1.50")->text(), "1.50");
  EXPECT_FALSE(decimal::parse("01"));
  EXPECT_FALSE(decimal::parse("1."));
  EXPECT_FALSE(decimal::parse("abc"));
  EXPECT_EQ(decimal::from_double(58.5, 2).text(), "58.50");
  EXPECT_EQ(decimal::from_double(-0.0001, 2).text(), "0.00");
  EXPECT_EQ(decimal(42).text(), "42");
}
}  // namespace gw::fhir
