#pragma once
/// The typed mapping of a hospital's own export to FHIR R4: what a facility's mapping file
/// (`config/mappings/<code>.yaml`) says once gateway/config has read and checked it. The adapter
/// receives it already validated (every target exists in the FHIR model, every JSON Pointer
/// parses, every column is in range, every transform is known), so it never fails on the mapping
/// itself, only on the data.
///
/// One record = one visit. A JSON export names the array of visits (`records`, a JSON Pointer);
/// a delimited export has one visit line per visit and, optionally, lines of other record types
/// that name their visit in a link column. Either way each record is seen as a JSON tree and
/// every source is a JSON Pointer into it:
/// * JSON: the visit object itself (`/patient/cccd`);
/// * delimited, one record type: the line as an object of its columns (`/cccd`);
/// * delimited, several record types: `{"<visit type>": {columns}, "<type>": [{columns}, ...]}`
///   (`/VISIT/cccd`, and `each: /DX` with `/icd` inside).

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "adapters/mapped/encoding.hpp"

namespace gw::mapped {

/// A small change applied to a source value, in the order written.
struct transform {
  enum class op : std::uint8_t {
    trim,           ///< surrounding white space removed
    upper,          ///< ASCII upper case (codes)
    lower,          ///< ASCII lower case (codes)
    date,           ///< `pattern` (yyyy MM dd HH mm ss, other characters literal) → FHIR date/dateTime
    code_map,       ///< `codes[value]`; an unknown code is a warning and the value is dropped
    split,          ///< split on `text`, keep part `index` (`-1` = last, `-2` = all but the first)
    default_value,  ///< `text` when the value is empty
  };
  op kind = op::trim;
  std::string text;  ///< date pattern, split separator or default text
  int index = 0;     ///< split: part to keep
  std::string map_name;
  std::map<std::string, std::string, std::less<>> codes;  ///< code_map: source code → target code
};

/// Special targets: the identity of the visit, mapped with the gateway's identifier systems and
/// stable ids so that a person and a visit get the same ids whichever format they came in.
enum class identity : std::uint8_t {
  none,           ///< an ordinary FHIR element (`target` is its path)
  cccd,           ///< Patient: personal id (CCCD → Patient id; CMND/passport → identifier only)
  record_number,  ///< Patient: facility record number (MA_BN); id when there is no CCCD
  insurance,      ///< Patient: BHYT card number
  episode,        ///< Encounter: episode key (MA_LK); Encounter id = facility + key
  key,            ///< other resources: part of the stable id (with the encounter)
};

/// One source field (or several, concatenated) → one FHIR element.
struct field_rule {
  std::vector<std::string> sources;  ///< JSON Pointers; several are concatenated with `separator`
  std::string separator = " ";
  /// The value when there is no source (`value:` in the file). A constant whose parent element
  /// also has sourced fields (`valueQuantity.unit` beside `valueQuantity.value`) is written only
  /// when one of them got a value, so no element is left holding a constant alone.
  std::string constant;
  identity id = identity::none;
  std::string target;  ///< path inside the resource: `birthDate`, `code.coding[0].code`
  std::vector<transform> transforms;
  bool required = false;  ///< missing value → error issue (the record is rejected)
  std::string where;      ///< `file:line` of the rule in the mapping file (for the report)
};

/// One kind of resource made from each record (or from each element of an array in it).
struct resource_rule {
  std::string type;  ///< FHIR resource type, e.g. "Observation"
  std::string each;  ///< JSON Pointer to an array in the record; empty = one per record
  std::string role;  ///< Condition: role in the stable id ("principal", "secondary", ...)
  /// JSON Pointer (inside the element): the resource is made only when it has a value (e.g. a
  /// vital-sign Observation only when its measurement is there). Empty = whenever a source has one.
  std::string when;
  std::vector<field_rule> fields;
  std::string where;  ///< `file:line`
};

enum class source_format : std::uint8_t { json, delimited };

/// Delimited text: one line per record, `delimiter`-separated fields, optional quoting.
struct delimited_format {
  char delimiter = '|';
  char quote = '\0';            ///< '\0' = no quoting; else RFC 4180 style (doubled quote inside)
  bool header = false;          ///< first line of the file names the columns (only with one record type)
  std::size_t type_column = 0;  ///< 1-based column holding the record type; 0 = one type
  std::string visit_type;       ///< the record type that is a visit (several types)
  std::string link_column;      ///< column that names the visit in every type (several types)
  struct record_type {
    std::string code;  ///< value of the type column ("" with one type)
    /// Number of fields a line of this type has; 0 = as many as its header line in the file has.
    std::size_t width = 0;
    std::map<std::string, std::size_t, std::less<>> columns;  ///< name → 1-based position
    /// Columns named by their header instead of a position (name → header text, NFC), found in
    /// the header line of the file when it is read; `columns` gets their positions then. (A
    /// header line written in the mapping file is resolved when the mapping is loaded.)
    std::map<std::string, std::string, std::less<>> by_header;
    /// Several record types: the first line of this type in the file is its header line.
    bool header_line_in_file = false;
  };
  std::vector<record_type> types;
};

struct json_format {
  std::string records;  ///< JSON Pointer to the array of records ("" = the document is one record)
};

/// Bounds on untrusted input.
struct limits {
  std::size_t max_input_bytes = 64u * 1024 * 1024;
  std::size_t max_field_bytes = 1u * 1024 * 1024;
  std::size_t max_records = 100'000;
  std::size_t max_depth = 64;  ///< JSON nesting
};

struct mapping {
  std::string source_file;  ///< the mapping file (for the report)
  source_format format = source_format::json;
  text_encoding encoding = text_encoding::utf8;  ///< of the export's bytes
  json_format json;
  delimited_format delimited;
  std::vector<resource_rule> resources;
  /// Source fields deliberately not mapped (JSON Pointers, `*` for any array index): not listed
  /// as "never mapped" in the report, and not reported as unknown by the CV 365 adapter.
  std::vector<std::string> ignored;
};

}  // namespace gw::mapped
