#include "fhir/validate.hpp"

#include "fhir/datetime.hpp"
#include "fhir/detail/walk.hpp"
#include "fhir/ids.hpp"
#include "fhir/text.hpp"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

namespace gw::fhir {
namespace {

using detail::is_empty;
using detail::path_scope;

bool is_id_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
}
bool is_id(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), is_id_char);
}
bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}
bool is_base64(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if (is_ws(c)) continue;
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
    if (!ok) return false;
    ++n;
  }
  return n % 4 == 0;
}
bool no_space(std::string_view s) {
  return std::none_of(s.begin(), s.end(), is_ws);
}
// code: ^[^\s]+(\s[^\s]+)*$ — no leading, trailing or doubled white space.
bool is_code(std::string_view s) {
  if (s.empty() || is_ws(s.front()) || is_ws(s.back())) return false;
  for (std::size_t i = 1; i < s.size(); ++i)
    if (is_ws(s[i]) && is_ws(s[i - 1])) return false;
  return true;
}
bool is_resource_type_name(std::string_view s) {
  return !s.empty() && s[0] >= 'A' && s[0] <= 'Z' &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); });
}

/// A reference met while walking, for resolution against the Bundle afterwards.
struct ref_use {
  std::string path;
  std::string reference;
};

struct vcontext {
  issue_list& issues;
  const validate_settings& settings;
  std::string path;
  std::vector<ref_use> refs;
  void add(issue_code code, std::string msg, severity sev = severity::error) {
    issues.push_back({sev, code, path, std::move(msg), hl7_error::none});
  }
};

template <class T>
void check(const T& v, field_spec spec, vcontext& cx);

struct validate_visitor {
  vcontext& cx;
  template <class M>
  void operator()(std::string_view name, const M& m, field_spec spec = {}) {
    if constexpr (detail::is_choice<M>::value) {
      if (!m) {
        if (spec.min > 0) {
          path_scope p(cx.path, std::string(name) + "[x]");
          cx.add(issue_code::required, "required element missing");
        }
        return;
      }
      std::string key = detail::choice_key(name, *m);
      path_scope p(cx.path, key);
      std::visit([&](const auto& a) { check(a, field_spec{}, cx); }, *m);
    } else {
      path_scope p(cx.path, name);
      if (spec.min > 0 && is_empty(m)) {
        cx.add(issue_code::required, "required element missing");
        return;
      }
      check(m, spec, cx);
    }
  }
};

void check_binding(std::string_view code, const code_set& set, vcontext& cx) {
  if (set.contains(code)) return;
  cx.add(issue_code::code_invalid, "code not in value set " + std::string(set.system),
         set.required ? severity::error : severity::warning);
}

void check_string(const std::string& s, field_spec spec, vcontext& cx) {
  if (s.empty()) return;
  prim kind = spec.kind == prim::none ? prim::string : spec.kind;
  if (!is_valid_utf8(s)) {
    cx.add(issue_code::value, "text is not valid UTF-8");
    return;
  }
  if (!is_valid_primitive(kind, s)) {
    cx.add(issue_code::value, "invalid value for its primitive type");
    return;
  }
  if (spec.binding) check_binding(s, *spec.binding, cx);
}

void check_reference(const std::string& r, vcontext& cx) {
  if (r.empty() || r[0] == '#') return;
  if (r.starts_with("urn:uuid:")) {
    if (!is_uuid(std::string_view(r).substr(9))) cx.add(issue_code::value, "malformed urn:uuid reference");
  } else if (r.starts_with("urn:oid:") || r.starts_with("http://") || r.starts_with("https://")) {
    if (!no_space(r)) cx.add(issue_code::value, "malformed absolute reference");
  } else {
    // Type/id[/_history/vid]
    auto slash = r.find('/');
    std::string_view type = std::string_view(r).substr(0, slash);
    std::string_view rest = slash == std::string::npos ? std::string_view{} : std::string_view(r).substr(slash + 1);
    auto h = rest.find("/_history/");
    std::string_view id = rest.substr(0, h);
    bool ok = slash != std::string::npos && is_resource_type_name(type) && is_id(id) &&
              (h == std::string_view::npos || is_id(rest.substr(h + 10)));
    if (!ok) cx.add(issue_code::value, "reference must be Type/id, urn:uuid:, an absolute URL or #local");
  }
  cx.refs.push_back({cx.path, r});
}

// Type-specific invariants, called after the generic element checks.
template <class T>
void invariants(const T&, vcontext&) {}

