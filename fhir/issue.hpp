#pragma once
/// Issues: what every parser, adapter and validator returns about its input.
///
/// Data errors (bad input) are values of this type, never exceptions. An issue carries the
/// OperationOutcome severity and issue type, a location (a FHIRPath-style path such as
/// `Patient.identifier[0].value`, an HL7 position `PID^1^3`, or a table/row/field such as
/// `XML1[STT=1].MA_LK`), and a message that never contains patient data.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace gw::fhir {

/// OperationOutcome.issue.severity (http://hl7.org/fhir/issue-severity).
enum class severity : std::uint8_t { fatal, error, warning, information };

/// OperationOutcome.issue.code (http://hl7.org/fhir/issue-type), the codes the gateway uses.
enum class issue_code : std::uint8_t {
  invalid,
  structure,
  required,
  value,
  invariant,
  security,
  forbidden,
  not_supported,
  duplicate,
  not_found,
  too_long,
  code_invalid,
  business_rule,
  conflict,
  transient,
  exception,
  timeout,
  too_costly,
  incomplete,
  informational,
};

/// HL7 v2 table 0357 (message error condition codes) used in ERR-3; 0 = derive from issue_code.
enum class hl7_error : std::uint16_t {
  none = 0,
  segment_sequence = 100,
  required_field_missing = 101,
  data_type_error = 102,
  table_value_not_found = 103,
  unsupported_message_type = 200,
  unsupported_event_code = 201,
  unsupported_processing_id = 202,
  unsupported_version_id = 203,
  unknown_key_identifier = 204,
  duplicate_key_identifier = 205,
  application_record_locked = 206,
  application_internal_error = 207,
};

struct issue {
  fhir::severity severity = severity::error;
  issue_code code = issue_code::invalid;
  std::string location;  ///< where: FHIRPath, HL7 position or table/row/field
  std::string message;   ///< what is wrong; no patient data
  hl7_error hl7 = hl7_error::none;
};

using issue_list = std::vector<issue>;

/// True for an error or a fatal issue: what refuses a message.
inline bool is_error(const issue& i) {
  return i.severity == severity::error || i.severity == severity::fatal;
}

/// True when any issue is an error or fatal.
inline bool has_errors(const issue_list& issues) {
  for (const auto& i : issues)
    if (is_error(i)) return true;
  return false;
}

/// The issues in the order an answer lists them (an ACK's ERR segments, an OperationOutcome):
/// errors first, then the rest, each in its own order.
std::vector<const issue*> errors_first(const issue_list& issues);

/// FHIR code strings ("error", "required", ...).
std::string_view to_string(severity s);
std::string_view to_string(issue_code c);
/// HL7 table 0357 code for an issue: its explicit code, else one derived from its issue code.
std::uint16_t hl7_code_of(const issue& i);

/// The text of the refusal of a message whose `field` names facility `named` while the sender's
/// certificate is `authenticated`'s, with both codes so the sender sees which is wrong. Facility
/// codes are not patient data; `named` comes from the message, so it is quoted only when it looks
/// like a code (up to 20 letters, digits, '-' or '_').
std::string facility_mismatch_text(std::string_view field, std::string_view named, std::string_view authenticated);

}  // namespace gw::fhir
