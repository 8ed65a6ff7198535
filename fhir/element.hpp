#pragma once
/// Building blocks of the typed FHIR model: primitive kinds, field specifications, value sets
/// (bindings), the decimal type and the tagged primitives used as alternatives of choice elements.
///
/// Every model type describes its elements once, in a static member template
/// `template <class S, class V> static void fields(S& self, V& v)` that calls
/// `v("jsonName", self.member, spec)` for each element. The JSON writer, the JSON reader, the
/// validator and the emptiness check are visitors over that one description.
///
/// Conventions of the model (see fhir/datatypes.hpp, fhir/resources.hpp):
/// * string-like primitives (string, code, uri, id, date, dateTime, instant...) are `std::string`;
///   the empty string means "absent" (FHIR forbids empty strings anyway);
/// * boolean / integer / decimal primitives are `std::optional<bool|std::int32_t|decimal>`;
/// * complex elements are `std::optional<T>`, repeating elements `std::vector<T>`;
/// * choice elements (`value[x]`, `effective[x]`, ...) are `std::optional<std::variant<...>>`; the
///   JSON suffix comes from the alternative (`bool` → `Boolean`, `DateTime` → `DateTime`,
///   `Quantity` → `Quantity`, ...).
///
/// FHIR type names keep FHIR's spelling (`HumanName`, `Patient`) so that members can carry the
/// FHIR element names (`period`, `identifier`, `code`) without clashing with type names.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace gw::fhir {

/// FHIR primitive kinds; they decide the format check of string-like values.
enum class prim : std::uint8_t {
  none,  ///< not a string-like primitive (complex type, bool, number)
  string,
  markdown,
  code,
  id,
  uri,
  url,
  canonical,
  oid,
  uuid,
  base64,
  date,
  date_time,
  instant,
  time,
  xhtml,
  positive_int,
  unsigned_int,
};

/// The codes of a value set the gateway checks (a required or extensible binding).
struct code_set {
  std::string_view system;  ///< code system of the codes (empty for plain `code` elements)
  std::span<const std::string_view> codes;
  bool required = true;  ///< required binding: another code is an error; extensible: a warning
  /// True when `code` is one of the codes.
  constexpr bool contains(std::string_view code) const {
    for (auto c : codes)
      if (c == code) return true;
    return false;
  }
};

/// How an element is described: minimum cardinality, primitive kind and binding.
struct field_spec {
  std::uint8_t min = 0;  ///< 1 = required
  prim kind = prim::none;
  const code_set* binding = nullptr;
};

/// Spec helpers for `fields()` descriptions.
/// Minimum cardinality 1 (not named `required`: that would shadow issue_code::required).
inline constexpr field_spec min1{1, prim::none, nullptr};
constexpr field_spec as(prim k, std::uint8_t min = 0) {
  return {min, k, nullptr};
}
constexpr field_spec bound(const code_set& s, std::uint8_t min = 0) {
  return {min, prim::code, &s};
}
/// For Coding / CodeableConcept elements: codings in `s.system` must use one of its codes.
constexpr field_spec coded(const code_set& s, std::uint8_t min = 0) {
  return {min, prim::none, &s};
}

/// FHIR decimal, kept as its exact text so that precision ("1.50") survives a round trip.
/// Invariant: `text()` is a valid JSON number without exponent surprises (checked on creation).
class decimal {
 public:
  decimal() : text_("0") {}
  decimal(std::int64_t v) : text_(std::to_string(v)) {}  // NOLINT: implicit on purpose
  /// From a double with up to `digits` decimals (trailing zeros kept: 3 digits → "1.500").
  static decimal from_double(double v, int digits = 6);
  /// Parses FHIR/JSON decimal text; nullopt when it is not a valid number.
  static std::optional<decimal> parse(std::string_view text);
  const std::string& text() const { return text_; }
  double to_double() const;
  friend bool operator==(const decimal&, const decimal&) = default;

 private:
  std::string text_;
};

/// A string-like primitive of a fixed kind, used where a choice element needs to tell
/// `valueDateTime` from `valueString` (both are strings).
template <prim K>
struct tagged {
  std::string value;
  friend bool operator==(const tagged&, const tagged&) = default;
};
using DateTime = tagged<prim::date_time>;
using Date = tagged<prim::date>;
using Instant = tagged<prim::instant>;
using Time = tagged<prim::time>;
using Code = tagged<prim::code>;
using Uri = tagged<prim::uri>;
using Base64Binary = tagged<prim::base64>;

/// A positiveInt alternative of a choice element (`doseNumberPositiveInt`); plain positiveInt
/// elements are `std::optional<std::int32_t>` with `as(prim::positive_int)`.
struct PositiveInt {
  std::int32_t value = 1;
  friend bool operator==(const PositiveInt&, const PositiveInt&) = default;
};

// ---------------------------------------------------------------------------------------------
// Type traits the visitors use.
// ---------------------------------------------------------------------------------------------
namespace detail {
template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};
template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};
template <class T>
struct is_variant : std::false_type {};
template <class... T>
struct is_variant<std::variant<T...>> : std::true_type {};
/// A choice element: std::optional<std::variant<...>>.
template <class T>
struct is_choice : std::false_type {};
template <class... T>
struct is_choice<std::optional<std::variant<T...>>> : std::true_type {};
template <class T>
struct is_tagged : std::false_type {};
template <prim K>
struct is_tagged<tagged<K>> : std::true_type {
  static constexpr prim kind = K;
};

/// A visitor that ignores everything; used to detect a `fields()` description.
struct null_visitor {
  template <class M>
  void operator()(std::string_view, M&, field_spec = {}) {}
};
}  // namespace detail

/// A model type with a `fields()` description (complex datatype, backbone element or resource).
template <class T>
concept described = requires(T& t, detail::null_visitor& v) {
  T::fields(t, v);
};

/// A resource type: described and carrying its `resource_type` name.
template <class T>
concept resource_type = described<T> && requires {
  T::resource_type;
};

}  // namespace gw::fhir
