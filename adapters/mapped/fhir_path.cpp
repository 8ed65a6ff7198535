#include "adapters/mapped/fhir_path.hpp"

#include <charconv>
#include <span>
#include <utility>
#include <variant>
#include <vector>

namespace gw::mapped {

namespace {

struct step {
  std::string_view name;
  std::size_t index = 0;
  bool has_index = false;
};

/// Splits `a.b[2].c`; nullopt with `error` set when the text is not a path.
std::optional<std::vector<step>> parse_steps(std::string_view path, std::string& error) {
  std::vector<step> out;
  std::size_t at = 0;
  while (at <= path.size()) {
    auto dot = path.find('.', at);
    std::string_view part = path.substr(at, dot == std::string_view::npos ? std::string_view::npos : dot - at);
    step s;
    if (auto open = part.find('['); open != std::string_view::npos) {
      if (part.back() != ']') {
        error = "'" + std::string(part) + "': an index is written [n]";
        return std::nullopt;
      }
      auto digits = part.substr(open + 1, part.size() - open - 2);
      auto r = std::from_chars(digits.data(), digits.data() + digits.size(), s.index);
      if (digits.empty() || r.ec != std::errc() || r.ptr != digits.data() + digits.size()) {
        error = "'" + std::string(part) + "': the index must be a number";
        return std::nullopt;
      }
      if (s.index > max_path_index) {
        error = "'" + std::string(part) + "': index above " + std::to_string(max_path_index);
        return std::nullopt;
      }
      s.has_index = true;
      part = part.substr(0, open);
    }
    if (part.empty()) {
      error = "empty element name in '" + std::string(path) + "'";
      return std::nullopt;
    }
    s.name = part;
    out.push_back(s);
    if (dot == std::string_view::npos) break;
    at = dot + 1;
  }
  return out;
}

template <class T>
struct is_scalar_leaf : std::bool_constant<std::is_same_v<T, std::string> || std::is_same_v<T, bool> ||
                                           std::is_same_v<T, std::int32_t> || std::is_same_v<T, fhir::decimal> ||
                                           std::is_same_v<T, fhir::PositiveInt> || fhir::detail::is_tagged<T>::value> {
};

/// Walks one path through the `fields()` descriptions, creating elements; `dry` = check only.
class walker {
 public:
  walker(std::span<const step> steps, std::string_view value, bool dry, std::string& error)
      : steps_(steps), value_(value), dry_(dry), error_(error) {}

  bool matched() const { return matched_; }

  template <class M>
  void operator()(std::string_view name, M& m, fhir::field_spec = {}) {
    if (matched_) return;
    if constexpr (fhir::detail::is_choice<M>::value) {
      using variant = typename M::value_type;
      choice(name, m, std::make_index_sequence<std::variant_size_v<variant>>{});
    } else {
      if (name != steps_.front().name) return;
      matched_ = true;
      member(m);
    }
  }

 private:
  template <class M, std::size_t... I>
  void choice(std::string_view name, M& m, std::index_sequence<I...>) {
    (choice_one<I>(name, m), ...);
  }
  template <std::size_t I, class M>
  void choice_one(std::string_view name, M& m) {
    using variant = typename M::value_type;
    using alt = std::variant_alternative_t<I, variant>;
    if (matched_) return;
    const auto& s = steps_.front();
    auto suffix = fhir::choice_suffix<alt>();
    if (s.name.size() != name.size() + suffix.size() || s.name.substr(0, name.size()) != name ||
        s.name.substr(name.size()) != suffix)
      return;
    matched_ = true;
    if (s.has_index) {
      error_ = "'" + std::string(s.name) + "' is not a list";
      return;
    }
    if (!m || !std::holds_alternative<alt>(*m)) m.emplace(std::in_place_index<I>);
    element(std::get<I>(*m), steps_.subspan(1));
  }

  template <class M>
  void member(M& m) {
    const auto& s = steps_.front();
    if constexpr (fhir::detail::is_vector<M>::value) {
      std::size_t i = s.has_index ? s.index : 0;
      if (m.size() <= i) m.resize(i + 1);
      element(m[i], steps_.subspan(1));
    } else {
      if (s.has_index) {
        error_ = "'" + std::string(s.name) + "' is not a list";
        return;
      }
      element(m, steps_.subspan(1));
    }
  }

