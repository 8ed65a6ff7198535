#include "gateway/ingest/bundle_writes.hpp"

#include <cstring>
#include <type_traits>
#include <unordered_map>

#include "fhir/ids.hpp"
#include "fhir/json.hpp"

namespace gw::ingest {

namespace {

constexpr std::string_view k_urn = "urn:uuid:";
/// A JSON string that starts with a urn: its opening quote and the urn prefix.
constexpr std::string_view k_quoted_urn = "\"urn:uuid:";

/// The id in "urn:uuid:<id>" or "Patient/<id>"; empty otherwise.
std::string_view patient_ref_id(std::string_view ref) {
  if (ref.substr(0, k_urn.size()) == k_urn) return ref.substr(k_urn.size());
  if (ref.substr(0, 8) == "Patient/") return ref.substr(8);
  return {};
}

template <class T>
std::string patient_of(const T& r) {
  if constexpr (std::is_same_v<T, fhir::Patient>) {
    return r.id;
  } else if constexpr (requires { r.subject.reference; }) {
    return std::string(patient_ref_id(r.subject.reference));
  } else if constexpr (requires { r.subject->reference; }) {
    return r.subject ? std::string(patient_ref_id(r.subject->reference)) : std::string();
  } else if constexpr (requires { r.patient.reference; }) {
    return std::string(patient_ref_id(r.patient.reference));
  } else if constexpr (requires { r.patient->reference; }) {
    return r.patient ? std::string(patient_ref_id(r.patient->reference)) : std::string();
  } else if constexpr (requires { r.beneficiary.reference; }) {
    return std::string(patient_ref_id(r.beneficiary.reference));
  } else {
    return {};
  }
}

/// Start of the next `"urn:uuid:` in [from, end of json), or npos. memmem skips ahead with
/// vector compares; std::string::find stopped at every quote of the document and compared there.
std::size_t find_urn(const std::string& json, std::size_t from) {
  if (from >= json.size()) return std::string::npos;
  const void* at = ::memmem(json.data() + from, json.size() - from, k_quoted_urn.data(), k_quoted_urn.size());
  return at == nullptr ? std::string::npos : static_cast<std::size_t>(static_cast<const char*>(at) - json.data());
}

/// Replaces every "urn:uuid:<id>" JSON string whose id is an entry of the Bundle by "Type/<id>".
/// A document without such a string (the adapters write `Type/id` references) is returned as it is.
std::string resolve_references(std::string json, const std::unordered_map<std::string_view, std::string_view>& types) {
  constexpr std::size_t prefix = k_quoted_urn.size();
  std::size_t at = find_urn(json, 0);
  if (at == std::string::npos) return json;
  std::string out;
  out.reserve(json.size());
  std::size_t i = 0;
  for (; at != std::string::npos; at = find_urn(json, i)) {
    std::string_view id(json.data() + at + prefix, std::min<std::size_t>(36, json.size() - at - prefix));
    // A quote after an odd number of backslashes is text inside a string, not the start of one.
    std::size_t backslashes = 0;
    while (backslashes < at && json[at - 1 - backslashes] == '\\') ++backslashes;
    auto it = backslashes % 2 == 0 && id.size() == 36 && at + prefix + 36 < json.size() && json[at + prefix + 36] == '"'
                  ? types.find(id)
                  : types.end();
    out.append(json, i, at - i + 1);  // up to and including the opening quote
    if (it != types.end()) {
      out.append(it->second);
      out.push_back('/');
      out.append(id);
      i = at + prefix + 36;
    } else {
      i = at + 1;
    }
  }
  out.append(json, i, std::string::npos);
  return out;
}

/// True when the JSON text holds the escape of U+0000: "\u0000" after an even number of other
/// backslashes (a text with a literal backslash before "u0000" is written "\\u0000": no NUL).
bool has_nul_escape(std::string_view json) {
  for (std::size_t at = json.find("\\u0000"); at != std::string_view::npos; at = json.find("\\u0000", at + 1)) {
    std::size_t before = 0;
    while (before < at && json[at - 1 - before] == '\\') ++before;
    if (before % 2 == 0) return true;
  }
  return false;
}

}  // namespace

void bundle_to_writes(const fhir::Bundle& bundle, std::string_view facility, const fhir::identifier_systems& systems,
                      translation& out) {
  std::unordered_map<std::string_view, std::string_view> types;
  for (const auto& e : bundle.entry)
    if (e.resource) types.emplace(e.resource.id(), e.resource.type_name());

  const auto record_system = fhir::facility_record_system(systems, facility);
  bool has_nul = false;
  for (std::size_t i = 0; i < bundle.entry.size(); ++i) {
    const auto& e = bundle.entry[i];
    if (!e.resource) continue;
    store::resource_write w;
    w.type = std::string(e.resource.type_name());
    w.id = std::string(e.resource.id());
    w.patient_id = std::visit([](const auto& r) { return patient_of(r); }, e.resource.get());
    if (!w.patient_id.empty() && !fhir::is_uuid(w.patient_id)) w.patient_id.clear();
    w.json = resolve_references(fhir::to_json(e.resource), types);
    // PostgreSQL cannot store U+0000 in jsonb: a clear content error for the sender instead of a
    // failed write (the adapters that know the source field refuse it there first).
    if (has_nul_escape(w.json)) {
      out.issues.push_back({fhir::severity::error, fhir::issue_code::value,
                            "Bundle.entry[" + std::to_string(i) + "] (" + w.type + ")",
                            "text with the NUL character (U+0000), which cannot be stored; remove it from the message",
                            fhir::hl7_error::data_type_error});
      has_nul = true;
    }

    // Facility record numbers on a Patient: link them to the person when the Patient is the
    // CCCD-keyed one, or record them facility-scoped until a CCCD arrives.
    if (const auto* p = e.resource.get_if<fhir::Patient>()) {
      std::string cccd;
      for (const auto& id : p->identifier)
        if (id.system == systems.national_id) cccd = id.value;
      for (const auto& id : p->identifier) {
        if (id.system != record_system || id.value.empty()) continue;
        store::patient_link_write l;
        l.facility = std::string(facility);
        l.record_number = id.value;
        l.local_patient_id = fhir::facility_patient_id(facility, id.value);
        if (!cccd.empty() && p->id == fhir::patient_id_from_cccd(cccd)) l.person_id = p->id;
        out.links.push_back(std::move(l));
      }
    }
    out.resources.push_back(std::move(w));
  }
  if (has_nul) {
    out.resources.clear();
    out.links.clear();
  }
}

}  // namespace gw::ingest
