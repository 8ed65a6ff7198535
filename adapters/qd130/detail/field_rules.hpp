#pragma once
/// Field rules of every table, generated from the reference sheets (field_table.inc), and the
/// row checks that apply them.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "adapters/qd130/envelope.hpp"
#include "fhir/issue.hpp"

namespace gw::qd130::detail {

enum class req : std::uint8_t { none, always, when_present, when_absent, when_in, unless_in };
enum class relax : std::uint8_t { none, until, warn_if };

struct field_rule {
  int table;
  std::string_view name;
  unsigned versions;  ///< bit 1 = QĐ 130 family, bit 2 = QĐ 4210
  bool numeric;
  int max_length;  ///< code points; 0 = unlimited
  req requirement;
  std::string_view cond_field;   ///< field(s) the requirement depends on, "," separated
  std::string_view cond_values;  ///< values of cond_field, "," separated
  relax relaxation;
  std::string_view relax_arg;  ///< until: yyyymmdd; warn_if: FIELD=v1,v2
  bool required_4210;
  std::string_view note;
};

/// The rule for a field of a table, or nullptr when the field is not in any generation's list.
const field_rule* find_rule(table_id t, std::string_view name);

/// The generated rules, grouped by table (rule_count() of them); exposed so that rule_of and
/// rule_index inline into the decoder's per-field loops.
extern const field_rule rule_table[];
extern const std::size_t rule_table_size;

/// Rules by index (the index a decoded field carries in `field::rule`).
inline std::size_t rule_count() {
  return rule_table_size;
}
inline const field_rule& rule_at(std::size_t index) {
  return rule_table[index];
}
inline std::uint16_t rule_index(const field_rule& rule) {
  return static_cast<std::uint16_t>(&rule - rule_table);
}
/// The rule of a decoded field: by its index when it carries one, else by name.
inline const field_rule* rule_of(table_id t, const field& f) {
  // The decoder sets `rule` from the name; a quick plausibility check stands in for comparing
  // the whole name again.
  if (f.rule < rule_table_size) {
    const field_rule& r = rule_table[f.rule];
    if (r.table == static_cast<int>(t) && r.name.size() == f.name.size() && !f.name.empty() &&
        r.name.front() == f.name.front() && r.name.back() == f.name.back())
      return &r;
  }
  return find_rule(t, f.name);
}
/// The rule of a field of `r`: its index as it stands when the decoder vouches for the row's
/// indices (row::rules_exact), else as rule_of(table, field) finds it.
inline const field_rule* rule_of(const row& r, const field& f) {
  // The table is still compared: a row copied into another table keeps its flag, and the
  // checks index fixed per-table arrays by the rule.
  if (r.rules_exact && f.rule < rule_table_size && rule_table[f.rule].table == static_cast<int>(r.table))
    return &rule_table[f.rule];
  return rule_of(r.table, f);
}
/// [first, end) indices of a table's rules.
std::pair<std::size_t, std::size_t> rule_range(table_id t);

/// Applies the required/length/number rules of `r`'s table to it.
void check_row(const row& r, schema_version version, int episode_date, fhir::issue_list& out);

}  // namespace gw::qd130::detail
