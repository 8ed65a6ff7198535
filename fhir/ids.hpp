#pragma once
/// Stable resource ids: RFC 4122 name-based UUIDs (version 5, SHA-1) under the project's namespace
/// UUID, computed from the clinical identity of a record, so that the same visit arriving as
/// HL7 ADT and as QĐ 130 XML, or re-sent / corrected, gets the same ids whichever adapter made it.
///
/// The name hashed is `type` followed, for each part, by `|<byte length>:<part>` (unambiguous
/// whatever the parts contain). Parts are trimmed of surrounding ASCII spaces. Thread-safe.

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace gw::fhir {

using uuid_bytes = std::array<std::uint8_t, 16>;

/// The project namespace UUID (never change it: every stored id derives from it).
inline constexpr std::string_view gateway_namespace = "6f1c4b8e-2d3a-5e7f-9a41-b2c7d0e85f13";

/// RFC 4122 §4.3 name-based UUID v5 of `name` in namespace `ns`, lower-case canonical text.
std::string uuid_v5(const uuid_bytes& ns, std::string_view name);
/// Parses canonical UUID text (8-4-4-4-12 hex); false when malformed.
bool parse_uuid(std::string_view text, uuid_bytes& out);
/// True for canonical UUID text.
bool is_uuid(std::string_view text);
/// `urn:uuid:<id>` (Bundle entry fullUrl).
std::string urn_uuid(std::string_view id);

/// Generic stable id of a resource `type` ("Encounter") from its identity parts.
std::string stable_id(std::string_view type, std::initializer_list<std::string_view> parts);
template <class... Parts>
std::string stable_id(std::string_view type, const Parts&... parts) {
  return stable_id(type, {std::string_view(parts)...});
}

/// Patient keyed by the person's CCCD (one Patient per person across facilities).
std::string patient_id_from_cccd(std::string_view cccd);
/// Facility-scoped Patient for a record without CCCD: facility code (MA_CSKCB) + record number.
std::string facility_patient_id(std::string_view facility, std::string_view record_number);
/// Encounter: facility code + episode key (MA_LK = PV1-19 visit number).
std::string encounter_id(std::string_view facility, std::string_view episode_key);
/// Condition of an encounter: encounter id + diagnosis code + role ("principal", "secondary",
/// "admission", ...). The code is upper-cased and its dots removed (J18.9 = J189).
std::string condition_id(std::string_view encounter_id, std::string_view code, std::string_view role);
/// Organization of a facility code (MA_CSKCB).
std::string organization_id(std::string_view facility);
/// Practitioner by licence (CCHN) number.
std::string practitioner_id(std::string_view licence);

}  // namespace gw::fhir
