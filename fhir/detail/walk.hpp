#pragma once
// Module-private helpers shared by the JSON writer, reader and validator: emptiness of model
// values, path building, and the list of resource types for explicit instantiation.

#include "fhir/model.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

namespace gw::fhir::detail {

template <class T>
bool is_empty(const T& v);

/// Visitor answering "does any element have a value?".
struct emptiness_visitor {
  bool empty = true;
  template <class M>
  void operator()(std::string_view, const M& m, field_spec = {}) {
    if (empty && !is_empty(m)) empty = false;
  }
};

/// True when a value would write nothing: empty strings, unset optionals, lists whose items are
/// all empty, objects whose elements are all empty, an empty any_resource.
template <class T>
bool is_empty(const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    return v.empty();
  } else if constexpr (is_tagged<T>::value) {
    return v.value.empty();
  } else if constexpr (is_optional<T>::value) {
    return !v.has_value() || is_empty(*v);
  } else if constexpr (is_vector<T>::value) {
    for (const auto& i : v)
      if (!is_empty(i)) return false;
    return true;
  } else if constexpr (is_variant<T>::value) {
    return std::visit([](const auto& a) { return is_empty(a); }, v);
  } else if constexpr (std::is_same_v<T, any_resource>) {
    return v.empty();
  } else if constexpr (described<T>) {
    if constexpr (resource_type<T>) return false;  // a resource always writes its resourceType
    emptiness_visitor e;
    T::fields(v, e);
    return e.empty;
  } else {
    return false;  // bool, std::int32_t, decimal: present once they exist
  }
}

/// Appends to a path and restores it on scope exit.
class path_scope {
 public:
  path_scope(std::string& path, std::string_view name) : path_(path), size_(path.size()) {
    path_ += '.';
    path_ += name;
  }
  path_scope(std::string& path, std::size_t index) : path_(path), size_(path.size()) {
    path_ += '[';
    path_ += std::to_string(index);
    path_ += ']';
  }
  path_scope(const path_scope&) = delete;
  path_scope& operator=(const path_scope&) = delete;
  ~path_scope() { path_.resize(size_); }

 private:
  std::string& path_;
  std::size_t size_;
};

/// `name` + the JSON suffix of the variant's current alternative (`valueQuantity`).
template <class V>
std::string choice_key(std::string_view name, const V& v) {
  std::string key(name);
  std::visit([&](const auto& a) { key += choice_suffix<std::remove_cvref_t<decltype(a)>>(); }, v);
  return key;
}

}  // namespace gw::fhir::detail

/// X-macro over the resource types (explicit instantiations in the .cpp files).
// clang-format off
#define GW_FHIR_FOR_EACH_RESOURCE(X) \
  X(Patient) \
  X(RelatedPerson) \
  X(Encounter) \
  X(Condition) \
  X(Observation) \
  X(DiagnosticReport) \
  X(Procedure) \
  X(ServiceRequest) \
  X(MedicationRequest) \
  X(MedicationAdministration) \
  X(AllergyIntolerance) \
  X(Immunization) \
  X(DocumentReference) \
  X(Appointment) \
  X(Coverage) \
  X(Organization) \
  X(Practitioner) \
  X(Location) \
  X(Provenance) \
  X(AuditEvent) \
  X(OperationOutcome) \
  X(CapabilityStatement) \
  X(Bundle)
// clang-format on
