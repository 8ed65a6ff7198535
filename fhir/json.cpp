#include "fhir/json.hpp"

#include "fhir/detail/walk.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <charconv>
#include <cstdint>
#include <limits>
#include <memory>
#include <utility>
#include <vector>

namespace gw::fhir {
namespace {

using detail::is_empty;
using detail::path_scope;
using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

rapidjson::SizeType size_of(std::string_view s) {
  return static_cast<rapidjson::SizeType>(s.size());
}

// ------------------------------------------------------------------------------------------------
// Writer
// ------------------------------------------------------------------------------------------------

template <class T>
void write_value(json_writer& w, const T& v);

struct write_visitor {
  json_writer& w;
  template <class M>
  void operator()(std::string_view name, const M& m, field_spec = {}) {
    if (is_empty(m)) return;
    if constexpr (detail::is_choice<M>::value) {
      std::string key = detail::choice_key(name, *m);
      w.Key(key.data(), size_of(key));
      std::visit([&](const auto& a) { write_value(w, a); }, *m);
    } else {
      w.Key(name.data(), size_of(name));
      write_value(w, m);
    }
  }
};

template <class T>
void write_value(json_writer& w, const T& v) {
  if constexpr (std::is_same_v<T, std::string>) {
    w.String(v.data(), size_of(v));
  } else if constexpr (detail::is_tagged<T>::value) {
    w.String(v.value.data(), size_of(v.value));
  } else if constexpr (std::is_same_v<T, bool>) {
    w.Bool(v);
  } else if constexpr (std::is_same_v<T, std::int32_t>) {
    w.Int(v);
  } else if constexpr (std::is_same_v<T, PositiveInt>) {
    w.Int(v.value);
  } else if constexpr (std::is_same_v<T, decimal>) {
    w.RawValue(v.text().data(), v.text().size(), rapidjson::kNumberType);
  } else if constexpr (detail::is_optional<T>::value) {
    write_value(w, *v);
  } else if constexpr (detail::is_vector<T>::value) {
    w.StartArray();
    for (const auto& i : v)
      if (!is_empty(i)) write_value(w, i);
    w.EndArray();
  } else if constexpr (std::is_same_v<T, any_resource>) {
    std::visit([&](const auto& r) { write_value(w, r); }, v.get());
  } else {
    static_assert(described<T>);
    w.StartObject();
    if constexpr (resource_type<T>) {
      w.Key("resourceType", 12);
      w.String(T::resource_type.data(), size_of(T::resource_type));
    }
    write_visitor vis{w};
    T::fields(v, vis);
    w.EndObject();
  }
}

template <class T>
std::string write_json(const T& r) {
  rapidjson::StringBuffer buf;
  json_writer w(buf);
  write_value(w, r);
  return std::string(buf.GetString(), buf.GetSize());
}

// ------------------------------------------------------------------------------------------------
// Untrusted input → a small JSON tree (numbers kept as text), with limits.
// ------------------------------------------------------------------------------------------------

struct jnode {
  enum class kind : std::uint8_t { null, boolean, number, string, array, object };
  kind k = kind::null;
  bool b = false;
  std::string text;               // string value or number text
  std::vector<jnode> items;       // array items, or object member values
  std::vector<std::string> keys;  // object member names (parallel to items)
};

class tree_builder : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, tree_builder> {
 public:
  explicit tree_builder(const json_limits& l) : limits_(l) {}

  bool Null() { return add(jnode{}); }
  bool Bool(bool v) {
    jnode n;
    n.k = jnode::kind::boolean;
    n.b = v;
    return add(std::move(n));
  }
  bool RawNumber(const char* s, rapidjson::SizeType len, bool) {
    jnode n;
    n.k = jnode::kind::number;
    n.text.assign(s, len);
    return add(std::move(n));
  }
  bool String(const char* s, rapidjson::SizeType len, bool) {
    if (!check_string(len)) return false;
    jnode n;
    n.k = jnode::kind::string;
    n.text.assign(s, len);
    return add(std::move(n));
  }
  bool Key(const char* s, rapidjson::SizeType len, bool) {
    if (!check_string(len)) return false;
    key_.assign(s, len);
    return true;
  }
  bool StartObject() { return open(jnode::kind::object); }
  bool EndObject(rapidjson::SizeType) { return close(); }
  bool StartArray() { return open(jnode::kind::array); }
  bool EndArray(rapidjson::SizeType) { return close(); }

  jnode root;
  std::string limit_error;  // set when a limit stopped parsing

