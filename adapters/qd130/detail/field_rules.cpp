#include "adapters/qd130/detail/field_rules.hpp"

#include <array>
#include <string>
#include <vector>

#include "adapters/qd130/codes.hpp"
#include "adapters/qd130/detail/text.hpp"

namespace gw::qd130::detail {

namespace {

constexpr field_rule rules[] = {
#include "adapters/qd130/detail/field_table.inc"
};

// Name lookup: open addressing over (table, name) with a cheap hash of the length and a few
// bytes (rule names are short ASCII), checked by a full comparison. Built once.
constexpr std::size_t slot_count = 2048;  // > 3 x the number of rules

inline std::size_t slot_hash(std::size_t table, std::string_view name) {
  const std::size_t n = name.size();
  std::size_t h = table * 0x9E37u + n * 0x2F1u;
  if (n != 0) {
    h ^= static_cast<unsigned char>(name[0]) * 0x1F3u;
    h ^= static_cast<unsigned char>(name[n - 1]) * 0x8CB9u;
    h ^= static_cast<unsigned char>(name[n / 2]) * 0x3D5u;
    h ^= static_cast<unsigned char>(name[(n * 3) / 4]) * 0x61u;
  }
  h ^= h >> 11;
  return h & (slot_count - 1);
}

struct index {
  std::array<std::uint16_t, slot_count> slots{};  // rule index + 1; 0 = empty
  std::array<std::pair<std::size_t, std::size_t>, table_count> ranges{};
  index() {
    static_assert(std::size(rules) < slot_count / 3 && std::size(rules) < field::no_rule);
    for (std::size_t i = 0; i < std::size(rules); ++i) {
      const auto t = static_cast<std::size_t>(rules[i].table);
      if (find(t, rules[i].name) == nullptr) {
        std::size_t s = slot_hash(t, rules[i].name);
        while (slots[s] != 0) s = (s + 1) & (slot_count - 1);
        slots[s] = static_cast<std::uint16_t>(i + 1);
      }
      if (ranges[t].second == 0) ranges[t].first = i;
      ranges[t].second = i + 1;
    }
  }
  const field_rule* find(std::size_t t, std::string_view name) const {
    for (std::size_t s = slot_hash(t, name);; s = (s + 1) & (slot_count - 1)) {
      const std::uint16_t v = slots[s];
      if (v == 0) return nullptr;
      const field_rule& r = rules[v - 1];
      if (static_cast<std::size_t>(r.table) == t && r.name == name) return &r;
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
      if (const field_rule* rule = rule_of(r.table, f)) values_[index_of(rule)] = f.value;
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
  return the_index().find(static_cast<std::size_t>(t), name);
}

std::pair<std::size_t, std::size_t> rule_range(table_id t) {
  return the_index().ranges[static_cast<std::size_t>(t)];
}

std::size_t rule_count() {
  return std::size(rules);
}

const field_rule& rule_at(std::size_t index) {
  return rules[index];
}

std::uint16_t rule_index(const field_rule& rule) {
  return static_cast<std::uint16_t>(&rule - rules);
}

const field_rule* rule_of(table_id t, const field& f) {
  // The decoder sets `rule` from the name; a quick plausibility check stands in for comparing
  // the whole name again.
  if (f.rule < std::size(rules)) {
    const field_rule& r = rules[f.rule];
    if (r.table == static_cast<int>(t) && r.name.size() == f.name.size() && !f.name.empty() &&
        r.name.front() == f.name.front() && r.name.back() == f.name.back())
      return &r;
  }
  return find_rule(t, f.name);
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
