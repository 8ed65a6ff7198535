#pragma once
/// Turns an adapter's transaction Bundle into the rows the store writes: one JSON document per
/// resource, with the Bundle's `urn:uuid:` references resolved to `Type/id` (as a FHIR server
/// resolves a transaction), the Patient each resource belongs to (its ordering key towards the
/// national database), and the facility record number → person links its Patients carry.

#include <string_view>

#include "fhir/identifiers.hpp"
#include "fhir/model.hpp"
#include "gateway/ingest/translators.hpp"

namespace gw::ingest {

/// Appends `bundle`'s resources (in entry order) and patient links to `out`.
void bundle_to_writes(const fhir::Bundle& bundle, std::string_view facility, const fhir::identifier_systems& systems,
                      translation& out);

}  // namespace gw::ingest
