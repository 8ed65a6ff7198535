#pragma once
/// Small helpers for building Bundles the same way in every adapter.

#include "fhir/ids.hpp"
#include "fhir/model.hpp"

#include <string>
#include <utility>

namespace gw::fhir {

/// `Type/id` reference to a resource (empty reference when it has no id).
template <class T>
requires resource_type<T> Reference reference_to(const T& r) {
  if (r.id.empty()) return {};
  return {.reference = std::string(T::resource_type) + "/" + r.id};
}

/// A transaction entry that PUTs `r` under its (stable) id: fullUrl `urn:uuid:<id>`, request
/// `PUT Type/id`. Precondition: `r` holds a resource whose id is a UUID (fhir/ids.hpp).
inline Bundle::Entry put_entry(any_resource r) {
  Bundle::Entry e;
  std::string type(r.type_name()), id(r.id());
  e.full_url = urn_uuid(id);
  e.request = Bundle::Request{.method = "PUT", .url = type + "/" + id};
  e.resource = std::move(r);
  return e;
}

}  // namespace gw::fhir