void invariants(const Period& p, vcontext& cx) {
  // per-1: start ≤ end; compare only when both are given to the same precision.
  if (!p.start.empty() && p.start.size() == p.end.size() && p.end < p.start)
    cx.add(issue_code::invariant, "period start is after its end");
}
void invariants(const Quantity& q, vcontext& cx) {
  if (!q.code.empty() && q.system.empty()) cx.add(issue_code::invariant, "quantity code without a system (qty-3)");
}
void invariants(const Extension& e, vcontext& cx) {
  if (e.value.has_value() == !e.extension.empty())
    cx.add(issue_code::invariant, "extension must have either a value or sub-extensions (ext-1)");
}
void invariants(const Appointment& a, vcontext& cx) {
  if (a.start.empty() != a.end.empty()) cx.add(issue_code::invariant, "start and end must both be given (app-3)");
  for (std::size_t i = 0; i < a.participant.size(); ++i)
    if (a.participant[i].type.empty() && !a.participant[i].actor) {
      path_scope p(cx.path, "participant");
      path_scope q(cx.path, i);
      cx.add(issue_code::invariant, "participant needs a type or an actor (app-1)");
    }
}
void invariants(const OperationOutcome::Issue&, vcontext&) {}

void bundle_rules(const Bundle& b, vcontext& cx);

template <class T>
void check(const T& v, field_spec spec, vcontext& cx) {
  if constexpr (std::is_same_v<T, std::string>) {
    check_string(v, spec, cx);
  } else if constexpr (detail::is_tagged<T>::value) {
    check_string(v.value, field_spec{0, detail::is_tagged<T>::kind, nullptr}, cx);
  } else if constexpr (std::is_same_v<T, std::int32_t>) {
    if (spec.kind == prim::positive_int && v < 1) cx.add(issue_code::value, "must be a positive integer");
    if (spec.kind == prim::unsigned_int && v < 0) cx.add(issue_code::value, "must not be negative");
  } else if constexpr (std::is_same_v<T, PositiveInt>) {
    check(v.value, field_spec{0, prim::positive_int, nullptr}, cx);
  } else if constexpr (std::is_same_v<T, bool> || std::is_same_v<T, decimal>) {
    // Always valid once they exist (decimal is checked on creation).
  } else if constexpr (detail::is_optional<T>::value) {
    if (v) check(*v, spec, cx);
  } else if constexpr (detail::is_vector<T>::value) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      path_scope p(cx.path, i);
      if (is_empty(v[i]))
        cx.add(issue_code::structure, "empty list item");
      else
        check(v[i], spec, cx);
    }
  } else if constexpr (std::is_same_v<T, any_resource>) {
    if (!v.empty()) std::visit([&](const auto& r) { check(r, field_spec{}, cx); }, v.get());
  } else {
    static_assert(described<T>);
    if constexpr (!resource_type<T>) {
      if (is_empty(v)) {
        cx.add(issue_code::structure, "element has neither a value nor children");
        return;
      }
    }
    if constexpr (std::is_same_v<T, Coding>) {
      if (spec.binding && v.system == spec.binding->system && !v.code.empty()) {
        path_scope p(cx.path, "code");
        check_binding(v.code, *spec.binding, cx);
      }
    } else if constexpr (std::is_same_v<T, CodeableConcept>) {
      if (spec.binding)
        for (std::size_t i = 0; i < v.coding.size(); ++i)
          if (v.coding[i].system == spec.binding->system && !v.coding[i].code.empty()) {
            path_scope p(cx.path, "coding");
            path_scope q(cx.path, i);
            path_scope r(cx.path, "code");
            check_binding(v.coding[i].code, *spec.binding, cx);
          }
    } else if constexpr (std::is_same_v<T, Reference>) {
      if (!v.reference.empty()) {
        path_scope p(cx.path, "reference");
        check_reference(v.reference, cx);
      }
    }
    // A Bundle resolves the references found inside it, and only those.
    std::vector<ref_use> outer;
    if constexpr (std::is_same_v<T, Bundle>) outer = std::exchange(cx.refs, {});
    validate_visitor vis{cx};
    T::fields(v, vis);
    invariants(v, cx);
    if constexpr (std::is_same_v<T, Bundle>) {
      bundle_rules(v, cx);
      cx.refs = std::move(outer);
    }
  }
}

