#pragma once
/// Code maps as data: source code lists (QĐ 130 GIOI_TINH, KET_QUA_DTRI, MA_LOAI_RV, MA_LOAI_KCB,
/// HL7 tables, ICD-10 displays, local lab codes → LOINC) loaded from TSV text, with validity dates
/// because Vietnamese code lists change on set dates. No I/O here: the caller reads the files
/// (config/codemaps/*.tsv) and passes their contents.
///
/// File format (UTF-8, tab-separated; `#` starts a comment line; blank lines ignored):
/// ```
/// @system<TAB>urn:vn:bhyt:gioi_tinh          # source code system (optional, default empty)
/// code<TAB>display<TAB>valid_from<TAB>valid_to<TAB>target_system<TAB>target_code<TAB>target_display
/// 1<TAB>Nam<TAB><TAB><TAB>http://hl7.org/fhir/administrative-gender<TAB>male<TAB>Male
/// ```
/// The header row is required and must be exactly those 7 names. Dates are `YYYY-MM-DD`,
/// inclusive, empty = open. Target columns may be empty (no standard equivalent: keep the local
/// code). A code may appear on several rows with disjoint validity.

#include "fhir/issue.hpp"
#include "fhir/model.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gw::fhir {

/// One row of a code map.
struct code_entry {
  std::string code;
  std::string display;     ///< display of the source code (Vietnamese for VN lists)
  std::string valid_from;  ///< YYYY-MM-DD or empty
  std::string valid_to;    ///< YYYY-MM-DD or empty
  std::string target_system;
  std::string target_code;
  std::string target_display;
  /// True when valid on `date` (`YYYY-MM-DD…`; an empty date matches every row).
  bool valid_on(std::string_view date) const;
};

/// One code list. Immutable after parse; safe to share between threads.
class code_map {
 public:
  /// Parses TSV text; problems are issues located at `<name>:<line>`; nullopt when unusable.
  static std::optional<code_map> parse(std::string_view name, std::string_view tsv, issue_list& issues);

  const std::string& name() const { return name_; }
  /// The source code system (`@system`), e.g. `urn:vn:bhyt:gioi_tinh`; may be empty.
  const std::string& system() const { return system_; }
  /// The row for `code` valid on `date` (empty date: the first row for the code); nullptr if none.
  const code_entry* find(std::string_view code, std::string_view date = {}) const;
  /// True when the code exists on some row, whatever the dates.
  bool knows(std::string_view code) const;
  std::size_t size() const { return entries_.size(); }

 private:
  std::string name_;
  std::string system_;
  std::vector<code_entry> entries_;
  std::multimap<std::string, std::size_t, std::less<>> index_;
};

/// The set of loaded maps, by name (the file name without `.tsv` by convention: "gender",
/// "ma-loai-kcb", "icd10", "lab-loinc"). Build once at start-up, then read-only (thread-safe reads).
class terminology {
 public:
  /// Adds (or replaces) a map parsed from TSV text; false when it could not be parsed.
  bool add(std::string_view name, std::string_view tsv, issue_list& issues);
  const code_map* map(std::string_view name) const;

  /// The entry for `code` in map `name` valid on `date`; nullptr when the map or code is unknown.
  const code_entry* lookup(std::string_view name, std::string_view code, std::string_view date = {}) const;

  /// A CodeableConcept for a source code: the local coding (`local_system`, or the map's
  /// `@system` when empty; code; display from the map) first, then the target coding when the
  /// map gives one; `text` = `source_text` or the display. An unknown code, or one not valid on
  /// `date`, keeps only the local coding and adds a warning (code-invalid, HL7 103) at `location`.
  /// Never invents a target code.
  CodeableConcept to_concept(std::string_view name, std::string_view code, std::string_view source_text,
                             std::string_view date, std::string_view location, issue_list& issues,
                             std::string_view local_system = {}) const;

 private:
  std::map<std::string, code_map, std::less<>> maps_;
};

}  // namespace gw::fhir
