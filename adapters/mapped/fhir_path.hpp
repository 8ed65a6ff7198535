#pragma once
/// Element paths into the typed FHIR model (`birthDate`, `name[0].family`, `valueQuantity.value`,
/// `code.coding[1].system`), resolved against each type's `fields()` description, so the set of
/// paths a mapping may name is exactly the set of elements the model writes. Choice elements are
/// named with their type suffix (`valueQuantity`, `effectiveDateTime`); a list without an index
/// means its first element. Only primitive elements can receive a value.

#include <optional>
#include <string>
#include <string_view>

#include "fhir/model.hpp"

namespace gw::mapped {

/// Indices above this are refused (a mapping never needs more; untrusted data never chooses one).
inline constexpr std::size_t max_path_index = 63;

/// True for a resource type a mapping may produce (every model resource but Bundle,
/// OperationOutcome and CapabilityStatement).
bool mappable_resource_type(std::string_view type);

/// Checks `path` inside `type` without data: empty when it names a primitive element, else what
/// is wrong ("unknown element 'birthdate' in Patient", "'code' is not a primitive element ...").
/// A leading `<type>.` is accepted.
std::string check_path(std::string_view type, std::string_view path);

/// Sets the element `path` of `r` (whose type must be the path's resource) to `value`, creating
/// the elements on the way. Returns empty on success, else why the value does not fit (a number
/// or boolean that does not parse). Precondition: check_path(type, path) was empty.
std::string set_path(fhir::any_resource& r, std::string_view path, std::string_view value);

/// A new empty resource of `type`; empty any_resource for an unknown type.
fhir::any_resource make_resource(std::string_view type);

}  // namespace gw::mapped
