#include "adapters/qd130/detail/field_rules.hpp"

#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include "adapters/qd130/codes.hpp"
#include "adapters/qd130/detail/text.hpp"

namespace gw::qd130::detail {

namespace {

constexpr field_rule rules[] = {
#include "adapters/qd130/detail/field_table.inc"
};

struct index {
  std::array<std::unordered_map<std::string_view, const field_rule*>, table_count> by_table;
  std::array<std::pair<std::size_t, std::size_t>, table_count> ranges{};
  index() {
    for (std::size_t i = 0; i < std::size(rules); ++i) {
      const auto t = static_cast<std::size_t>(rules[i].table);
      by_table[t].emplace(rules[i].name, &rules[i]);
      if (ranges[t].second == 0) ranges[t].first = i;
      ranges[t].second = i + 1;
    }
  }
};

const index& the_index() {
  static const index idx;
  return idx;
}

bool in_list(std::string_view list, std::string_view v) {
  for (auto part : split_list(list, ','))
    if (part == v) return true;
  return false;
}

/// The row's values by rule index (one hash lookup per field instead of a scan per rule).
class row_values {
 public:
  row_values(const row& r, std::size_t begin, std::size_t end) : table_(r.table), begin_(begin) {
    values_.resize(end - begin);
    for (const auto& f : r.fields)
      if (const field_rule* rule = find_rule(r.table, f.name)) values_[index_of(rule)] = f.value;
  }
  std::string_view at(std::size_t rule_index) const { return values_[rule_index - begin_]; }
  std::string_view get(std::string_view name) const {
    const field_rule* rule = find_rule(table_, name);
    return rule == nullptr ? std::string_view{} : values_[index_of(rule)];
  }

 private:
  std::size_t index_of(const field_rule* rule) const { return static_cast<std::size_t>(rule - rules) - begin_; }
  table_id table_;
  std::size_t begin_;
  std::vector<std::string_view> values_;
};

bool applies(const field_rule& f, const row_values& r, schema_version version) {
  if (version == schema_version::qd4210) return f.required_4210;
  if ((f.versions & 1u) == 0) return false;
  switch (f.requirement) {
    case req::none: return false;
    case req::always: return true;
    case req::when_present: return !r.get(f.cond_field).empty();
    case req::when_absent:
      for (auto part : split_list(f.cond_field, ','))
        if (!r.get(part).empty()) return false;
      return true;
    case req::when_in: return in_list(f.cond_values, r.get(f.cond_field));
    case req::unless_in: return !in_list(f.cond_values, r.get(f.cond_field));
  }
  return false;
}

fhir::issue make(fhir::severity s, fhir::issue_code c, std::string loc, std::string msg,
                 fhir::hl7_error h = fhir::hl7_error::none) {
  return fhir::issue{s, c, std::move(loc), std::move(msg), h};
}

}  // namespace

const field_rule* find_rule(table_id t, std::string_view name) {
  const auto& m = the_index().by_table[static_cast<std::size_t>(t)];
  const auto it = m.find(name);
  return it == m.end() ? nullptr : it->second;
}

void check_row(const row& r, schema_version version, int episode_date, fhir::issue_list& out) {
  const auto [b, e] = the_index().ranges[static_cast<std::size_t>(r.table)];
  const row_values values(r, b, e);
  for (std::size_t i = b; i < e; ++i) {
    const field_rule& f = rules[i];
    const std::string_view v = values.at(i);
    if (v.empty()) {
      if (!applies(f, values, version)) continue;
      auto sev = fhir::severity::error;
      if (version != schema_version::qd4210) {
        if (f.relaxation == relax::until) {
          const int until = date_key(f.relax_arg);
          if (episode_date == 0 || episode_date >= until) continue;
        } else if (f.relaxation == relax::warn_if) {
          const auto eq = f.relax_arg.find('=');
          if (in_list(f.relax_arg.substr(eq + 1), values.get(f.relax_arg.substr(0, eq)))) sev = fhir::severity::warning;
        }
      }
      out.push_back(make(sev, fhir::issue_code::required, r.location(f.name), std::string(f.name) + " missing",
                         fhir::hl7_error::required_field_missing));
      continue;
    }
    if (version == schema_version::qd4210) continue;  // lengths and types below are 130's
    if (f.max_length > 0 && utf8_length(v) > static_cast<std::size_t>(f.max_length)) {
      out.push_back(make(fhir::severity::warning, fhir::issue_code::too_long, r.location(f.name),
                         std::string(f.name) + " longer than " + std::to_string(f.max_length) + " characters"));
    }
    if (f.numeric && !is_decimal(v)) {
      out.push_back(make(fhir::severity::warning, fhir::issue_code::value, r.location(f.name),
                         std::string(f.name) + " is not a number", fhir::hl7_error::data_type_error));
    }
  }
}

}  // namespace gw::qd130::detail
