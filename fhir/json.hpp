#pragma once
/// FHIR JSON for the typed model.
///
/// Writing goes straight from the structs to a RapidJSON `Writer` (no DOM), skipping empty
/// elements, with `resourceType` first. Reading takes untrusted bytes: it enforces size, depth
/// and string-length limits before building anything, then maps JSON onto the model and returns
/// issues (code + FHIRPath-style location such as `Bundle.entry[3].resource.identifier[0].value`)
/// for everything it cannot map: wrong JSON types, unknown elements, bad numbers, unknown
/// resourceType. It never throws on bad input. Reading does not check cardinality, formats or
/// bindings: that is fhir/validate.hpp.
///
/// Strings are written as they are: callers give valid UTF-8 (see fhir/text.hpp).

#include "fhir/issue.hpp"
#include "fhir/model.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace gw::fhir {

/// Limits for untrusted JSON.
struct json_limits {
  std::size_t max_bytes = 16 * 1024 * 1024;    ///< whole document
  std::size_t max_depth = 64;                  ///< nesting of objects and arrays
  std::size_t max_string_bytes = 1024 * 1024;  ///< one string or key (attachments may be big)
  std::size_t max_values = 500 * 1000;         ///< JSON values in the document (memory: ~100 B each)
};

/// JSON text of a resource (compact).
template <class T>
requires resource_type<T> std::string to_json(const T& resource);
/// JSON text of the held resource; "{}" when empty.
std::string to_json(const any_resource& resource);

/// Reads one resource of any supported type. On errors the issues say what and where; the
/// result holds whatever could be mapped (empty when the document or resourceType was unusable).
any_resource parse_resource(std::string_view json, issue_list& issues, const json_limits& limits = {});

/// Reads a resource that must be a T (another resourceType is an error, result nullopt).
template <class T>
requires resource_type<T> std::optional<T> parse_as(std::string_view json, issue_list& issues,
                                                    const json_limits& limits = {}) {
  any_resource r = parse_resource(json, issues, limits);
  if (T* t = r.get_if<T>()) return std::move(*t);
  if (!r.empty())
    issues.push_back({severity::error, issue_code::invalid, std::string(r.type_name()),
                      "resourceType is not " + std::string(T::resource_type), hl7_error::none});
  return std::nullopt;
}

}  // namespace gw::fhir
