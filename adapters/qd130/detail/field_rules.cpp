#include "adapters/qd130/detail/field_rules.hpp"

#include <array>
#include <iterator>
#include <string>
#include <vector>

#include "adapters/qd130/codes.hpp"
#include "adapters/qd130/detail/text.hpp"

namespace gw::qd130::detail {

// Declared extern in the header, so the constexpr definition keeps external linkage.
constexpr field_rule rule_table[] = {
#include "adapters/qd130/detail/field_table.inc"
};
const std::size_t rule_table_size = std::size(rule_table);

namespace {

constexpr const field_rule* rules = rule_table;
constexpr std::size_t rules_size = std::size(rule_table);

/// The most rules any one table has: check_row keeps a row's values in a fixed array of this size.
constexpr std::size_t max_table_rules = [] {
  std::size_t best = 0;
  std::size_t run = 0;
  for (std::size_t i = 0; i < rules_size; ++i) {
    run = i > 0 && rules[i].table == rules[i - 1].table ? run + 1 : 1;
    best = run > best ? run : best;
  }
  return best;
}();
/// No table has two rules of one name: the decoder may then take any rule whose name matches
/// (the next one in table order, say) as the one find_rule would give.
constexpr bool names_unique_per_table() {
  for (std::size_t i = 0; i < rules_size; ++i)
    for (std::size_t j = i + 1; j < rules_size && rules[j].table == rules[i].table; ++j)
      if (rules[j].name == rules[i].name) return false;
  return true;
}
static_assert(names_unique_per_table(), "a table has two rules of the same name");

constexpr std::size_t mask_words = (max_table_rules + 63) / 64;
static_assert(mask_words == 2, "check_row's masks are two words");

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
  /// Per table, bit (rule index − table's first): rules whose requirement can apply to a row
  /// without the field, under QĐ 130 and under QĐ 4210 (see `applies`); the others never report
  /// a missing field, so check_row skips them.
  std::array<std::array<std::uint64_t, mask_words>, table_count> may_require_130{};
  std::array<std::array<std::uint64_t, mask_words>, table_count> may_require_4210{};
  index() {
    static_assert(rules_size < slot_count / 3 && rules_size < field::no_rule);
    for (std::size_t i = 0; i < rules_size; ++i) {
      const auto t = static_cast<std::size_t>(rules[i].table);
      if (find(t, rules[i].name) == nullptr) {
        std::size_t s = slot_hash(t, rules[i].name);
        while (slots[s] != 0) s = (s + 1) & (slot_count - 1);
        slots[s] = static_cast<std::uint16_t>(i + 1);
      }
      if (ranges[t].second == 0) ranges[t].first = i;
      ranges[t].second = i + 1;
    }
    for (std::size_t t = 0; t < table_count; ++t)
      for (std::size_t i = ranges[t].first; i < ranges[t].second; ++i) {
        const std::size_t bit = i - ranges[t].first;
        const std::uint64_t m = std::uint64_t{1} << (bit % 64);
        if ((rules[i].versions & 1u) != 0 && rules[i].requirement != req::none) may_require_130[t][bit / 64] |= m;
        if (rules[i].required_4210) may_require_4210[t][bit / 64] |= m;
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

/// Calls `f` with each trimmed part of a `sep`-separated list (split_list without the vector);
/// stops early when `f` returns true, and returns whether it did.
template <class F>
bool any_part(std::string_view list, char sep, F&& f) {
  list = trim(list);
  if (list.empty()) return false;
  while (true) {
    const auto p = list.find(sep);
    if (f(trim(list.substr(0, p)))) return true;
    if (p == std::string_view::npos) return false;
    list.remove_prefix(p + 1);
  }
}

bool in_list(std::string_view list, std::string_view v) {
  return any_part(list, ',', [v](std::string_view part) { return part == v; });
}

/// The row's values by rule index (one lookup per field instead of a scan per rule), in a fixed
/// array: a bit per rule says whether its value is set and non-empty (the other entries are
/// never read).
class row_values {
 public:
  row_values(const row& r, std::size_t begin) : table_(r.table), begin_(begin) {
    for (const auto& f : r.fields)
      if (const field_rule* rule = rule_of(r, f)) {
        // As before: a later field with the same rule replaces an earlier one.
        const std::size_t i = index_of(rule);
        const std::uint64_t m = std::uint64_t{1} << (i % 64);
        values_[i] = text{f.value.data(), f.value.size()};
        present_[i / 64] = f.value.empty() ? present_[i / 64] & ~m : present_[i / 64] | m;
      }
  }
  /// The value of the rule at `offset` from the table's first rule; "" when absent.
  std::string_view at_offset(std::size_t offset) const {
    return (present_[offset / 64] >> (offset % 64) & 1u) != 0
               ? std::string_view(values_[offset].data, values_[offset].size)
               : std::string_view{};
  }
  std::string_view get(std::string_view name) const {
    const field_rule* rule = find_rule(table_, name);
    return rule == nullptr ? std::string_view{} : at_offset(index_of(rule));
  }
  const std::array<std::uint64_t, mask_words>& present() const { return present_; }

 private:
  std::size_t index_of(const field_rule* rule) const { return static_cast<std::size_t>(rule - rules) - begin_; }
  table_id table_;
  std::size_t begin_;
  std::array<std::uint64_t, mask_words> present_{};
  // Plain pointer and size: a std::string_view array would be zeroed for every row.
  struct text {
    const char* data;
    std::size_t size;
  };
  std::array<text, max_table_rules> values_;
};

bool applies(const field_rule& f, const row_values& r, schema_version version) {
  if (version == schema_version::qd4210) return f.required_4210;
  if ((f.versions & 1u) == 0) return false;
  switch (f.requirement) {
    case req::none: return false;
    case req::always: return true;
    case req::when_present: return !r.get(f.cond_field).empty();
    case req::when_absent:
      return !any_part(f.cond_field, ',', [&r](std::string_view part) { return !r.get(part).empty(); });
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

void check_row(const row& r, schema_version version, int episode_date, fhir::issue_list& out) {
  const index& idx = the_index();
  const auto t = static_cast<std::size_t>(r.table);
  const std::size_t b = idx.ranges[t].first;
  const row_values values(r, b);
  // Only rules with a value (lengths, numbers; QĐ 130 only) or that may require a missing one
  // can report anything; visit those in rule order, as a loop over every rule would.
  const bool v4210 = version == schema_version::qd4210;
  const auto& may = v4210 ? idx.may_require_4210[t] : idx.may_require_130[t];
  for (std::size_t w = 0; w < mask_words; ++w) {
    const std::uint64_t present = values.present()[w];
    std::uint64_t todo = v4210 ? may[w] & ~present : may[w] | present;
    for (; todo != 0; todo &= todo - 1) {
      const std::size_t offset = w * 64 + static_cast<std::size_t>(__builtin_ctzll(todo));
      const field_rule& f = rules[b + offset];
      const std::string_view v = values.at_offset(offset);
      if (v.empty()) {
        if (!applies(f, values, version)) continue;
        auto sev = fhir::severity::error;
        if (!v4210) {
          if (f.relaxation == relax::until) {
            const int until = date_key(f.relax_arg);
            if (episode_date == 0 || episode_date >= until) continue;
          } else if (f.relaxation == relax::warn_if) {
            const auto eq = f.relax_arg.find('=');
            if (in_list(f.relax_arg.substr(eq + 1), values.get(f.relax_arg.substr(0, eq))))
              sev = fhir::severity::warning;
          }
        }
        out.push_back(make(sev, fhir::issue_code::required, r.location(f.name), std::string(f.name) + " missing",
                           fhir::hl7_error::required_field_missing));
        continue;
      }
      if (v4210) continue;  // lengths and types below are 130's
      // A value has at most as many code points as bytes: count them only when the bytes exceed.
      if (f.max_length > 0 && v.size() > static_cast<std::size_t>(f.max_length) &&
          utf8_length(v) > static_cast<std::size_t>(f.max_length)) {
        out.push_back(make(fhir::severity::warning, fhir::issue_code::too_long, r.location(f.name),
                           std::string(f.name) + " longer than " + std::to_string(f.max_length) + " characters"));
      }
      if (f.numeric && !is_decimal(v)) {
        out.push_back(make(fhir::severity::warning, fhir::issue_code::value, r.location(f.name),
                           std::string(f.name) + " is not a number", fhir::hl7_error::data_type_error));
      }
    }
  }
}

}  // namespace gw::qd130::detail
