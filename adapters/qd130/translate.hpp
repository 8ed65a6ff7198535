#pragma once
/// QĐ 130/4750/3176 (and legacy QĐ 4210) claims XML → a FHIR R4 transaction Bundle plus issues.
///
/// Pure: no I/O, no clock (the received time comes in `context`), no logging, no threads.
/// Resource ids are the stable ids of fhir/ids.hpp (Patient from the CCCD, Encounter from
/// MA_CSKCB + MA_LK, Condition from encounter + code + role, ...), so the same episode arriving
/// as HL7 v2 or re-sent as a corrected file updates the same resources. Every entry is a `PUT
/// <type>/<id>`, so replaying a Bundle is idempotent.

#include <chrono>
#include <string>
#include <string_view>

#include "adapters/qd130/envelope.hpp"
#include "fhir/datetime.hpp"
#include "fhir/identifiers.hpp"
#include "fhir/issue.hpp"
#include "fhir/model.hpp"
#include "fhir/terminology.hpp"

namespace gw::qd130 {

/// Code systems and extension URLs of the mapping. The national format has no standard URIs for
/// its code lists; the defaults are the gateway's own `urn:vn:...` names (GUESS, configurable),
/// except ICD-10 (HL7's URI) and the VN Core community extensions for address units.
struct code_systems {
  std::string icd10 = "http://hl7.org/fhir/sid/icd-10";
  std::string icd9cm = "http://hl7.org/fhir/sid/icd-9-cm";
  std::string yhct = "urn:vn:moh:yhct";               ///< traditional-medicine diagnoses
  std::string drug = "urn:vn:moh:dmdc:hoat-chat";     ///< MA_THUOC (active-ingredient code)
  std::string route = "urn:vn:moh:dmdc:duong-dung";   ///< DUONG_DUNG
  std::string service = "urn:vn:moh:dmdc:dvkt";       ///< MA_DICH_VU
  std::string lab_item = "urn:vn:moh:qd7603:chi-so";  ///< MA_CHI_SO
  std::string department = "urn:vn:moh:dmdc:khoa";    ///< MA_KHOA
  std::string qd130_base = "urn:vn:qd130:";           ///< + field name in lower case: code lists
  std::string loinc = "http://loinc.org";
  std::string ucum = "http://unitsofmeasure.org";
  std::string hsba = "urn:vn:cskcb:{facility}:ma_hsba";  ///< MA_HSBA on Encounter.identifier
  std::string message_hash = "urn:vn:gateway:sha256";    ///< Provenance.entity identifier
  std::string ext_province = "http://fhir.hl7.org.vn/core/StructureDefinition/vn-ext-province";
  std::string ext_ward = "http://fhir.hl7.org.vn/core/StructureDefinition/vn-ext-ward";
  std::string ext_district = "urn:vn:qd130:StructureDefinition/mahuyen-cu-tru";
  std::string ext_ethnicity = "http://fhir.hl7.org.vn/core/StructureDefinition/vn-ext-ethnicity";
  std::string ext_occupation = "http://fhir.hl7.org.vn/core/StructureDefinition/vn-ext-occupation";
  std::string ext_nationality = "http://fhir.ehealth.gov.vn/core/StructureDefinition/extension-nationality";
  std::string ext_outcome = "urn:vn:qd130:StructureDefinition/ket-qua-dtri";
  std::string ext_admission_time = "urn:vn:qd130:StructureDefinition/ngay-vao-noi-tru";
  std::string ext_visit_category = "urn:vn:qd130:StructureDefinition/ma-doituong-kcb";
  std::string ext_length_of_stay = "urn:vn:qd130:StructureDefinition/so-ngay-dtri";
};

/// Per-facility settings of the adapter (small, typed; built from the facility's config).
struct settings {
  fhir::identifier_systems systems;
  code_systems codes;
  fhir::time_settings time;
  decode_limits limits;
  std::string facility_name;  ///< Organization.name of the sending facility, when known
  /// Code maps (config/codemaps) or nullptr. Used for ICD-10 displays ("icd10") and for the
  /// LOINC code of a result item where a map gives one ("lab-loinc.<facility>", then
  /// "lab-loinc"); never required, never a source of invented codes. Not owned; must outlive
  /// the calls.
  const fhir::terminology* terminology = nullptr;
};

/// What the caller knows about this message; nothing here is read from a clock by the adapter.
struct context {
  /// The facility bound to the sender's certificate; empty = not checked. A different
  /// MA_CSKCB/MACSKCB in the message gives an error with code `forbidden` and no resources.
  std::string authenticated_facility;
  std::chrono::system_clock::time_point received{};  ///< when the gateway received the body
  std::string sha256_hex;                            ///< of the body as received (Provenance)
};

struct translation {
  fhir::Bundle bundle;  ///< type "transaction"; empty entries when nothing could be mapped
  fhir::issue_list issues;
  schema_version version = schema_version::unknown;
  input_kind kind = input_kind::envelope;
};

/// Decodes `bytes` (any input decode() accepts) and maps every record to FHIR.
translation translate(std::string_view bytes, const settings& s, const context& ctx);

/// Maps an already decoded envelope; `decoded.issues` are copied into the result first.
translation translate(const decode_result& decoded, const settings& s, const context& ctx);

/// Vital signs parsed from the `CSST<M.._T.._HA../.._NT.._SP..>` marker of XML5 DIEN_BIEN_LS
/// (empty strings: absent). Values are the text as written ("38.5").
struct vital_signs {
  std::string pulse, temperature, systolic, diastolic, respiratory_rate, spo2, care_level;
  bool found = false;  ///< a CSST<...> marker was present
};
/// Parses the first `CSST<...>` marker in `text`; unknown or malformed parts go to `issues` as
/// warnings at `location`.
vital_signs parse_vital_signs(std::string_view text, std::string_view location, fhir::issue_list& issues);

/// A LIEU_DUNG such as "2 viên/lần * 2 lần/ngày * 5 ngày [4 viên/ngày]", parsed.
struct dose_pattern {
  std::string dose;       ///< "2" (decimal text)
  std::string dose_unit;  ///< "viên"
  int per_day = 0;        ///< 2
  int days = 0;           ///< 5 (0 when not given)
};
/// True when `text` starts with the structured pattern; the bracketed daily total is ignored.
bool parse_dose(std::string_view text, dose_pattern& out);

}  // namespace gw::qd130