 private:
  bool check_string(std::size_t len) {
    if (len <= limits_.max_string_bytes) return true;
    limit_error = "string longer than the limit";
    return false;
  }
  bool count() {
    if (++values_ <= limits_.max_values) return true;
    limit_error = "too many JSON values";
    return false;
  }
  // Places a finished node into its parent (or as the root).
  jnode* place(jnode&& n) {
    if (stack_.empty()) {
      root = std::move(n);
      return &root;
    }
    jnode& parent = *stack_.back();
    if (parent.k == jnode::kind::object) parent.keys.push_back(std::move(key_));
    parent.items.push_back(std::move(n));
    return &parent.items.back();
  }
  bool add(jnode&& n) {
    if (!count()) return false;
    place(std::move(n));
    return true;
  }
  bool open(jnode::kind k) {
    if (!count()) return false;
    if (stack_.size() >= limits_.max_depth) {
      limit_error = "nesting deeper than the limit";
      return false;
    }
    jnode n;
    n.k = k;
    // Children are appended to the node in place; pointers into parent vectors stay valid
    // because a parent gets no new children while a child is open.
    stack_.push_back(place(std::move(n)));
    return true;
  }
  bool close() {
    stack_.pop_back();
    return true;
  }

  const json_limits& limits_;
  std::vector<jnode*> stack_;
  std::string key_;
  std::size_t values_ = 0;
};

// ------------------------------------------------------------------------------------------------
// JSON tree → model
// ------------------------------------------------------------------------------------------------

struct read_context {
  issue_list& issues;
  std::string path;
  void error(issue_code code, std::string msg, severity sev = severity::error) {
    issues.push_back({sev, code, path, std::move(msg), hl7_error::none});
  }
};

/// The value of an object's member `key` (first one), or nullptr.
const jnode* member(const jnode& n, std::string_view key) {
  if (n.k != jnode::kind::object) return nullptr;
  for (std::size_t i = 0; i < n.keys.size(); ++i)
    if (n.keys[i] == key) return &n.items[i];
  return nullptr;
}

const char* kind_name(jnode::kind k) {
  switch (k) {
    case jnode::kind::null: return "null";
    case jnode::kind::boolean: return "boolean";
    case jnode::kind::number: return "number";
    case jnode::kind::string: return "string";
    case jnode::kind::array: return "array";
    case jnode::kind::object: return "object";
  }
  return "value";
}

bool expect(const jnode& n, jnode::kind k, read_context& cx) {
  if (n.k == k) return true;
  cx.error(issue_code::structure, std::string("expected ") + kind_name(k) + ", found " + kind_name(n.k));
  return false;
}

template <class T>
void read_value(const jnode& n, T& out, read_context& cx);

struct read_visitor {
  const jnode& obj;
  std::vector<bool>& used;
  read_context& cx;

  const jnode* take(std::string_view key) {
    for (std::size_t i = 0; i < obj.keys.size(); ++i)
      if (!used[i] && obj.keys[i] == key) {
        used[i] = true;
        return &obj.items[i];
      }
    return nullptr;
  }

  template <class M>
  void operator()(std::string_view name, M& m, field_spec = {}) {
    if constexpr (detail::is_choice<M>::value) {
      read_choice<typename M::value_type>(name, m,
                                          std::make_index_sequence<std::variant_size_v<typename M::value_type>>{});
    } else if (const jnode* n = take(name)) {
      path_scope p(cx.path, name);
      read_value(*n, m, cx);
    }
  }

