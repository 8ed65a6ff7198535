#include "fhir/bundle.hpp"

#include <utility>

namespace gw::fhir {

CodeableConcept concept_of(std::string_view system, std::string_view code, std::string display, std::string text) {
  CodeableConcept c;
  if (!code.empty()) {
    Coding& k = c.coding.emplace_back();
    k.system.assign(system);
    k.code.assign(code);
    k.display = std::move(display);
  }
  c.text = std::move(text);
  return c;
}

Reference logical_reference(std::string_view system, std::string_view value, std::string_view display) {
  Reference r;
  Identifier& i = r.identifier.emplace();
  i.system.assign(system);
  i.value.assign(value);
  r.display.assign(display);
  return r;
}

Coverage bhyt_coverage(std::string_view card, const identifier_systems& systems, Reference beneficiary) {
  Coverage c;
  c.id = stable_id("Coverage", "bhyt", card);
  Identifier& id = c.identifier.emplace_back();
  id.system = systems.insurance;
  id.value.assign(card);
  c.status = "active";
  c.type = concept_of(cs::act_code, "PUBLICPOL", "public healthcare", "BHYT");
  c.subscriber_id.assign(card);
  c.beneficiary = std::move(beneficiary);
  c.payor.push_back(logical_reference(systems.facility, "BHXH", "Bảo hiểm xã hội Việt Nam"));
  if (card.size() == 15) {
    Coverage::Class& group = c.class_.emplace_back();
    group.type = concept_of(cs::coverage_class, "group", "Group");
    group.value.assign(card.substr(0, 2));
    Coverage::Class& plan = c.class_.emplace_back();
    plan.type = concept_of(cs::coverage_class, "plan", "Plan");
    plan.value.assign(card.substr(2, 1));
  }
  return c;
}

}  // namespace gw::fhir