void bundle_rules(const Bundle& b, vcontext& cx) {
  const std::string& t = b.type;
  bool tx = t == "transaction" || t == "batch";
  bool txr = t == "transaction-response" || t == "batch-response";
  if (b.total && t != "searchset" && t != "history") {
    path_scope p(cx.path, "total");
    cx.add(issue_code::invariant, "total only in searchset or history Bundles (bdl-1)");
  }
  std::set<std::string> full_urls;
  std::set<std::string> type_ids;
  for (std::size_t i = 0; i < b.entry.size(); ++i) {
    const auto& e = b.entry[i];
    path_scope p(cx.path, "entry");
    path_scope q(cx.path, i);
    if (e.resource.empty() && !e.request && !e.response)
      cx.add(issue_code::invariant, "entry must have a resource, a request or a response (bdl-5)");
    if (e.search && t != "searchset") cx.add(issue_code::invariant, "entry.search only in searchset (bdl-2)");
    if (e.request && !tx && t != "history")
      cx.add(issue_code::invariant, "entry.request only in batch, transaction or history (bdl-3)");
    if (e.response && !txr && t != "history")
      cx.add(issue_code::invariant, "entry.response only in batch-response, transaction-response or history (bdl-4)");
    if (tx && !e.request) cx.add(issue_code::required, "transaction/batch entry needs a request");
    if (txr && !e.response) cx.add(issue_code::required, "response Bundle entry needs a response");
    if (!e.full_url.empty()) {
      std::string key = e.full_url;
      if (!e.resource.empty()) {
        const auto& r = e.resource.get();
        std::visit(
            [&](const auto& res) {
              if (res.meta && !res.meta->version_id.empty()) {
                key += '|';
                key += res.meta->version_id;
              }
            },
            r);
      }
      if (!full_urls.insert(key).second) {
        path_scope f(cx.path, "fullUrl");
        cx.add(issue_code::duplicate, "fullUrl used by more than one entry (bdl-7)");
      }
      if (e.full_url.starts_with("urn:uuid:") && !is_uuid(std::string_view(e.full_url).substr(9))) {
        path_scope f(cx.path, "fullUrl");
        cx.add(issue_code::value, "malformed urn:uuid fullUrl");
      }
    }
    if (!e.resource.empty() && !e.resource.id().empty()) {
      std::string type_id(e.resource.type_name());
      type_id += '/';
      type_id += e.resource.id();
      type_ids.insert(std::move(type_id));
    }
  }
  // Resolve the references collected in this Bundle's entries.
  for (const auto& r : cx.refs) {
    const std::string& ref = r.reference;
    if (ref.empty() || ref[0] == '#') continue;
    bool found = false;
    for (std::string_view f : full_urls) {
      std::string_view url = f.substr(0, f.find('|'));  // fullUrl without the version suffix
      if (url == ref) found = true;
    }
    if (found) continue;
    if (ref.starts_with("urn:")) {
      cx.issues.push_back({severity::error, issue_code::not_found, r.path,
                           "reference matches no entry fullUrl in the Bundle", hl7_error::none});
    } else if (!ref.starts_with("http")) {
      std::string_view base = ref;
      if (auto h = base.find("/_history/"); h != std::string_view::npos) base = base.substr(0, h);
      bool local = type_ids.count(std::string(base)) > 0;
      for (std::string_view f : full_urls) {
        std::string_view url = f.substr(0, f.find('|'));
        // an absolute fullUrl ending in /Type/id
        if (url.size() > base.size() && url.ends_with(base) && url[url.size() - base.size() - 1] == '/') local = true;
      }
      if (!local && cx.settings.require_local_references)
        cx.issues.push_back({severity::error, issue_code::not_found, r.path,
                             "reference matches no resource in the Bundle", hl7_error::none});
    }
  }
  cx.refs.clear();
}

template <class T>
bool run(const T& r, issue_list& issues, const validate_settings& settings) {
  std::size_t before = issues.size();
  vcontext cx{issues, settings, std::string(T::resource_type), {}};
  check(r, field_spec{}, cx);
  for (std::size_t i = before; i < issues.size(); ++i)
    if (is_error(issues[i])) return false;
  return true;
}

}  // namespace

bool is_valid_primitive(prim kind, std::string_view v) {
  switch (kind) {
    case prim::none:
    case prim::string:
    case prim::markdown: return !v.empty();
    case prim::code: return is_code(v);
    case prim::id: return is_id(v);
    case prim::uri:
    case prim::url:
    case prim::canonical: return !v.empty() && no_space(v);
    case prim::oid: return v.starts_with("urn:oid:") && v.size() > 8;
    case prim::uuid: return v.starts_with("urn:uuid:") && is_uuid(v.substr(9));
    case prim::base64: return is_base64(v);
    case prim::date: return is_fhir_date(v);
    case prim::date_time: return is_fhir_date_time(v);
    case prim::instant: return is_fhir_instant(v);
    case prim::time: return is_fhir_time(v);
    case prim::xhtml:
      return v.starts_with("<div") && v.ends_with("</div>") &&
             v.find("xmlns=\"http://www.w3.org/1999/xhtml\"") != std::string_view::npos;
    case prim::positive_int:
    case prim::unsigned_int: return false;  // numbers are not strings
  }
  return false;
}

template <class T>
requires resource_type<T>
bool validate(const T& resource, issue_list& issues, const validate_settings& settings) {
  return run(resource, issues, settings);
}

bool validate(const any_resource& resource, issue_list& issues, const validate_settings& settings) {
  if (resource.empty()) {
    issues.push_back({severity::error, issue_code::required, "$", "no resource", hl7_error::none});
    return false;
  }
  return std::visit([&](const auto& r) { return run(r, issues, settings); }, resource.get());
}

#define GW_FHIR_INSTANTIATE(T) template bool validate<T>(const T&, issue_list&, const validate_settings&);
GW_FHIR_FOR_EACH_RESOURCE(GW_FHIR_INSTANTIATE)
#undef GW_FHIR_INSTANTIATE

}  // namespace gw::fhir
