#pragma once
/// Source documents for the mapping engine: a JSON export, a delimited text export (or, through
/// the CV 365 adapter, XML) turned into one JSON tree per record, with every place in it nameable
/// for issues: a JSON Pointer (`/visits/3/patient/birth_date`) or, for text, a line and column
/// (`line 12 column 5 (ngay_sinh)`).

#include <rapidjson/document.h>

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/mapped/mapping.hpp"
#include "fhir/issue.hpp"

namespace gw::mapped {

/// Where a line object of a delimited export came from.
struct line_origin {
  std::size_t line = 0;  ///< 1-based line number in the input
  const delimited_format::record_type* type = nullptr;
};

/// The parsed input: one tree, the records in it, and the origin of text lines.
struct source_document {
  rapidjson::Document doc;
  struct record {
    const rapidjson::Value* value = nullptr;
    std::string pointer;  ///< JSON Pointer of the record in `doc` ("/visits/3"; "" = root)
  };
  std::vector<record> records;
  std::map<const rapidjson::Value*, line_origin> lines;
  /// Delimited: the record types with the positions of header-named columns found in this file
  /// (`lines` points at them; filled before any pointer is taken, never resized after).
  std::vector<delimited_format::record_type> types;

  /// The name of `key` inside `object` for an issue: line/column for a text line, else
  /// `pointer` (the JSON Pointer of `object`) + "/" + key.
  std::string locate(const rapidjson::Value* object, std::string_view pointer, std::string_view key) const;
};

/// One line of delimited text, split into fields (quotes removed).
struct delimited_line {
  std::size_t number = 0;  ///< 1-based line where the record starts
  std::vector<std::string> fields;
};

/// Decodes `bytes` from `e` (encoding.hpp) and splits the text into lines and fields per `f`
/// (delimiter, quoting). Bytes not valid in `e`, field size and line count (against `l`) are
/// issues naming the line and column (and the byte offset); such a line is left out. Empty lines
/// are skipped.
std::vector<delimited_line> read_delimited(std::string_view bytes, text_encoding e, const delimited_format& f,
                                           const limits& l, fhir::issue_list& issues);

/// A delimited export as records (see mapping.hpp for the tree each record becomes). Columns
/// named by header are found in the file's header line; a name it lacks, or holds twice, is an
/// issue naming the header line and the column.
source_document load_delimited(std::string_view bytes, text_encoding e, const delimited_format& f, const limits& l,
                               fhir::issue_list& issues);

/// A JSON export: decoded from `e`, parsed (numbers kept as their text), depth- and size-checked,
/// records found at `f.records`. Problems are issues with JSON Pointers (or the line and byte
/// offset of a syntax error or of a byte not valid in `e`).
source_document load_json(std::string_view bytes, text_encoding e, const json_format& f, const limits& l,
                          fhir::issue_list& issues);

/// Finds the records at `pointer` in `doc` (an array of objects, or one object) and appends them
/// to `doc.records`; issues name the pointer and what was found instead.
void find_records(source_document& doc, std::string_view pointer, const limits& l, fhir::issue_list& issues);

/// A header name as mappings and header lines are compared: trimmed of spaces and tabs, NFC.
std::string header_name(std::string_view text);

/// Result of following a JSON Pointer from a value.
struct lookup {
  const rapidjson::Value* value = nullptr;   ///< nullptr when absent
  const rapidjson::Value* parent = nullptr;  ///< the object holding the last token
  std::string problem;  ///< set when a step met the wrong kind ("/patient is an array, not an object")
};
/// Follows `pointer` (RFC 6901) from `from`. Absent members are not a problem (value nullptr);
/// a step through a scalar, or an array index that is not a number, is.
lookup follow(const rapidjson::Value& from, std::string_view pointer);

/// Empty when `pointer` is a valid RFC 6901 JSON Pointer, else what is wrong.
std::string check_pointer(std::string_view pointer);

/// Text of a scalar (string, number, bool); nullopt for objects, arrays and null.
std::optional<std::string_view> scalar_text(const rapidjson::Value& v);

}  // namespace gw::mapped
