// The same episode from the same hospital, once as HL7 v2 (PV1-19 = MA_LK) and once as the QĐ 130
// envelope, converges on one Patient, one Encounter and one Condition per diagnosis
// (ARCHITECTURE.md, "People, stable ids and idempotency").
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "adapters/hl7v2/translate.hpp"
#include "adapters/qd130/translate.hpp"
#include "fhir/ids.hpp"
#include "tests/unit/qd130/test_util.hpp"

namespace gw::qd130 {
namespace {

using namespace gw::qd130::test;

template <class T>
std::set<std::string> ids_of(const fhir::Bundle& b) {
  std::set<std::string> out;
  for (const auto& e : b.entry)
    if (const T* r = e.resource.get_if<T>()) out.insert(r->id);
  return out;
}

std::string j189_id(const fhir::Bundle& b) {
  for (const auto& e : b.entry)
    if (const auto* c = e.resource.get_if<fhir::Condition>(); c && c->code)
      for (const auto& cd : c->code->coding)
        if (cd.code == "J18.9") return c->id;
  return {};
}

TEST(Qd130Convergence, SameEpisodeFromHl7v2AndQd130GetsTheSameIds) {
  context qctx;
  qctx.authenticated_facility = "42001";
  const auto q = translate(sample_envelope(), settings{}, qctx);
  ASSERT_FALSE(fhir::has_errors(q.issues)) << describe(q.issues);

  for (const char* file : {"adt-a01-admit-42001.hl7", "adt-a03-discharge-42001.hl7"}) {
    SCOPED_TRACE(file);
    hl7v2::context hctx;
    hctx.authenticated_facility = "42001";
    const auto h =
        hl7v2::translate(read_file(std::string(GW_SHARED_DIR) + "/samples/hl7v2/" + file), hl7v2::settings{}, hctx);
    ASSERT_FALSE(fhir::has_errors(h.issues)) << describe(h.issues);
    EXPECT_EQ(ids_of<fhir::Patient>(h.bundle), ids_of<fhir::Patient>(q.bundle));
    EXPECT_EQ(ids_of<fhir::Encounter>(h.bundle), ids_of<fhir::Encounter>(q.bundle));
    EXPECT_EQ(ids_of<fhir::Encounter>(q.bundle), std::set<std::string>{fhir::encounter_id("42001", "2611200007")});
    const std::string hj = j189_id(h.bundle);
    ASSERT_FALSE(hj.empty());
    EXPECT_EQ(hj, j189_id(q.bundle));
  }
}

}  // namespace
}  // namespace gw::qd130
