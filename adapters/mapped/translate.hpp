#pragma once
/// The mapping engine: a hospital's own export (JSON or delimited text) + its mapping (see
/// mapping.hpp) → a FHIR R4 transaction Bundle, issues, and an onboarding report.
///
/// Ids are the stable ids of fhir/ids.hpp, as in the other adapters: Patient from the CCCD (else
/// facility + record number), Encounter from facility + episode key, Condition from encounter +
/// code + role, other resources from the encounter + their `key` fields (else their place in the
/// record). Identifiers use the facility's identifier systems. Every entry is `PUT <type>/<id>`.
/// Resources get their subject/patient and encounter references without the mapping naming them.
///
/// Pure: no I/O, no clock, no logging, no threads.

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/mapped/mapping.hpp"
#include "adapters/mapped/source.hpp"
#include "fhir/datetime.hpp"
#include "fhir/identifiers.hpp"
#include "fhir/issue.hpp"
#include "fhir/model.hpp"

namespace gw::mapped {

/// Per-facility settings (small, typed; built from the facility's config).
struct settings {
  fhir::identifier_systems systems;
  fhir::time_settings time;
  mapped::limits limits;
  std::string facility_name;     ///< Organization.name of the sending facility
  const mapping* map = nullptr;  ///< required; not owned; must outlive the call
  /// Source fields that no rule reads and the mapping does not ignore become warnings (the CV 365
  /// adapter: a field the format has but the gateway does not know). Always in the report.
  bool unknown_fields_are_issues = false;
};

/// What the caller knows; nothing here is read from a clock by the adapter.
struct context {
  std::string facility;  ///< facility code (MA_CSKCB) of the sender: ids and identifier systems
  std::chrono::system_clock::time_point received{};
};

/// What one rule of the mapping did over the whole input.
struct field_report {
  std::string where;        ///< `file:line` of the rule
  std::string source;       ///< its source pointer(s), or `value:` constant
  std::string target;       ///< `Patient.birthDate`, `Patient.id (cccd)`, ...
  std::size_t values = 0;   ///< records/elements where it produced a value
  std::size_t missing = 0;  ///< where the source had no value
  bool required = false;
};

struct unmapped_field {
  std::size_t count = 0;
  std::string example;  ///< location of its first occurrence
};

struct report {
  std::size_t records = 0;
  std::vector<field_report> fields;                ///< in mapping order
  std::map<std::string, unmapped_field> unmapped;  ///< source pattern (`/visits/*/x`) → seen
  std::map<std::string, std::size_t> resources;    ///< resource type → count
  std::size_t required_missing = 0;
};

struct translation {
  fhir::Bundle bundle;  ///< type "transaction"
  fhir::issue_list issues;
  mapped::report report;
};

/// Reads `bytes` in the mapping's source format and maps every record.
translation translate(std::string_view bytes, const settings& s, const context& ctx);

/// Maps an already loaded document (the CV 365 adapter loads JSON or XML itself); issues of the
/// loading should be added by the caller.
translation translate(const source_document& doc, const settings& s, const context& ctx);

}  // namespace gw::mapped
