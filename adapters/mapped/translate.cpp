#include "adapters/mapped/translate.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "adapters/mapped/fhir_path.hpp"
#include "fhir/bundle.hpp"
#include "fhir/ids.hpp"
#include "fhir/text.hpp"

namespace gw::mapped {

using fhir::issue;
using fhir::issue_code;
using fhir::severity;

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

/// `/a/3/b` → `/a/*/b` for the tokens that index arrays (known from the mapping's `each`).
std::string star_indices(std::string_view pointer) {
  std::string out;
  std::size_t i = 0;
  while (i < pointer.size()) {
    auto next = pointer.find('/', i + 1);
    auto tok = pointer.substr(i + 1, next == std::string_view::npos ? std::string_view::npos : next - i - 1);
    const bool number =
        !tok.empty() && std::all_of(tok.begin(), tok.end(), [](char c) { return c >= '0' && c <= '9'; });
    out += "/";
    out += number ? std::string_view("*") : tok;
    if (next == std::string_view::npos) break;
    i = next;
  }
  return out;
}

/// The date transform: pattern letters y M d H m s, anything else literal, → QĐ 130 digits
/// (`yyyymmdd[HHMM[SS]]`) → FHIR through fhir::from_qd130 (calendar checks, default offset).
std::optional<fhir::fhir_time> parse_date(std::string_view value, std::string_view pattern,
                                          const fhir::time_settings& t, const std::string& location,
                                          fhir::issue_list& issues) {
  std::string y, mo, d, h, mi, sec;
  std::size_t vi = 0;
  bool ok = true;
  for (std::size_t pi = 0; pi < pattern.size() && ok;) {
    char p = pattern[pi];
    std::size_t run = 1;
    while (pi + run < pattern.size() && pattern[pi + run] == p) ++run;
    std::string* slot = p == 'y'   ? &y
                        : p == 'M' ? &mo
                        : p == 'd' ? &d
                        : p == 'H' ? &h
                        : p == 'm' ? &mi
                        : p == 's' ? &sec
                                   : nullptr;
    if (slot) {
      for (std::size_t k = 0; k < run; ++k, ++vi) {
        if (vi >= value.size() || !std::isdigit(static_cast<unsigned char>(value[vi]))) {
          ok = false;
          break;
        }
        *slot += value[vi];
      }
    } else {
      for (std::size_t k = 0; k < run; ++k, ++vi)
        if (vi >= value.size() || value[vi] != p) {
          ok = false;
          break;
        }
    }
    pi += run;
  }
  if (!ok || vi != value.size() || y.size() != 4) {
    issues.push_back(issue{severity::error, issue_code::value, location,
                           "date does not match the pattern '" + std::string(pattern) + "'",
                           fhir::hl7_error::data_type_error});
    return std::nullopt;
  }
  auto two = [](const std::string& s) { return s.empty() ? std::string("00") : s.size() == 1 ? "0" + s : s; };
  std::string digits = y + two(mo) + two(d);
  if (!h.empty()) digits += two(h) + two(mi);
  if (!sec.empty()) digits += two(sec);
  fhir::time_settings ts = t;
  ts.zero_time_is_unknown = false;
  return fhir::from_qd130(digits, issues, location, ts);
}

/// True when `value` has the shape of date `pattern` (digits where the pattern has letters).
bool fits(std::string_view value, std::string_view pattern) {
  if (value.size() != pattern.size()) return false;
  for (std::size_t i = 0; i < value.size(); ++i) {
    const bool letter = std::string_view("yMdHms").find(pattern[i]) != std::string_view::npos;
    if (letter ? !std::isdigit(static_cast<unsigned char>(value[i])) : value[i] != pattern[i]) return false;
  }
  return true;
}

/// The patient/encounter reference elements a resource type has (first that exists).
std::string first_element(std::string_view type, std::initializer_list<std::string_view> names) {
  for (auto n : names)
    if (check_path(type, std::string(n) + ".reference").empty()) return std::string(n) + ".reference";
  return {};
}

class engine {
 public:
  engine(const source_document& doc, const settings& s, const context& ctx, translation& out)
      : doc_(doc), s_(s), m_(*s.map), ctx_(ctx), out_(out) {
    for (const auto& r : m_.resources) {
      order_.push_back(&r);
      for (const auto& f : r.fields) {
        field_report fr;
        fr.where = f.where;
        for (const auto& src : f.sources) fr.source += (fr.source.empty() ? "" : " + ") + (r.each + src);
        if (f.sources.empty()) fr.source = "value: " + f.constant;
        fr.target = r.type + "." + target_name(f);
        fr.required = f.required;
        out_.report.fields.push_back(std::move(fr));
        for (const auto& src : f.sources) {
          known_.insert(star_indices(r.each) + "/*" + star_indices(src));
          known_.insert(star_indices(r.each) + star_indices(src));
        }
      }
    }
    // Patient first, then Encounter, then the rest in mapping order (ids flow in that order).
    auto rank = [](const resource_rule* r) { return r->type == "Patient" ? 0 : r->type == "Encounter" ? 1 : 2; };
    std::stable_sort(order_.begin(), order_.end(), [&](auto* a, auto* b) { return rank(a) < rank(b); });
    for (const auto& i : m_.ignored) ignored_.push_back(i);
  }

