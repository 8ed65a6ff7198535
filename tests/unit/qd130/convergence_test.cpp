// The same episode from the same hospital, once as HL7 v2 (PV1-19 = MA_LK) and once as the QĐ 130
// envelope, converges on one Patient, one Encounter, one Condition per diagnosis and one Coverage
// per BHYT card (ARCHITECTURE.md, "People, stable ids and idempotency").
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "adapters/hl7v2/translate.hpp"
#include "adapters/qd130/translate.hpp"
#include "fhir/ids.hpp"
#include "fhir/json.hpp"
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

/// The Coverage JSON of each BHYT card in `b`, without what only one format carries (the period
/// and the registered facility, MA_DKBD, as `network`), by card number.
std::map<std::string, std::string> coverages(const fhir::Bundle& b) {
  std::map<std::string, std::string> out;
  for (const auto& e : b.entry)
    if (const auto* c = e.resource.get_if<fhir::Coverage>()) {
      fhir::Coverage same = *c;
      same.period.reset();
      same.network.clear();
      out[c->subscriber_id] = fhir::to_json(same);
    }
  return out;
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

TEST(Qd130Convergence, SameBhytCardFromHl7v2AndQd130GetsOneCoverageWithTheSameContent) {
  context qctx;
  qctx.authenticated_facility = "42001";
  const auto q = translate(sample_envelope(), settings{}, qctx);
  hl7v2::context hctx;
  hctx.authenticated_facility = "42001";
  // PID-3 carries the card (type SB) in the admission message.
  const auto h = hl7v2::translate(read_file(std::string(GW_SHARED_DIR) + "/samples/hl7v2/adt-a01-admit-42001.hl7"),
                                  hl7v2::settings{}, hctx);
  ASSERT_FALSE(fhir::has_errors(q.issues)) << describe(q.issues);
  ASSERT_FALSE(fhir::has_errors(h.issues)) << describe(h.issues);
  const auto hc = coverages(h.bundle);
  ASSERT_EQ(hc.size(), 1u);
  EXPECT_EQ(hc, coverages(q.bundle));
  // Type, payor, group and benefit level come from the card itself, whatever the format.
  EXPECT_NE(hc.begin()->second.find(R"("class":[{"type":)"), std::string::npos) << hc.begin()->second;
}

}  // namespace
}  // namespace gw::qd130