  template <class X>
  void element(X& x, std::span<const step> rest) {
    const std::string_view here = steps_.front().name;
    if constexpr (fhir::detail::is_optional<X>::value) {
      if (!x) x.emplace();
      element(*x, rest);
    } else if constexpr (fhir::described<X>) {
      if (rest.empty()) {
        error_ = "'" + std::string(here) + "' is not a primitive element; name one of its elements";
        return;
      }
      walker sub(rest, value_, dry_, error_);
      X::fields(x, sub);
      if (!sub.matched() && error_.empty())
        error_ = "unknown element '" + std::string(rest.front().name) + "' in '" + std::string(here) + "'";
    } else if constexpr (is_scalar_leaf<X>::value) {
      if (!rest.empty()) {
        error_ =
            "'" + std::string(here) + "' is a primitive element; it has no '" + std::string(rest.front().name) + "'";
        return;
      }
      if (!dry_) assign(x);
    } else {
      error_ = "'" + std::string(here) + "' cannot be set by a mapping";
    }
  }

  template <class X>
  void assign(X& x) {
    if constexpr (std::is_same_v<X, std::string>) {
      x = std::string(value_);
    } else if constexpr (fhir::detail::is_tagged<X>::value) {
      x.value = std::string(value_);
    } else if constexpr (std::is_same_v<X, bool>) {
      if (value_ == "true")
        x = true;
      else if (value_ == "false")
        x = false;
      else
        error_ = "expected true or false";
    } else if constexpr (std::is_same_v<X, std::int32_t> || std::is_same_v<X, fhir::PositiveInt>) {
      std::int32_t v = 0;
      auto r = std::from_chars(value_.data(), value_.data() + value_.size(), v);
      if (value_.empty() || r.ec != std::errc() || r.ptr != value_.data() + value_.size()) {
        error_ = "expected a whole number";
        return;
      }
      if constexpr (std::is_same_v<X, fhir::PositiveInt>) {
        if (v < 1) error_ = "expected a positive whole number";
        x.value = v;
      } else {
        x = v;
      }
    } else if constexpr (std::is_same_v<X, fhir::decimal>) {
      if (auto d = fhir::decimal::parse(value_))
        x = *d;
      else
        error_ = "expected a decimal number";
    }
  }

  std::span<const step> steps_;
  std::string_view value_;
  bool dry_;
  std::string& error_;
  bool matched_ = false;
};

template <std::size_t I = 0>
fhir::any_resource make_at(std::string_view type) {
  if constexpr (I == std::variant_size_v<fhir::resource_variant>) {
    return {};
  } else {
    using T = std::variant_alternative_t<I, fhir::resource_variant>;
    if (T::resource_type == type) return fhir::any_resource(T{});
    return make_at<I + 1>(type);
  }
}

std::string walk(fhir::any_resource& r, std::string_view path, std::string_view value, bool dry) {
  std::string error;
  auto type = r.type_name();
  if (path.substr(0, type.size()) == type && path.size() > type.size() && path[type.size()] == '.')
    path.remove_prefix(type.size() + 1);
  auto steps = parse_steps(path, error);
  if (!steps) return error;
  std::visit(
      [&](auto& res) {
        using T = std::remove_cvref_t<decltype(res)>;
        walker w(*steps, value, dry, error);
        T::fields(res, w);
        if (!w.matched() && error.empty())
          error = "unknown element '" + std::string(steps->front().name) + "' in " + std::string(type);
      },
      r.get());
  return error;
}

}  // namespace

bool mappable_resource_type(std::string_view type) {
  if (type == "Bundle" || type == "OperationOutcome" || type == "CapabilityStatement") return false;
  return !make_resource(type).empty();
}

fhir::any_resource make_resource(std::string_view type) {
  return make_at(type);
}

std::string check_path(std::string_view type, std::string_view path) {
  if (!mappable_resource_type(type)) return "unknown resource type '" + std::string(type) + "'";
  auto r = make_resource(type);
  return walk(r, path, {}, true);
}

std::string set_path(fhir::any_resource& r, std::string_view path, std::string_view value) {
  return walk(r, path, value, false);
}

}  // namespace gw::mapped
