// Fuzz target for the delimited-text reader of the mapping engine: any bytes in, issues out,
// never a crash, a leak or a read out of bounds. The reader runs alone (quoting on), then the
// whole engine with a two-type mapping (visit lines and lab lines linked by column 2), so the
// grouping of lines into records and the mapping of whatever came out are covered too. The reader
// also runs in every encoding it knows, and the engine once more with columns named by header.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/mapped/source.hpp"
#include "adapters/mapped/translate.hpp"

namespace {

gw::mapped::mapping make_mapping() {
  using namespace gw::mapped;
  mapping m;
  m.format = source_format::delimited;
  auto& d = m.delimited;
  d.delimiter = '|';
  d.quote = '"';
  d.type_column = 1;
  d.visit_type = "V";
  d.link_column = "visit";
  d.types.push_back(
      {"V", 6, {{"type", 1}, {"visit", 2}, {"cccd", 3}, {"name", 4}, {"dob", 5}, {"start", 6}}, {}, false});
  d.types.push_back({"L", 5, {{"type", 1}, {"visit", 2}, {"code", 3}, {"value", 4}, {"at", 5}}, {}, false});
  auto field = [](std::string src, std::string target, identity id = identity::none) {
    field_rule f;
    f.sources.push_back(std::move(src));
    f.target = std::move(target);
    f.id = id;
    return f;
  };
  auto date = [](std::string pattern) {
    transform t;
    t.kind = transform::op::date;
    t.text = std::move(pattern);
    return t;
  };
  resource_rule p;
  p.type = "Patient";
  p.fields.push_back(field("/V/cccd", "", identity::cccd));
  p.fields.push_back(field("/V/name", "name[0].text"));
  auto dob = field("/V/dob", "birthDate");
  dob.transforms.push_back(date("yyyy-MM-dd|yyyy"));
  p.fields.push_back(dob);
  resource_rule e;
  e.type = "Encounter";
  e.fields.push_back(field("/V/visit", "", identity::episode));
  auto start = field("/V/start", "period.start");
  start.transforms.push_back(date("yyyyMMddHHmm"));
  e.fields.push_back(start);
  resource_rule o;
  o.type = "Observation";
  o.each = "/L";
  o.fields.push_back(field("/code", "", identity::key));
  auto code = field("/code", "code.text");
  transform split;
  split.kind = transform::op::split;
  split.text = "^";
  split.index = -1;
  code.transforms.push_back(split);
  o.fields.push_back(code);
  o.fields.push_back(field("/value", "valueQuantity.value"));
  m.resources = {p, e, o};
  return m;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using gw::mapped::text_encoding;
  static const gw::mapped::mapping m = make_mapping();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  gw::mapped::limits l;
  l.max_field_bytes = 4096;
  l.max_records = 2000;
  gw::fhir::issue_list issues;
  std::size_t sum = 0;
  // Every encoding: the decoder sees the same bytes as UTF-8, Windows-1258 and UTF-16.
  for (auto e : {text_encoding::utf8, text_encoding::windows_1258, text_encoding::utf16, text_encoding::utf16le,
                 text_encoding::utf16be})
    for (const auto& line : gw::mapped::read_delimited(text, e, m.delimited, l, issues))
      for (const auto& f : line.fields) sum += f.size() + line.number;
  gw::mapped::settings s;
  s.map = &m;
  s.limits = l;
  const auto t = gw::mapped::translate(text, s, gw::mapped::context{"42022", {}});
  sum += t.bundle.entry.size() + t.issues.size() + t.report.unmapped.size();
  // Columns named by a header line in the file (the first line of each type).
  static const gw::mapped::mapping by_header = [] {
    auto h = make_mapping();
    for (auto& type : h.delimited.types) {
      type.header_line_in_file = true;
      type.width = 0;
      for (auto it = type.columns.begin(); it != type.columns.end();)
        if (it->first == "type") {
          ++it;
        } else {
          type.by_header[it->first] = it->first;
          it = type.columns.erase(it);
        }
    }
    return h;
  }();
  s.map = &by_header;
  const auto u = gw::mapped::translate(text, s, gw::mapped::context{"42022", {}});
  sum += u.bundle.entry.size() + u.issues.size();
  return sum == 1 ? 1 : 0;  // keeps `sum` alive; libFuzzer ignores the value
}
