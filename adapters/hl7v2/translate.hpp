#pragma once
/// HL7 v2 message → FHIR R4 transaction Bundle + issues, following the HL7 v2-to-FHIR mapping IG
/// where it speaks.
///
/// Messages mapped:
///   ADT A01 A02 A03 A04 A05 A06 A07 A08 A11 A13 A28 A31 → Patient, Encounter (not for A28/A31),
///       Condition (DG1), AllergyIntolerance (AL1), Observation (OBX), RelatedPerson (NK1),
///       Coverage (IN1, and BHYT cards in PID-3 type SB), Organization (the sender);
///   ADT A40 → the surviving Patient (link `replaces`) and the merged one (link `replaced-by`);
///   ORU R01 → per OBR: ServiceRequest, DiagnosticReport and its Observations;
///   ORM O01 / OML O21 → ServiceRequest; RDE O11 → MedicationRequest; MDM T02 →
///   DocumentReference; VXU V04 → Immunization.
/// Ids are the stable ids of fhir/ids.hpp, so that the same episode sent as QĐ 130 XML converges:
///   Patient   from the CCCD (PID-3 type NI, 12 digits), else facility + record number (PI/MR);
///   Encounter from the sending facility (MSH-4.1) + visit number (PV1-19.1);
///   Condition from the encounter + ICD code + role: "principal" for DG1-15 = 1 (or, without
///             DG1-15, the DG1 with set id 1), "secondary" otherwise;
///   Coverage  from the BHYT card number (as the QĐ 130 adapter).
/// Every entry is `PUT <type>/<id>` with fullUrl `urn:uuid:<id>`.
///
/// Pure: no I/O, no clock reads (the received time comes in `context`), no logging, no threads.

#include <chrono>
#include <string>
#include <string_view>

#include "adapters/hl7v2/parser.hpp"
#include "fhir/datetime.hpp"
#include "fhir/identifiers.hpp"
#include "fhir/issue.hpp"
#include "fhir/model.hpp"

namespace gw::hl7v2 {

/// Code systems and URIs of the mapping. `{facility}` is replaced by the sending facility code.
struct code_systems {
  std::string loinc = "http://loinc.org";
  std::string ucum = "http://unitsofmeasure.org";
  std::string icd10 = "http://hl7.org/fhir/sid/icd-10";
  /// A coding system name (CWE-3) the mapping does not know: `{system}` = the name, lower case.
  std::string local = "urn:vn:cskcb:{facility}:hl7v2:{system}";
  std::string department = "urn:vn:moh:dmdc:khoa";  ///< PV1-10 / PV1-3.1 department codes
  std::string placer_order = "urn:vn:cskcb:{facility}:placer-order";
  std::string filler_order = "urn:vn:cskcb:{facility}:filler-order";
  std::string document = "urn:vn:cskcb:{facility}:document";
  std::string message = "urn:vn:gateway:hl7v2:message";  ///< Bundle.identifier (message key)
  std::string ext_province = "http://fhir.hl7.org.vn/core/StructureDefinition/vn-ext-province";
  std::string ext_ward = "http://fhir.hl7.org.vn/core/StructureDefinition/vn-ext-ward";
  std::string ext_ethnicity = "http://fhir.hl7.org.vn/core/StructureDefinition/vn-ext-ethnicity";
};

/// Per-facility settings of the adapter (small, typed; built from the facility's config).
struct settings {
  parse_settings parse;
  fhir::identifier_systems systems;
  code_systems codes;
  fhir::time_settings time;
};

/// What the caller knows about this message; nothing here is read from a clock by the adapter.
struct context {
  /// The facility bound to the sender's certificate; empty = not checked. A different MSH-4.1
  /// gives an error with code `forbidden` at MSH^1^4 and no resources.
  std::string authenticated_facility;
  std::chrono::system_clock::time_point received{};  ///< Bundle.timestamp
};

struct translation {
  fhir::Bundle bundle;       ///< type "transaction"; no entries when nothing could be mapped
  fhir::issue_list issues;   ///< parse issues first, then mapping issues (HL7 locations)
  std::string message_key;   ///< see message_key() below; empty without MSH
  std::string facility;      ///< MSH-4.1
  std::string message_type;  ///< MSH-9.1 "^" MSH-9.2, e.g. "ADT^A01"
};

/// Parses `message` (limits from `s.parse`) and maps it.
translation translate(std::string_view message, const settings& s, const context& ctx);
/// Maps an already parsed message (the gateway parses once, translates, then acknowledges with
/// the same parse result). `parsed.issues` are copied into the result first.
translation translate(const parse_result& parsed, const settings& s, const context& ctx);

/// The dedupe key of a message: sending application (MSH-3.1, else MSH-3.2) + "|" + facility
/// (MSH-4.1) + "|" + control id (MSH-10), as written (escaped; a '|' in a part as \F\). A control id
/// is unique per sending application: a hospital's LIS and PACS count their own.
std::string message_key(const message& m);

}  // namespace gw::hl7v2