  template <class V, class M, std::size_t... I>
  void read_choice(std::string_view name, M& m, std::index_sequence<I...>) {
    (read_alternative<std::variant_alternative_t<I, V>>(name, m), ...);
  }
  template <class A, class M>
  void read_alternative(std::string_view name, M& m) {
    std::string key(name);
    key += choice_suffix<A>();
    const jnode* n = take(key);
    if (!n) return;
    path_scope p(cx.path, key);
    if (m) {
      cx.error(issue_code::structure, "more than one type given for a choice element");
      return;
    }
    A a{};
    read_value(*n, a, cx);
    m = std::move(a);
  }
};

template <class T>
void read_object(const jnode& n, T& out, read_context& cx) {
  if (!expect(n, jnode::kind::object, cx)) return;
  if (n.keys.empty()) cx.error(issue_code::structure, "empty object");
  std::vector<bool> used(n.keys.size());
  read_visitor v{n, used, cx};
  T::fields(out, v);
  for (std::size_t i = 0; i < n.keys.size(); ++i) {
    if (used[i]) continue;
    const std::string& key = n.keys[i];
    if constexpr (resource_type<T>) {
      if (key == "resourceType") continue;
    }
    path_scope p(cx.path, key);
    bool duplicate = false;
    for (std::size_t j = 0; j < n.keys.size() && !duplicate; ++j) duplicate = j != i && used[j] && n.keys[j] == key;
    if (duplicate)
      cx.error(issue_code::duplicate, "element given more than once");
    else if (!key.empty() && key[0] == '_')
      cx.error(issue_code::not_supported, "primitive extensions are not supported; element ignored", severity::warning);
    else
      cx.error(issue_code::structure, "unknown element");
  }
}

std::optional<std::int64_t> parse_integer(std::string_view t) {
  std::int64_t v = 0;
  auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec != std::errc() || p != t.data() + t.size()) return std::nullopt;
  return v;
}

void read_resource(const jnode& n, any_resource& out, read_context& cx);

template <class T>
void read_value(const jnode& n, T& out, read_context& cx) {
  if constexpr (std::is_same_v<T, std::string> || detail::is_tagged<T>::value) {
    if (!expect(n, jnode::kind::string, cx)) return;
    if (n.text.empty()) cx.error(issue_code::value, "empty string");
    if constexpr (std::is_same_v<T, std::string>)
      out = n.text;
    else
      out.value = n.text;
  } else if constexpr (std::is_same_v<T, bool>) {
    if (expect(n, jnode::kind::boolean, cx)) out = n.b;
  } else if constexpr (std::is_same_v<T, std::int32_t>) {
    if (!expect(n, jnode::kind::number, cx)) return;
    auto v = parse_integer(n.text);
    if (!v || *v < std::numeric_limits<std::int32_t>::min() || *v > std::numeric_limits<std::int32_t>::max())
      cx.error(issue_code::value, "not a 32-bit integer");
    else
      out = static_cast<std::int32_t>(*v);
  } else if constexpr (std::is_same_v<T, PositiveInt>) {
    read_value(n, out.value, cx);
  } else if constexpr (std::is_same_v<T, decimal>) {
    if (!expect(n, jnode::kind::number, cx)) return;
    if (auto d = decimal::parse(n.text))
      out = std::move(*d);
    else
      cx.error(issue_code::value, "not a decimal");
  } else if constexpr (detail::is_optional<T>::value) {
    typename T::value_type v{};
    std::size_t before = cx.issues.size();
    read_value(n, v, cx);
    // A primitive is kept only when read without issue; an object also with issues inside it.
    if (cx.issues.size() == before || (described<typename T::value_type> && n.k == jnode::kind::object))
      out = std::move(v);
  } else if constexpr (detail::is_vector<T>::value) {
    if (!expect(n, jnode::kind::array, cx)) return;
    if (n.items.empty()) cx.error(issue_code::structure, "empty array");
    out.reserve(n.items.size());
    for (std::size_t i = 0; i < n.items.size(); ++i) {
      path_scope p(cx.path, i);
      typename T::value_type v{};
      read_value(n.items[i], v, cx);
      out.push_back(std::move(v));
    }
  } else if constexpr (std::is_same_v<T, any_resource>) {
    read_resource(n, out, cx);
  } else {
    static_assert(described<T>);
    read_object(n, out, cx);
  }
}

void read_resource(const jnode& n, any_resource& out, read_context& cx) {
  if (!expect(n, jnode::kind::object, cx)) return;
  const jnode* type = member(n, "resourceType");
  if (!type || type->k != jnode::kind::string) {
    path_scope p(cx.path, "resourceType");
    cx.error(issue_code::required, "resourceType missing or not a string");
    return;
  }
  bool known = with_resource_type(type->text, [&](auto* tag) {
    std::remove_pointer_t<decltype(tag)> r{};
    read_object(n, r, cx);
    out = std::move(r);
  });
  if (!known) {
    path_scope p(cx.path, "resourceType");
    cx.error(issue_code::not_supported, "unsupported resourceType");
  }
}

}  // namespace

template <class T>
requires resource_type<T> std::string to_json(const T& resource) {
  return write_json(resource);
}

std::string to_json(const any_resource& resource) {
  if (resource.empty()) return "{}";
  return write_json(resource);
}

#define GW_FHIR_INSTANTIATE(T) template std::string to_json<T>(const T&);
GW_FHIR_FOR_EACH_RESOURCE(GW_FHIR_INSTANTIATE)
#undef GW_FHIR_INSTANTIATE

any_resource parse_resource(std::string_view json, issue_list& issues, const json_limits& limits) {
  any_resource out;
  if (json.size() > limits.max_bytes) {
    issues.push_back({severity::error, issue_code::too_costly, "$", "document larger than the limit", hl7_error::none});
    return out;
  }
  tree_builder builder(limits);
  rapidjson::Reader reader;
  rapidjson::MemoryStream ms(json.data(), json.size());
  constexpr unsigned flags =
      rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseValidateEncodingFlag;
  rapidjson::ParseResult ok = reader.Parse<flags>(ms, builder);
  if (!ok) {
    std::string where = "$ (offset " + std::to_string(ok.Offset()) + ")";
    if (!builder.limit_error.empty())
      issues.push_back({severity::error, issue_code::too_costly, where, builder.limit_error, hl7_error::none});
    else
      issues.push_back({severity::error, issue_code::structure, where,
                        std::string("invalid JSON: ") + rapidjson::GetParseError_En(ok.Code()), hl7_error::none});
    return out;
  }
  read_context cx{issues, {}};
  const jnode* type = member(builder.root, "resourceType");
  cx.path = type && type->k == jnode::kind::string ? type->text : "$";
  read_resource(builder.root, out, cx);
  return out;
}

}  // namespace gw::fhir