  void run() {
    out_.bundle.type = "transaction";
    if (!ctx_.facility.empty()) organization();
    for (const auto& rec : doc_.records) {
      ++out_.report.records;
      record(rec);
    }
    unmapped();
  }

 private:
  static std::string target_name(const field_rule& f) {
    switch (f.id) {
      case identity::none: return f.target;
      case identity::cccd: return "id (cccd)";
      case identity::record_number: return "id (record_number)";
      case identity::insurance: return "identifier (insurance)";
      case identity::episode: return "id (episode)";
      case identity::key: return "id (key)";
    }
    return f.target;
  }

  void organization() {
    fhir::Organization o;
    o.id = fhir::organization_id(ctx_.facility);
    o.identifier.push_back(fhir::Identifier{.system = s_.systems.facility, .value = ctx_.facility});
    o.name = s_.facility_name;
    o.active = true;
    org_id_ = o.id;
    add_resource(std::move(o));
  }

  void add_resource(fhir::any_resource r) {
    ++out_.report.resources[std::string(r.type_name())];
    out_.bundle.entry.push_back(fhir::put_entry(std::move(r)));
  }

  struct element {
    const rapidjson::Value* value;
    std::string pointer;
    std::size_t index;
  };

  /// The value of one rule at one element: sources read, concatenated, NFC, transformed.
  std::optional<std::string> value_of(const field_rule& f, const element& e, field_report& fr, std::string& where) {
    std::string joined;
    bool any = false;
    where = e.pointer;
    for (const auto& src : f.sources) {
      auto found = follow(*e.value, src);
      const auto last = src.rfind('/');
      const std::string parent_ptr = e.pointer + src.substr(0, last);
      const std::string key = src.substr(last + 1);
      where = found.parent ? doc_.locate(found.parent, parent_ptr, key) : e.pointer + src;
      if (!found.problem.empty()) {
        out_.issues.push_back(issue{severity::error, issue_code::structure, e.pointer + src, found.problem});
        continue;
      }
      if (!found.value || found.value->IsNull()) continue;
      auto text = scalar_text(*found.value);
      if (!text) {
        out_.issues.push_back(
            issue{severity::error, issue_code::structure, where,
                  std::string("expected a text value, found ") + (found.value->IsArray() ? "an array" : "an object")});
        continue;
      }
      if (text->size() > s_.limits.max_field_bytes) {
        out_.issues.push_back(issue{severity::error, issue_code::too_long, where,
                                    "value of " + std::to_string(text->size()) + " bytes exceeds the limit of " +
                                        std::to_string(s_.limits.max_field_bytes)});
        continue;
      }
      auto nfc = fhir::to_nfc(*text);
      if (!nfc) {
        out_.issues.push_back(issue{severity::error, issue_code::value, where, "not valid UTF-8"});
        continue;
      }
      auto t = trim(*nfc);
      if (t.empty()) continue;
      if (any) joined += f.separator;
      joined += t;
      any = true;
    }
    if (f.sources.empty()) {
      joined = f.constant;
      any = !joined.empty();
    }
    std::optional<std::string> v;
    if (any) v = std::move(joined);
    for (const auto& t : f.transforms) {
      if (t.kind == transform::op::default_value) {
        if (!v) v = t.text;
        continue;
      }
      if (!v) continue;
      switch (t.kind) {
        case transform::op::trim: v = std::string(trim(*v)); break;
        case transform::op::upper:
          for (auto& c : *v) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          break;
        case transform::op::lower:
          for (auto& c : *v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
          break;
        case transform::op::date: {
          // Alternatives separated by '|' ("dd/MM/yyyy|yyyy"): the first that fits the value.
          std::string_view patterns = t.text, pick = patterns;
          while (!patterns.empty()) {
            auto bar = patterns.find('|');
            auto p = patterns.substr(0, bar);
            if (fits(*v, p)) {
              pick = p;
              break;
            }
            patterns = bar == std::string_view::npos ? std::string_view() : patterns.substr(bar + 1);
          }
          auto d = parse_date(*v, pick, s_.time, where, out_.issues);
          if (d)
            v = d->value;
          else
            v.reset();
          break;
        }
        case transform::op::code_map: {
          auto it = t.codes.find(*v);
          if (it == t.codes.end()) {
            out_.issues.push_back(issue{severity::warning, issue_code::code_invalid, where,
                                        (v->size() <= 10 ? "code '" + *v + "'" : std::string("the code")) +
                                            " is not in code map '" + t.map_name + "'; not mapped",
                                        fhir::hl7_error::table_value_not_found});
            v.reset();
          } else {
            v = it->second;
          }
          break;
        }
        case transform::op::split: {
          std::vector<std::string_view> parts;
          std::string_view rest = *v;
          while (true) {
            auto at = t.text.empty() ? std::string_view::npos : rest.find(t.text);
            auto part = trim(rest.substr(0, at));
            if (!part.empty()) parts.push_back(part);
            if (at == std::string_view::npos) break;
            rest.remove_prefix(at + t.text.size());
          }
          std::string picked;
          if (t.index == -2) {
            for (std::size_t k = 1; k < parts.size(); ++k) picked += (k > 1 ? t.text : "") + std::string(parts[k]);
          } else if (t.index == -1) {
            if (!parts.empty()) picked = parts.back();
          } else if (static_cast<std::size_t>(t.index) < parts.size()) {
            picked = parts[static_cast<std::size_t>(t.index)];
          }
          if (picked.empty())
            v.reset();
          else
            v = std::move(picked);
          break;
        }
        case transform::op::default_value: break;
      }
    }
    if (v && v->empty()) v.reset();
    if (v)
      ++fr.values;
    else
      ++fr.missing;
    return v;
  }

  void record(const source_document::record& rec) {
    patient_id_.clear();
    encounter_id_.clear();
    std::size_t field_base = 0;
    std::map<const resource_rule*, std::size_t> base_of;
    for (const auto& r : m_.resources) {
      base_of[&r] = field_base;
      field_base += r.fields.size();
    }
    for (const auto* rule : order_) {
      std::vector<element> elements;
      if (rule->each.empty()) {
        elements.push_back({rec.value, rec.pointer, 0});
      } else {
        auto found = follow(*rec.value, rule->each);
        if (!found.problem.empty()) {
          out_.issues.push_back(issue{severity::error, issue_code::structure, rec.pointer + rule->each, found.problem});
          continue;
        }
        if (!found.value || found.value->IsNull()) continue;
        if (found.value->IsArray()) {
          rapidjson::SizeType n = 0;
          for (const auto& x : found.value->GetArray()) {
            std::string at = rec.pointer + rule->each + "/" + std::to_string(n);
            if (!x.IsObject())
              out_.issues.push_back(
                  issue{severity::error, issue_code::structure, at,
                        "expected an object, found " + std::string(x.IsArray() ? "an array" : "a scalar")});
            else
              elements.push_back({&x, at, n});
            ++n;
          }
        } else if (found.value->IsObject()) {
          elements.push_back({found.value, rec.pointer + rule->each, 0});
        } else {
          out_.issues.push_back(issue{severity::error, issue_code::structure, rec.pointer + rule->each,
                                      "expected an array or an object, found a scalar"});
        }
      }
      for (const auto& e : elements) {
        if (!one(*rule, e, base_of[rule], rec) && rule->type == "Patient") return;  // no patient: nothing more
      }
    }
  }

  /// One resource from one element; false when it could not be made.
  /// For each constant field of `rule`: the sourced fields under the same parent element (a
  /// constant `valueQuantity.unit` belongs with `valueQuantity.value`). Empty: always written.
  const std::vector<std::vector<std::size_t>>& siblings_of(const resource_rule& rule) {
    auto [it, fresh] = siblings_.try_emplace(&rule);
    if (!fresh) return it->second;
    auto& out = it->second;
    out.resize(rule.fields.size());
    for (std::size_t k = 0; k < rule.fields.size(); ++k) {
      const auto& c = rule.fields[k];
      auto dot = c.target.rfind('.');
      if (!c.sources.empty() || dot == std::string::npos) continue;
      const std::string parent = c.target.substr(0, dot + 1);
      for (std::size_t j = 0; j < rule.fields.size(); ++j)
        if (!rule.fields[j].sources.empty() && rule.fields[j].target.compare(0, parent.size(), parent) == 0)
          out[k].push_back(j);
    }
    return out;
  }

  bool one(const resource_rule& rule, const element& e, std::size_t field_base, const source_document::record& rec) {
    if (!rule.when.empty()) {
      auto w = follow(*e.value, rule.when);
      auto text = w.value ? scalar_text(*w.value) : std::nullopt;
      if (!text || trim(*text).empty()) return rule.type != "Patient";
    }
    auto res = make_resource(rule.type);
    bool sourced = false;
    std::string cccd, record_number, episode, key;
    std::vector<std::string> cards;
    bool failed = false;
    const auto& siblings = siblings_of(rule);
    std::vector<std::optional<std::string>> values(rule.fields.size());
    std::vector<std::string> wheres(rule.fields.size());
    for (std::size_t k = 0; k < rule.fields.size(); ++k)
      values[k] = value_of(rule.fields[k], e, out_.report.fields[field_base + k], wheres[k]);
    for (std::size_t k = 0; k < rule.fields.size(); ++k) {
      const auto& f = rule.fields[k];
      const std::string& where = wheres[k];
      auto& v = values[k];
      if (v && !siblings[k].empty() &&
          std::none_of(siblings[k].begin(), siblings[k].end(), [&](std::size_t j) { return values[j].has_value(); }))
        continue;  // a constant whose element got no value from the source
      if (!v) {
        if (f.required) {
          ++out_.report.required_missing;
          out_.issues.push_back(issue{severity::error, issue_code::required, where,
                                      rule.type + "." + target_name(f) + " is required and has no value",
                                      fhir::hl7_error::required_field_missing});
          failed = true;
        }
        continue;
      }
      if (!f.sources.empty()) sourced = true;
      switch (f.id) {
        case identity::cccd: cccd = *v; continue;
        case identity::record_number: record_number = *v; continue;
        case identity::insurance: cards.push_back(*v); continue;
        case identity::episode: episode = *v; continue;
        case identity::key: key += (key.empty() ? "" : "|") + *v; continue;
        case identity::none: break;
      }
      if (auto err = set_path(res, f.target, *v); !err.empty())
        out_.issues.push_back(
            issue{severity::error, issue_code::value, where, rule.type + "." + f.target + ": " + err});
    }
    const std::string location = e.pointer.empty() ? rec.pointer : e.pointer;
    if (!sourced && !failed && rule.type == "Patient")
      out_.issues.push_back(issue{severity::error, issue_code::required, location,
                                  "no patient field has a value; record not mapped",
                                  fhir::hl7_error::required_field_missing});
    if (!sourced || failed) return !failed && rule.type != "Patient";
    std::string id;
    if (rule.type == "Patient") {
      const auto kind = fhir::classify_personal_id(cccd);
      if (kind == fhir::id_kind::cccd)
        id = fhir::patient_id_from_cccd(cccd);
      else if (!record_number.empty() && !ctx_.facility.empty())
        id = fhir::facility_patient_id(ctx_.facility, record_number);
      if (id.empty()) {
        out_.issues.push_back(issue{severity::error, issue_code::required, location,
                                    "neither a CCCD nor a record number identifies the patient; record not mapped",
                                    fhir::hl7_error::required_field_missing});
        return false;
      }
      auto* p = res.get_if<fhir::Patient>();
      auto typed = [&](std::string_view code, std::string system, const std::string& value, std::string use) {
        fhir::Identifier i;
        i.use = std::move(use);
        i.type = fhir::CodeableConcept{
            .coding = {fhir::Coding{.system = std::string(fhir::v2_0203), .code = std::string(code)}}};
        i.system = std::move(system);
        i.value = value;
        p->identifier.push_back(std::move(i));
      };
      if (kind == fhir::id_kind::cccd) typed("NI", s_.systems.national_id, cccd, "official");
      if (kind == fhir::id_kind::cmnd) typed("NI", s_.systems.citizen_id, cccd, "official");
      if (kind == fhir::id_kind::passport) typed("PPN", s_.systems.passport, cccd, "official");
      if (kind == fhir::id_kind::unknown && !cccd.empty())
        out_.issues.push_back(issue{severity::warning, issue_code::value, location,
                                    "personal id not mapped: not a CCCD, CMND or passport number"});
      for (const auto& c : cards) typed("SB", s_.systems.insurance, c, "official");
      if (!record_number.empty() && !ctx_.facility.empty())
        typed("PI", fhir::facility_record_system(s_.systems, ctx_.facility), record_number, "secondary");
      patient_id_ = id;
    } else if (rule.type == "Encounter") {
      if (episode.empty() || ctx_.facility.empty()) {
        out_.issues.push_back(issue{severity::error, issue_code::required, location,
                                    "no episode key identifies the visit; Encounter not mapped",
                                    fhir::hl7_error::required_field_missing});
        return false;
      }
      id = fhir::encounter_id(ctx_.facility, episode);
      auto* enc = res.get_if<fhir::Encounter>();
      enc->identifier.push_back(fhir::Identifier{
          .use = "official", .system = fhir::episode_system(s_.systems, ctx_.facility), .value = episode});
      if (!org_id_.empty()) enc->service_provider = fhir::Reference{.reference = "Organization/" + org_id_};
      encounter_id_ = id;
    } else {
      const std::string& owner = encounter_id_.empty() ? patient_id_ : encounter_id_;
      if (rule.type == "Condition" && !key.empty())
        id = fhir::condition_id(owner, key, rule.role.empty() ? "secondary" : rule.role);
      else if (!key.empty())
        id = fhir::stable_id(rule.type, owner, key);
      else
        id = fhir::stable_id(rule.type, owner, rule.each, constants_of(rule), std::to_string(e.index));
    }
    std::visit([&](auto& r) { r.id = id; }, res.get());
    if (rule.type != "Patient" && !patient_id_.empty()) {
      auto p = first_element(rule.type, {"subject", "patient", "beneficiary"});
      if (!p.empty()) set_path(res, p, "Patient/" + patient_id_);
    }
    if (rule.type != "Encounter" && !encounter_id_.empty()) {
      auto p = first_element(rule.type, {"encounter", "context"});
      if (!p.empty()) set_path(res, p, "Encounter/" + encounter_id_);
    }
    add_resource(std::move(res));
    return true;
  }

  /// What tells two rules of one type apart without a key: their constants (e.g. a LOINC code).
  static std::string constants_of(const resource_rule& r) {
    std::string out;
    for (const auto& f : r.fields)
      if (f.sources.empty()) out += f.constant + "|";
    return out;
  }

  bool is_ignored(const std::string& pattern) const {
    for (const auto& i : ignored_)
      if (pattern == i ||
          (pattern.size() > i.size() && pattern.compare(0, i.size(), i) == 0 && pattern[i.size()] == '/'))
        return true;
    return false;
  }

  void leaves(const rapidjson::Value& v, const rapidjson::Value* parent, const std::string& record_ptr, std::string rel,
              std::string pat, std::size_t depth) {
    if (depth > s_.limits.max_depth) return;
    if (v.IsObject()) {
      for (const auto& m : v.GetObject()) {
        std::string name(m.name.GetString(), m.name.GetStringLength());
        std::string esc;
        for (char c : name) esc += c == '~' ? std::string("~0") : c == '/' ? std::string("~1") : std::string(1, c);
        leaves(m.value, &v, record_ptr, rel + "/" + esc, pat + "/" + esc, depth + 1);
      }
    } else if (v.IsArray()) {
      rapidjson::SizeType n = 0;
      for (const auto& x : v.GetArray())
        leaves(x, parent, record_ptr, rel + "/" + std::to_string(n++), pat + "/*", depth + 1);
    } else if (!v.IsNull()) {
      if (known_.count(pat) || is_ignored(pat)) return;
      auto& u = out_.report.unmapped[pat];
      if (u.count++ == 0) {
        auto last = rel.rfind('/');
        u.example =
            parent ? doc_.locate(parent, record_ptr + rel.substr(0, last), rel.substr(last + 1)) : record_ptr + rel;
      }
    }
  }

  void unmapped() {
    for (const auto& rec : doc_.records) leaves(*rec.value, nullptr, rec.pointer, "", "", 0);
    if (!s_.unknown_fields_are_issues) return;
    for (const auto& [pat, u] : out_.report.unmapped)
      out_.issues.push_back(issue{severity::warning, issue_code::not_supported, u.example,
                                  "unknown field " + pat + " (" + std::to_string(u.count) + "×): not mapped"});
  }

  const source_document& doc_;
  const settings& s_;
  const mapping& m_;
  const context& ctx_;
  translation& out_;
  std::vector<const resource_rule*> order_;
  std::map<const resource_rule*, std::vector<std::vector<std::size_t>>> siblings_;
  std::set<std::string> known_;
  std::vector<std::string> ignored_;
  std::string org_id_, patient_id_, encounter_id_;
};

}  // namespace

translation translate(const source_document& doc, const settings& s, const context& ctx) {
  translation out;
  if (!s.map) return out;
  engine(doc, s, ctx, out).run();
  return out;
}

translation translate(std::string_view bytes, const settings& s, const context& ctx) {
  translation out;
  if (!s.map) return out;
  fhir::issue_list load_issues;
  source_document doc = s.map->format == source_format::json
                            ? load_json(bytes, s.map->encoding, s.map->json, s.limits, load_issues)
                            : load_delimited(bytes, s.map->encoding, s.map->delimited, s.limits, load_issues);
  out = translate(doc, s, ctx);
  out.issues.insert(out.issues.begin(), load_issues.begin(), load_issues.end());
  return out;
}

}  // namespace gw::mapped
