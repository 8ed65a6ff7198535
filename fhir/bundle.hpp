#pragma once
/// Small helpers for building Bundles the same way in every adapter.

#include "fhir/identifiers.hpp"
#include "fhir/ids.hpp"
#include "fhir/model.hpp"

#include <string>
#include <string_view>
#include <utility>

namespace gw::fhir {

/// HL7 terminology code systems that more than one adapter writes (fhir::v2_0203 is in
/// fhir/identifiers.hpp, beside the identifier systems).
namespace cs {
inline constexpr std::string_view act_code = "http://terminology.hl7.org/CodeSystem/v3-ActCode";
inline constexpr std::string_view observation_category = "http://terminology.hl7.org/CodeSystem/observation-category";
inline constexpr std::string_view condition_category = "http://terminology.hl7.org/CodeSystem/condition-category";
inline constexpr std::string_view condition_ver_status = "http://terminology.hl7.org/CodeSystem/condition-ver-status";
inline constexpr std::string_view diagnosis_role = "http://terminology.hl7.org/CodeSystem/diagnosis-role";
inline constexpr std::string_view coverage_class = "http://terminology.hl7.org/CodeSystem/coverage-class";
}  // namespace cs

/// A CodeableConcept with one coding (`system`, `code`, `display`) when `code` is not empty, and
/// `text`; each string written (or moved) straight into its place.
CodeableConcept concept_of(std::string_view system, std::string_view code, std::string display = {},
                           std::string text = {});

/// A logical Reference (by identifier `system`|`value`) with an optional display.
Reference logical_reference(std::string_view system, std::string_view value, std::string_view display = {});

/// The Coverage of a BHYT card (Vietnam's social health insurance) for `beneficiary`, the same
/// whatever format the card arrives in: its id comes from the card alone, the payor is BHXH, and a
/// card of the 15-character shape gives its group (2 letters) and benefit level (3rd character) as
/// classes. Period and network come from the message: the caller's.
Coverage bhyt_coverage(std::string_view card, const identifier_systems& systems, Reference beneficiary);

/// `Type/id` built at its final size (one allocation).
inline std::string type_slash_id(std::string_view type, std::string_view id) {
  std::string s;
  s.reserve(type.size() + 1 + id.size());
  s.append(type).append(1, '/').append(id);
  return s;
}

/// A Reference to `Type/id`.
inline Reference reference(std::string_view type, std::string_view id) {
  Reference r;
  r.reference = type_slash_id(type, id);
  return r;
}

/// `Type/id` reference to a resource (empty reference when it has no id).
template <class T>
requires resource_type<T> Reference reference_to(const T& r) {
  if (r.id.empty()) return {};
  return reference(T::resource_type, r.id);
}

/// A transaction entry that PUTs `r` under its (stable) id: fullUrl `urn:uuid:<id>`, request
/// `PUT Type/id`. Precondition: `r` holds a resource whose id is a UUID (fhir/ids.hpp).
inline Bundle::Entry put_entry(any_resource r) {
  Bundle::Entry e;
  e.full_url = urn_uuid(r.id());
  auto& request = e.request.emplace(Bundle::Request{});  // (clang: not emplace() of a nested struct with initialisers)
  request.method = "PUT";
  request.url = type_slash_id(r.type_name(), r.id());
  e.resource = std::move(r);
  return e;
}

}  // namespace gw::fhir
