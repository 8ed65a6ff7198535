#pragma once
/// Validation of the typed model into issues with FHIRPath-style locations
/// (`Bundle.entry[3].resource.identifier[0].value`): required elements, primitive formats (date,
/// dateTime, instant, time, id, uri, code, ...), bindings of the codes the gateway emits, a few
/// R4 invariants (Period start ≤ end, Quantity code needs a system, Extension value xor
/// sub-extensions, Narrative div), Bundle rules (entry request/response/search by Bundle type,
/// unique fullUrl, total only in searchset/history) and references resolvable inside a Bundle.

#include "fhir/issue.hpp"
#include "fhir/model.hpp"

namespace gw::fhir {

struct validate_settings {
  /// A relative reference (`Patient/123`) inside a Bundle that matches no entry: error when true,
  /// else nothing (it may name a resource already on the server). `urn:uuid:` references that
  /// match no fullUrl are always errors.
  bool require_local_references = false;
};

/// Appends the issues of one resource to `issues`; returns false when any error was found.
template <class T>
requires resource_type<T>
bool validate(const T& resource, issue_list& issues, const validate_settings& settings = {});
bool validate(const any_resource& resource, issue_list& issues, const validate_settings& settings = {});

/// FHIR primitive format check for string-like kinds (`prim::string` checks only non-emptiness
/// and no surrounding whitespace for codes).
bool is_valid_primitive(prim kind, std::string_view value);

}  // namespace gw::fhir
