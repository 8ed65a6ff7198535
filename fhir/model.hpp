#pragma once
/// The typed FHIR R4 model: datatypes, resources, value sets and the `any_resource` holder.
/// Include this one header to build or read resources; fhir/json.hpp writes and reads them,
/// fhir/validate.hpp checks them.

#include "fhir/bindings.hpp"   // IWYU pragma: export
#include "fhir/datatypes.hpp"  // IWYU pragma: export
#include "fhir/element.hpp"    // IWYU pragma: export
#include "fhir/resources.hpp"  // IWYU pragma: export
