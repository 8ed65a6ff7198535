// Fills every element of every resource type with a valid dummy value (first alternative of each
// choice, first code of each binding) and writes the JSON for the R4 schema check: this proves
// every element name and JSON type in the model against the official schema, not only the ones
// the samples happen to use.
#include "fhir/detail/walk.hpp"
#include "fhir/json.hpp"
#include "tests/support/fhir_out.hpp"

#include <gtest/gtest.h>

namespace gw::fhir {
namespace {

constexpr int max_depth = 6;

std::string dummy(field_spec spec) {
  if (spec.binding && !spec.binding->codes.empty()) return std::string(spec.binding->codes.front());
  switch (spec.kind) {
    case prim::date: return "2026-11-20";
    case prim::date_time:
    case prim::instant: return "2026-11-20T09:30:00+07:00";
    case prim::time: return "09:30:00";
    case prim::id: return "x1";
    case prim::uri:
    case prim::url:
    case prim::canonical: return "http://example.org/x";
    case prim::oid: return "urn:oid:1.2.3";
    case prim::uuid: return "urn:uuid:6f1c4b8e-2d3a-5e7f-9a41-b2c7d0e85f13";
    case prim::base64: return "aGVsbG8=";
    case prim::xhtml: return R"(<div xmlns="http://www.w3.org/1999/xhtml">x</div>)";
    default: return "x";
  }
}

template <class T>
void fill(T& v, field_spec spec, int depth);

struct fill_visitor {
  int depth;
  template <class M>
  void operator()(std::string_view, M& m, field_spec spec = {}) {
    fill(m, spec, depth);
  }
};

template <class T>
void fill(T& v, field_spec spec, int depth) {
  if constexpr (std::is_same_v<T, std::string>) {
    v = dummy(spec);
  } else if constexpr (detail::is_tagged<T>::value) {
    v.value = dummy(field_spec{0, detail::is_tagged<T>::kind, nullptr});
  } else if constexpr (std::is_same_v<T, bool>) {
    v = true;
  } else if constexpr (std::is_same_v<T, std::int32_t>) {
    v = 1;
  } else if constexpr (std::is_same_v<T, PositiveInt>) {
    v.value = 2;
  } else if constexpr (std::is_same_v<T, decimal>) {
    v = *decimal::parse("1.50");
  } else if constexpr (detail::is_optional<T>::value) {
    typename T::value_type x{};
    fill(x, spec, depth);
    v = std::move(x);
  } else if constexpr (detail::is_vector<T>::value) {
    typename T::value_type x{};
    fill(x, spec, depth);
    v.push_back(std::move(x));
  } else if constexpr (detail::is_variant<T>::value) {
    std::variant_alternative_t<0, T> x{};
    fill(x, spec, depth);
    v = std::move(x);
  } else if constexpr (std::is_same_v<T, any_resource>) {
    if (depth < max_depth) {
      OperationOutcome oo;
      fill(oo, {}, depth + 1);
      v = std::move(oo);
    }
  } else {
    static_assert(described<T>);
    if (depth >= max_depth) return;
    fill_visitor f{depth + 1};
    T::fields(v, f);
  }
}

}  // namespace

TEST(json, maximal_resources_round_trip_for_the_schema_check) {
  std::size_t n = 0;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (
        [&] {
          using T = std::variant_alternative_t<I, resource_variant>;
          T r{};
          fill(r, {}, 0);
          // The schema checked against is R4 4.0.0's, whose FHIRVersion enum lacks 4.0.1.
          if constexpr (std::is_same_v<T, CapabilityStatement>) r.fhir_version = "4.0.0";
          std::string json = to_json(r);
          issue_list issues;
          any_resource back = parse_resource(json, issues);
          EXPECT_TRUE(issues.empty()) << T::resource_type << ": " << issues.front().location << " "
                                      << issues.front().message;
          EXPECT_EQ(to_json(back), json) << T::resource_type;
          write_fhir_output("fhir-maximal-" + std::string(T::resource_type), json);
          ++n;
        }(),
        ...);
  }
  (std::make_index_sequence<std::variant_size_v<resource_variant>>{});
  EXPECT_EQ(n, 23u);
}

}  // namespace gw::fhir
