#include "fhir/terminology.hpp"

#include "fhir/datetime.hpp"

#include <algorithm>
#include <array>

namespace gw::fhir {
namespace {

constexpr std::array<std::string_view, 7> header{"code",          "display",     "valid_from",    "valid_to",
                                                 "target_system", "target_code", "target_display"};

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> out;
  std::size_t start = 0;
  for (;;) {
    auto tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string_view::npos ? std::string_view::npos : tab - start));
    if (tab == std::string_view::npos) break;
    start = tab + 1;
  }
  return out;
}

bool date_ok(std::string_view d) {
  return d.empty() || (d.size() == 10 && is_fhir_date(d));
}

}  // namespace

bool code_entry::valid_on(std::string_view date) const {
  if (date.empty()) return true;
  date = date.substr(0, 10);
  if (!valid_from.empty() && date < std::string_view(valid_from)) return false;
  if (!valid_to.empty() && date > std::string_view(valid_to)) return false;
  return true;
}

std::optional<code_map> code_map::parse(std::string_view name, std::string_view tsv, issue_list& issues) {
  code_map m;
  m.name_ = std::string(name);
  bool have_header = false;
  std::size_t line_no = 0;
  std::size_t errors_before = issues.size();
  auto bad = [&](std::string msg) {
    issues.push_back({severity::error, issue_code::invalid, std::string(name) + ":" + std::to_string(line_no),
                      std::move(msg), hl7_error::none});
  };
  while (!tsv.empty()) {
    auto nl = tsv.find('\n');
    std::string_view line = tsv.substr(0, nl);
    tsv = nl == std::string_view::npos ? std::string_view{} : tsv.substr(nl + 1);
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    auto cols = split_tabs(line);
    if (line[0] == '@') {
      if (cols.size() == 2 && cols[0] == "@system")
        m.system_ = std::string(cols[1]);
      else
        bad("unknown directive");
      continue;
    }
    if (!have_header) {
      if (cols.size() != header.size() || !std::equal(cols.begin(), cols.end(), header.begin())) {
        bad("header must be: code display valid_from valid_to target_system target_code target_display");
        return std::nullopt;
      }
      have_header = true;
      continue;
    }
    if (cols.size() != header.size()) {
      bad("expected 7 tab-separated columns");
      continue;
    }
    code_entry e{std::string(cols[0]), std::string(cols[1]), std::string(cols[2]), std::string(cols[3]),
                 std::string(cols[4]), std::string(cols[5]), std::string(cols[6])};
    if (e.code.empty()) {
      bad("empty code");
      continue;
    }
    if (!date_ok(e.valid_from) || !date_ok(e.valid_to)) {
      bad("validity dates must be YYYY-MM-DD");
      continue;
    }
    if (e.target_code.empty() != e.target_system.empty()) {
      bad("target_system and target_code go together");
      continue;
    }
    m.index_.emplace(e.code, m.entries_.size());
    m.entries_.push_back(std::move(e));
  }
  if (!have_header) {
    bad("no header row");
    return std::nullopt;
  }
  if (issues.size() != errors_before) return std::nullopt;
  return m;
}

const code_entry* code_map::find(std::string_view code, std::string_view date) const {
  auto [b, e] = index_.equal_range(code);
  for (auto it = b; it != e; ++it)
    if (entries_[it->second].valid_on(date)) return &entries_[it->second];
  return nullptr;
}

bool code_map::knows(std::string_view code) const {
  return index_.find(code) != index_.end();
}

bool terminology::add(std::string_view name, std::string_view tsv, issue_list& issues) {
  auto m = code_map::parse(name, tsv, issues);
  if (!m) return false;
  maps_.insert_or_assign(std::string(name), std::move(*m));
  return true;
}

const code_map* terminology::map(std::string_view name) const {
  auto it = maps_.find(name);
  return it == maps_.end() ? nullptr : &it->second;
}

const code_entry* terminology::lookup(std::string_view name, std::string_view code, std::string_view date) const {
  const code_map* m = map(name);
  return m ? m->find(code, date) : nullptr;
}

CodeableConcept terminology::to_concept(std::string_view name, std::string_view code, std::string_view source_text,
                                        std::string_view date, std::string_view location, issue_list& issues,
                                        std::string_view local_system) const {
  CodeableConcept cc;
  const code_map* m = map(name);
  const code_entry* e = m ? m->find(code, date) : nullptr;
  Coding local;
  local.system = std::string(local_system.empty() && m ? std::string_view(m->system()) : local_system);
  local.code = std::string(code);
  if (e) local.display = e->display;
  if (!local.code.empty()) cc.coding.push_back(std::move(local));
  if (e && !e->target_code.empty())
    cc.coding.push_back({.system = e->target_system, .code = e->target_code, .display = e->target_display});
  cc.text = std::string(!source_text.empty() ? source_text : e ? std::string_view(e->display) : std::string_view{});
  if (!e && !code.empty()) {
    std::string msg = !m               ? "code map " + std::string(name) + " is not loaded"
                      : m->knows(code) ? "code not valid on that date in " + std::string(name)
                                       : "code not in " + std::string(name);
    issues.push_back({severity::warning, issue_code::code_invalid, std::string(location), std::move(msg),
                      hl7_error::table_value_not_found});
  }
  return cc;
}

}  // namespace gw::fhir
