#pragma once
/// Small helpers for building Bundles the same way in every adapter.

#include "fhir/ids.hpp"
#include "fhir/model.hpp"

#include <string>
#include <string_view>
#include <utility>

namespace gw::fhir {

/// `Type/id` built at its final size (one allocation).
inline std::string type_slash_id(std::string_view type, std::string_view id) {
  std::string s;
  s.reserve(type.size() + 1 + id.size());
  s.append(type).append(1, '/').append(id);
  return s;
}

/// A Reference to `Type/id`.
inline Reference reference(std::string_view type, std::string_view id) {
  Reference r;
  r.reference = type_slash_id(type, id);
  return r;
}

/// `Type/id` reference to a resource (empty reference when it has no id).
template <class T>
requires resource_type<T> Reference reference_to(const T& r) {
  if (r.id.empty()) return {};
  return reference(T::resource_type, r.id);
}

/// A transaction entry that PUTs `r` under its (stable) id: fullUrl `urn:uuid:<id>`, request
/// `PUT Type/id`. Precondition: `r` holds a resource whose id is a UUID (fhir/ids.hpp).
inline Bundle::Entry put_entry(any_resource r) {
  Bundle::Entry e;
  e.full_url = urn_uuid(r.id());
  auto& request = e.request.emplace(Bundle::Request{});  // (clang: not emplace() of a nested struct with initialisers)
  request.method = "PUT";
  request.url = type_slash_id(r.type_name(), r.id());
  e.resource = std::move(r);
  return e;
}

}  // namespace gw::fhir
