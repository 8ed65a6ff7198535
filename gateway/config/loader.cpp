#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <string_view>

#include "adapters/mapped/fhir_path.hpp"
#include "adapters/mapped/source.hpp"
#include "fhir/terminology.hpp"
#include "gateway/config/config.hpp"
#include "gateway/config/values.hpp"
#include "gateway/config/yaml_map.hpp"

namespace gw::config {

namespace fs = std::filesystem;

std::string_view to_string(feed_format f) {
  switch (f) {
    case feed_format::qd130: return "qd130";
    case feed_format::hl7v2: return "hl7v2";
    case feed_format::cv365: return "cv365";
    case feed_format::mapped: return "mapped";
  }
  return "?";
}

std::string_view to_string(transport t) {
  return t == transport::https ? "https" : "mllp";
}

bool facility::sends(feed_format f) const {
  return std::any_of(feeds.begin(), feeds.end(), [f](const feed& x) { return x.format == f; });
}

const facility* gateway_config::find_facility(std::string_view code) const {
  auto it = std::lower_bound(facilities.begin(), facilities.end(), code,
                             [](const facility& f, std::string_view c) { return f.code < c; });
  return it != facilities.end() && it->code == code ? &*it : nullptr;
}

namespace {

std::optional<YAML::Node> parse_file(const fs::path& p, std::vector<config_error>& errors) {
  std::ifstream in(p);
  if (!in) {
    errors.push_back({p.string(), 0, "", "missing file: cannot be read"});
    return std::nullopt;
  }
  try {
    return YAML::Load(in);
  } catch (const YAML::Exception& e) {
    errors.push_back({p.string(), e.mark.is_null() ? 0 : e.mark.line + 1, "", "not valid YAML: " + e.msg});
    return std::nullopt;
  }
}

void read_tls(yaml_map& parent, const std::string& key, std::optional<tls_settings>& out, bool client_ca_required) {
  if (!parent.has(key)) return;
  yaml_map m(parent.ctx(), parent.child(key), parent.key(key));
  if (!m.ok()) return;
  tls_settings t;
  m.file("certificate", t.certificate, true);
  m.file("private_key", t.private_key, true);
  m.file("ca", t.ca, client_ca_required);
  m.choice("min_version", t.min_version, {"1.2", "1.3"}, "TLS version");
  out = std::move(t);
}

void read_limits(yaml_map& parent, limits& l) {
  if (!parent.has("limits")) return;
  yaml_map m(parent.ctx(), parent.child("limits"), parent.key("limits"));
  m.bytes("max_message_bytes", l.max_message_bytes);
  m.bytes("max_header_bytes", l.max_header_bytes);
  m.duration("handshake_timeout", l.handshake_timeout);
  m.duration("read_timeout", l.read_timeout);
  m.duration("idle_timeout", l.idle_timeout);
  m.integer("max_connections", l.max_connections, 1, 1'000'000);
  m.integer("max_connections_per_facility", l.max_connections_per_facility, 1, 1'000'000);
}

void read_listener(yaml_map& parent, const std::string& key, listener& l, bool tls_required, bool client_ca_required) {
  if (!parent.has(key)) {
    if (tls_required) parent.missing(key);
    return;
  }
  yaml_map m(parent.ctx(), parent.child(key), parent.key(key));
  if (!m.ok()) return;
  m.boolean("enabled", l.enabled);
  m.text("address", l.address);
  m.port("port", l.port, true);
  if (tls_required) {
    if (!m.has("tls") && l.enabled) m.missing("tls");
    read_tls(m, "tls", l.tls, client_ca_required);
  }
  read_limits(m, l.limits);
}

std::optional<feed_format> parse_format(std::string_view s) {
  if (s == "qd130") return feed_format::qd130;
  if (s == "hl7v2") return feed_format::hl7v2;
  if (s == "cv365") return feed_format::cv365;
  if (s == "mapped") return feed_format::mapped;
  return std::nullopt;
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) { return std::isxdigit(static_cast<unsigned char>(ch)); });
}

bool valid_hours(std::string_view s) {
  // HH:MM-HH:MM with 00:00 <= from < to <= 24:00
  if (s.size() != 11 || s[2] != ':' || s[5] != '-' || s[8] != ':') return false;
  auto num = [&](std::size_t at) {
    if (!std::isdigit(static_cast<unsigned char>(s[at])) || !std::isdigit(static_cast<unsigned char>(s[at + 1])))
      return -1;
    return (s[at] - '0') * 10 + (s[at + 1] - '0');
  };
  int h1 = num(0), m1 = num(3), h2 = num(6), m2 = num(9);
  if (h1 < 0 || m1 < 0 || h2 < 0 || m2 < 0 || m1 > 59 || m2 > 59 || h1 > 23 || h2 > 24) return false;
  if (h2 == 24 && m2 != 0) return false;
  return h1 * 60 + m1 < h2 * 60 + m2;
}

/// Reads a transform list entry: `trim`, `upper`, `lower`, `{date: PATTERN}`, `{map: NAME}` (a
/// code map in <config>/codemaps/NAME.tsv) or `{map: {CODE: TARGET, ...}}`, `{split: SEP, take:
/// first|last|rest|N}`, `{default: TEXT}`.
std::optional<mapped::transform> read_transform(const yaml_context& c, const YAML::Node& n, const std::string& key,
                                                const fs::path& codemaps_dir) {
  mapped::transform t;
  if (n.IsScalar()) {
    const auto& v = n.Scalar();
    if (v == "trim")
      t.kind = mapped::transform::op::trim;
    else if (v == "upper")
      t.kind = mapped::transform::op::upper;
    else if (v == "lower")
      t.kind = mapped::transform::op::lower;
    else {
      c.error(n, key, "unknown transform '" + v + "' (known: trim, upper, lower, date, map, split, default)");
      return std::nullopt;
    }
    return t;
  }
  if (!n.IsMap() || n.size() == 0) {
    c.error(n, key, "wrong type: a transform is a name or a one-key mapping such as {date: dd/MM/yyyy}");
    return std::nullopt;
  }
  yaml_map m(c, n, key);
  const std::string name = n.begin()->first.as<std::string>("");
  if (name == "date") {
    t.kind = mapped::transform::op::date;
    m.text("date", t.text, true);
    for (std::size_t at = 0; at <= t.text.size();) {
      auto bar = t.text.find('|', at);
      auto one = t.text.substr(at, bar == std::string::npos ? std::string::npos : bar - at);
      if (one.find("yyyy") == std::string::npos) {
        c.error(m.child("date"), key + ".date",
                "date pattern '" + one + "' needs yyyy (letters: yyyy MM dd HH mm ss; alternatives with |)");
        return std::nullopt;
      }
      if (bar == std::string::npos) break;
      at = bar + 1;
    }
  } else if (name == "default") {
    t.kind = mapped::transform::op::default_value;
    m.text("default", t.text, true);
  } else if (name == "split") {
    t.kind = mapped::transform::op::split;
    m.text("split", t.text, true);
    std::string take = "first";
    m.text("take", take);
    if (take == "first")
      t.index = 0;
    else if (take == "last")
      t.index = -1;
    else if (take == "rest")
      t.index = -2;
    else if (!take.empty() && std::all_of(take.begin(), take.end(), ::isdigit) && take.size() < 4)
      t.index = std::stoi(take);
    else {
      c.error(m.child("take"), key + ".take", "expected first, last, rest or a part number, got '" + take + "'");
      return std::nullopt;
    }
    if (t.text.empty()) {
      c.error(m.child("split"), key + ".split", "the separator is empty");
      return std::nullopt;
    }
  } else if (name == "map") {
    t.kind = mapped::transform::op::code_map;
    auto v = m.child("map");
    if (v.IsMap()) {
      t.map_name = "inline";
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!it->second.IsScalar()) {
          c.error(it->second, key + ".map." + it->first.as<std::string>(""), "wrong type: expected a code");
          continue;
        }
        t.codes[it->first.as<std::string>("")] = it->second.Scalar();
      }
    } else if (v.IsScalar()) {
      t.map_name = v.Scalar();
      fs::path tsv = codemaps_dir / (t.map_name + ".tsv");
      std::ifstream in(tsv);
      if (!in) {
        c.error(v, key + ".map", "unknown code map '" + t.map_name + "' (no file " + tsv.string() + ")");
        return std::nullopt;
      }
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      fhir::issue_list issues;
      auto cm = fhir::code_map::parse(t.map_name, text, issues);
      if (!cm) {
        c.error(v, key + ".map",
                "code map '" + t.map_name +
                    "' cannot be read: " + (issues.empty() ? std::string("?") : issues.front().message));
        return std::nullopt;
      }
      // Every code of the map, to its target code (the source code itself when it has none).
      std::istringstream rows(text);
      std::string row;
      while (std::getline(rows, row)) {
        auto tab = row.find('\t');
        if (row.empty() || row[0] == '#' || row[0] == '@' || tab == std::string::npos) continue;
        std::string code = row.substr(0, tab);
        if (const auto* e = cm->find(code); e && !t.codes.count(code))
          t.codes[code] = e->target_code.empty() ? e->code : e->target_code;
      }
    } else {
      c.error(v, key + ".map", "wrong type: expected a code map name or a mapping of codes");
      return std::nullopt;
    }
  } else {
    c.error(n.begin()->first, key + "." + name,
            "unknown transform '" + name + "' (known: trim, upper, lower, date, map, split, default)");
    return std::nullopt;
  }
  return t;
}

/// The names of a header line written in a mapping file (`header_line`), split on the delimiter.
std::vector<std::string> split_header_line(std::string_view line, char delimiter) {
  std::vector<std::string> out;
  for (std::size_t start = 0;;) {
    auto end = line.find(delimiter, start);
    out.push_back(
        mapped::header_name(line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start)));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

/// Which columns a source pointer may name in a delimited mapping, for `each` (or none).
const mapped::delimited_format::record_type* type_for(const mapped::delimited_format& d, std::string_view each) {
  if (d.types.empty()) return nullptr;
  if (d.type_column == 0) return &d.types.front();
  std::string code(each.empty() ? std::string_view(d.visit_type) : each.substr(1));
  for (const auto& t : d.types)
    if (t.code == code) return &t;
  return nullptr;
}

std::optional<mapped::mapping> read_mapping(const fs::path& file, const fs::path& codemaps_dir,
                                            std::vector<config_error>& errors) {
  auto root = parse_file(file, errors);
  if (!root) return std::nullopt;
  const std::size_t before = errors.size();
  yaml_context c{file.string(), file.parent_path(), &errors};
  mapped::mapping mp;
  mp.source_file = file.string();
  yaml_map m(c, *root, "");
  if (!m.ok()) {
    c.error(*root, "", "wrong type: a mapping file must be a mapping");
    return std::nullopt;
  }
  std::string fmt;
  if (m.choice("format", fmt, {"json", "delimited"}, "source format", true))
    mp.format = fmt == "json" ? mapped::source_format::json : mapped::source_format::delimited;
  if (std::string enc; m.text("encoding", enc)) {
    if (auto e = mapped::parse_encoding(enc))
      mp.encoding = *e;
    else
      c.error(m.child("encoding"), "encoding",
              "unknown encoding '" + enc + "' (known: " + std::string(mapped::known_encodings()) + ")");
  }
  if (m.text("records", mp.json.records)) {
    if (auto why = mapped::check_pointer(mp.json.records); !why.empty()) c.error(m.child("records"), "records", why);
  }
  auto& d = mp.delimited;
  if (m.has("delimited")) {
    yaml_map dm(c, m.child("delimited"), "delimited");
    std::string delim = "|", quote;
    if (dm.text("delimiter", delim) && delim.size() != 1)
      c.error(dm.child("delimiter"), "delimited.delimiter", "the delimiter is one character");
    d.delimiter = delim.empty() ? '|' : delim[0];
    if (dm.text("quote", quote) && quote.size() > 1)
      c.error(dm.child("quote"), "delimited.quote", "the quote is one character (or empty for none)");
    d.quote = quote.size() == 1 ? quote[0] : '\0';
    if (d.quote == d.delimiter && d.quote != '\0')
      c.error(dm.child("quote"), "delimited.quote", "the quote cannot be the delimiter");
    dm.boolean("header", d.header);
    dm.integer("type_column", d.type_column, 0, 1000);
    dm.text("visit_type", d.visit_type);
    dm.text("link_column", d.link_column);
    auto types = dm.child("record_types");
    if (!types.IsMap() || types.size() == 0) {
      c.error(types.IsDefined() ? types : dm.child("record_types"), "delimited.record_types",
              "required: the record types and their columns");
    } else {
      for (auto it = types.begin(); it != types.end(); ++it) {
        mapped::delimited_format::record_type t;
        t.code = it->first.as<std::string>("");
        std::string tkey = "delimited.record_types." + t.code;
        yaml_map tm(c, it->second, tkey);
        if (!tm.ok()) continue;
        // Columns may be named by header: the file's first line (header: true), the first line of
        // this type (header: true under the type), or a header line written here (header_line).
        if (tm.boolean("header", t.header_line_in_file) && !d.type_column)
          c.error(tm.child("header"), tkey + ".header", "with one record type, set delimited.header instead");
        std::string header_line;
        const bool static_header = tm.text("header_line", header_line);
        std::vector<std::string> static_names;
        if (static_header) {
          static_names = split_header_line(header_line, d.delimiter);
          std::set<std::string> seen;
          for (const auto& h : static_names)
            if (!seen.insert(h).second)
              c.error(tm.child("header_line"), tkey + ".header_line", "header name '" + h + "' is there twice");
          if (t.header_line_in_file || d.header)
            c.error(tm.child("header_line"), tkey + ".header_line",
                    "a header line in the mapping and one in the file: keep one");
        }
        const bool file_header = t.header_line_in_file || (d.header && !d.type_column);
        tm.integer("width", t.width, 1, 1000, !file_header && !static_header);
        if (static_header && t.width && t.width != static_names.size())
          c.error(tm.child("width"), tkey + ".width",
                  "width " + std::to_string(t.width) + " but header_line has " + std::to_string(static_names.size()) +
                      " names");
        if (static_header && !t.width) t.width = static_names.size();
        auto cols = tm.child("columns");
        if (!cols.IsMap()) {
          c.error(cols.IsDefined() ? cols : it->second, tkey + ".columns",
                  "required: a mapping of column name to position");
          continue;
        }
        for (auto ci = cols.begin(); ci != cols.end(); ++ci) {
          const std::string name = ci->first.as<std::string>("");
          const std::string ckey = tkey + ".columns." + name;
          std::size_t pos = 0;
          std::string text = ci->second.IsScalar() ? ci->second.Scalar() : std::string();
          auto r = std::from_chars(text.data(), text.data() + text.size(), pos);
          if (text.empty()) {
            c.error(ci->second, ckey, "wrong type: expected a column position (1 = first) or a header name");
            continue;
          }
          if (r.ec != std::errc() || r.ptr != text.data() + text.size()) {
            // A header name.
            const std::string header = mapped::header_name(text);
            if (static_header) {
              auto at = std::find(static_names.begin(), static_names.end(), header);
              if (at == static_names.end())
                c.error(ci->second, ckey, "unknown header name '" + header + "' (not in header_line)");
              else
                t.columns[name] = static_cast<std::size_t>(at - static_names.begin()) + 1;
            } else if (file_header) {
              t.by_header[name] = header;
            } else {
              c.error(ci->second, ckey,
                      "'" + text + "' is a header name but there is no header (set header: true or header_line)");
            }
            continue;
          }
          if (pos < 1 || (t.width && pos > t.width)) {
            c.error(ci->second, ckey,
                    "column out of range: " + text + " (record type has " + std::to_string(t.width) + " columns)");
            continue;
          }
          t.columns[name] = pos;
        }
        if (d.type_column > t.width && t.width)
          c.error(it->second, tkey,
                  "type_column " + std::to_string(d.type_column) + " is out of range (width " +
                      std::to_string(t.width) + ")");
        if (d.type_column && !t.columns.count(d.link_column) && !t.by_header.count(d.link_column))
          c.error(it->second, tkey + ".columns", "the link column '" + d.link_column + "' is missing");
        d.types.push_back(std::move(t));
      }
      if (d.type_column == 0 && d.types.size() > 1)
        c.error(types, "delimited.record_types", "several record types need type_column");
      if (d.type_column && type_for(d, "") == nullptr)
        c.error(dm.child("visit_type"), "delimited.visit_type",
                "visit_type '" + d.visit_type + "' is not one of the record types");
      if (d.header && d.type_column)
        c.error(dm.child("header"), "delimited.header", "a header line needs a single record type");
    }
  } else if (mp.format == mapped::source_format::delimited) {
    m.missing("delimited");
  }
  std::vector<std::string> ignored;
  m.text_list("ignore", ignored);
  for (auto& i : ignored) {
    if (auto why = mapped::check_pointer(i); !why.empty()) c.error(m.child("ignore"), "ignore", why);
    mp.ignored.push_back(std::move(i));
  }

  auto resources = m.child("resources");
  bool patient = false;
  if (!resources.IsSequence() || resources.size() == 0) {
    c.error(resources.IsDefined() ? resources : *root, "resources", "required: the list of resources to make");
  } else {
    for (std::size_t i = 0; i < resources.size(); ++i) {
      const std::string rkey = "resources[" + std::to_string(i) + "]";
      yaml_map rm(c, resources[i], rkey);
      if (!rm.ok()) continue;
      mapped::resource_rule r;
      r.where = file.filename().string() + ":" + std::to_string(resources[i].Mark().line + 1);
      if (rm.text("resource", r.type, true) && !mapped::mappable_resource_type(r.type))
        c.error(rm.child("resource"), rkey + ".resource", "unknown FHIR resource type '" + r.type + "'");
      if (rm.text("each", r.each)) {
        if (auto why = mapped::check_pointer(r.each); !why.empty()) c.error(rm.child("each"), rkey + ".each", why);
      }
      rm.text("role", r.role);
      if (rm.text("when", r.when)) {
        if (auto why = mapped::check_pointer(r.when); !why.empty()) c.error(rm.child("when"), rkey + ".when", why);
      }
      const auto* columns = mp.format == mapped::source_format::delimited ? type_for(d, r.each) : nullptr;
      if (mp.format == mapped::source_format::delimited && d.type_column && !r.each.empty() && !columns)
        c.error(rm.child("each"), rkey + ".each", "names no record type ('/" + std::string("TYPE") + "')");
      auto fields = rm.child("fields");
      if (!fields.IsSequence()) {
        c.error(fields.IsDefined() ? fields : resources[i], rkey + ".fields", "required: a list of fields");
        continue;
      }
      bool has_identity = false;
      for (std::size_t k = 0; k < fields.size(); ++k) {
        const std::string fkey = rkey + ".fields[" + std::to_string(k) + "]";
        yaml_map fm(c, fields[k], fkey);
        if (!fm.ok()) continue;
        mapped::field_rule f;
        f.where = file.filename().string() + ":" + std::to_string(fields[k].Mark().line + 1);
        auto src = fm.child("source");
        std::string one;
        if (src.IsScalar()) {
          if (fm.text("source", one)) f.sources.push_back(std::move(one));
        } else if (src.IsSequence()) {
          fm.text_list("source", f.sources);
        } else if (src.IsDefined() && !src.IsNull()) {
          c.error(src, fkey + ".source", "wrong type: a JSON Pointer or a list of them");
        }
        fm.text("separator", f.separator);
        fm.text("value", f.constant);
        if (f.sources.empty() && f.constant.empty())
          c.error(fields[k], fkey, "give a source (JSON Pointer) or a value");
        for (const auto& sp : f.sources) {
          if (auto why = mapped::check_pointer(sp); !why.empty()) {
            c.error(src, fkey + ".source", why);
            continue;
          }
          if (mp.format != mapped::source_format::delimited || d.types.empty()) continue;
          // Delimited: the pointer names a column (of the visit type when it is /TYPE/column).
          std::string_view p = sp;
          const auto* t = columns;
          if (d.type_column && r.each.empty()) {
            auto slash = p.find('/', 1);
            std::string code(p.substr(1, slash == std::string_view::npos ? std::string_view::npos : slash - 1));
            t = code == d.visit_type ? type_for(d, "") : nullptr;
            if (!t) {
              c.error(src, fkey + ".source",
                      "'" + sp + "': a visit-level source is /" + d.visit_type + "/<column> (other types need each)");
              continue;
            }
            p = slash == std::string_view::npos ? std::string_view() : p.substr(slash);
          }
          std::string col(p.substr(p.empty() ? 0 : 1));
          if (t && !t->columns.count(col) && !t->by_header.count(col))
            c.error(src, fkey + ".source",
                    "unknown column '" + col + "'" + (t->code.empty() ? std::string() : " in record type " + t->code));
        }
        std::string target;
        if (fm.text("target", target, true)) {
          static const std::map<std::string, mapped::identity, std::less<>> ids{
              {"id.cccd", mapped::identity::cccd},
              {"id.record_number", mapped::identity::record_number},
              {"id.insurance", mapped::identity::insurance},
              {"id.episode", mapped::identity::episode},
              {"id.key", mapped::identity::key}};
          if (auto it = ids.find(target); it != ids.end()) {
            f.id = it->second;
            const bool patient_id = f.id == mapped::identity::cccd || f.id == mapped::identity::record_number ||
                                    f.id == mapped::identity::insurance;
            if ((patient_id && r.type != "Patient") || (f.id == mapped::identity::episode && r.type != "Encounter") ||
                (f.id == mapped::identity::key && (r.type == "Patient" || r.type == "Encounter")))
              c.error(fm.child("target"), fkey + ".target", target + " does not apply to " + r.type);
            if (f.id != mapped::identity::insurance && f.id != mapped::identity::key) has_identity = true;
          } else if (target.rfind("id.", 0) == 0) {
            c.error(fm.child("target"), fkey + ".target",
                    "unknown identity target '" + target +
                        "' (id.cccd, id.record_number, id.insurance, id.episode, id.key)");
          } else if (mapped::mappable_resource_type(r.type)) {
            if (auto why = mapped::check_path(r.type, target); !why.empty())
              c.error(fm.child("target"), fkey + ".target", "unknown FHIR element: " + why);
          }
          f.target = target;
        }
        fm.boolean("required", f.required);
        std::string dflt;
        auto tr = fm.child("transforms");
        if (tr.IsSequence()) {
          for (std::size_t j = 0; j < tr.size(); ++j)
            if (auto t = read_transform(c, tr[j], fkey + ".transforms[" + std::to_string(j) + "]", codemaps_dir))
              f.transforms.push_back(std::move(*t));
        } else if (tr.IsDefined() && !tr.IsNull()) {
          c.error(tr, fkey + ".transforms", "wrong type: expected a list of transforms");
        }
        if (fm.text("default", dflt)) {
          mapped::transform t;
          t.kind = mapped::transform::op::default_value;
          t.text = dflt;
          f.transforms.push_back(std::move(t));
        }
        r.fields.push_back(std::move(f));
      }
      if (r.type == "Patient") {
        patient = true;
        if (!has_identity)
          c.error(resources[i], rkey, "a Patient needs a field with target id.cccd or id.record_number");
      }
      if (r.type == "Encounter" && !has_identity)
        c.error(resources[i], rkey, "an Encounter needs a field with target id.episode");
      mp.resources.push_back(std::move(r));
    }
    if (!patient) c.error(resources, "resources", "a mapping needs a Patient resource");
  }
  if (errors.size() != before) return std::nullopt;
  return mp;
}

void read_facility(const fs::path& file, const YAML::Node& root, std::vector<config_error>& errors,
                   std::vector<facility>& out, const fs::path& codemaps_dir) {
  yaml_context c{file.string(), file.parent_path(), &errors};
  yaml_map m(c, root, "");
  if (!m.ok()) {
    if (!root.IsMap()) c.error(root, "", "wrong type: a facility file must be a mapping");
    return;
  }
  facility f;
  f.source_file = file;
  if (m.text("code", f.code, true)) {
    if (f.code.size() != 5 || !std::all_of(f.code.begin(), f.code.end(), ::isdigit))
      c.error(m.child("code"), "code", "facility code must be 5 digits (MA_CSKCB), got '" + f.code + "'");
  }
  m.text("name", f.name, true);
  m.choice("ownership", f.ownership, {"public", "private"}, "ownership", true);
  m.integer("beds", f.beds, 0, 100'000);

  auto feeds = m.child("feeds");
  if (!feeds.IsDefined() || feeds.IsNull()) {
    m.missing("feeds");
  } else if (!feeds.IsSequence()) {
    c.error(feeds, "feeds", "wrong type: expected a list of feeds");
  } else {
    for (std::size_t i = 0; i < feeds.size(); ++i) {
      std::string key = "feeds[" + std::to_string(i) + "]";
      yaml_map fm(c, feeds[i], key);
      if (!fm.ok()) continue;
      feed fd;
      std::string fmt, tr;
      bool good = true;
      if (fm.choice("format", fmt, {"qd130", "hl7v2", "cv365", "mapped"}, "format", true))
        fd.format = parse_format(fmt).value();
      else
        good = false;
      if (fm.choice("transport", tr, {"https", "mllp"}, "transport", true))
        fd.transport = tr == "https" ? transport::https : transport::mllp;
      else
        good = false;
      if (good && fd.transport == transport::mllp && fd.format != feed_format::hl7v2)
        c.error(feeds[i], key, "format " + fmt + " cannot be sent over mllp (only hl7v2)");
      if (good) f.feeds.push_back(fd);
    }
    if (feeds.size() == 0) c.error(feeds, "feeds", "a facility needs at least one feed");
  }

  if (m.has("certificates")) {
    yaml_map cm(c, m.child("certificates"), "certificates");
    cm.text_list("subjects", f.certificates.subjects);
    std::vector<std::string> fps;
    // With a bad item left out, the good ones no longer sit at their list positions: name the list.
    const bool all_read = cm.text_list("sha256_fingerprints", fps);
    for (std::size_t i = 0; i < fps.size(); ++i) {
      std::string fp;
      for (char ch : fps[i])
        if (ch != ':') fp.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(ch))));
      if (fp.size() != 64 || !is_hex(fp)) {
        auto list = cm.child("sha256_fingerprints");
        c.error(all_read ? list[i] : list,
                "certificates.sha256_fingerprints" + (all_read ? "[" + std::to_string(i) + "]" : std::string()),
                "a SHA-256 fingerprint is 64 hexadecimal digits, got '" + fps[i] + "'");
      } else
        f.certificates.sha256_fingerprints.push_back(fp);
    }
    if (f.certificates.subjects.empty() && f.certificates.sha256_fingerprints.empty())
      c.error(m.child("certificates"), "certificates", "give at least one subject or sha256 fingerprint");
  } else {
    m.missing("certificates");
  }

  std::chrono::milliseconds stale{f.stale_after};
  if (m.duration("stale_after", stale)) {
    f.stale_after = std::chrono::duration_cast<std::chrono::minutes>(stale);
    if (f.stale_after.count() < 1) c.error(m.child("stale_after"), "stale_after", "must be at least 1m");
  }
  if (m.text("expected_hours", f.expected_hours) && !valid_hours(f.expected_hours))
    c.error(m.child("expected_hours"), "expected_hours",
            "expected HH:MM-HH:MM such as 07:00-17:00 or 00:00-24:00, got '" + f.expected_hours + "'");

  if (m.has("settings")) {
    yaml_map sm(c, m.child("settings"), "settings");
    std::string v;
    for (const char* k : {"record_number_system", "encounter_system", "timezone"})
      if (sm.text(k, v)) f.settings[k] = v;
    bool legacy = false;
    if (sm.boolean("legacy_4210", legacy)) f.settings["legacy_4210"] = legacy ? "true" : "false";
    fs::path p;
    for (const char* k : {"mapping_file", "code_map_file"})
      if (sm.file(k, p, false)) f.settings[k] = p.string();
    if (auto it = f.settings.find("mapping_file"); it != f.settings.end()) {
      if (auto mp = read_mapping(it->second, codemaps_dir, errors))
        f.mapping = std::make_shared<const mapped::mapping>(std::move(*mp));
    }
  }
  if (!f.mapping && (f.sends(feed_format::mapped) || f.sends(feed_format::cv365)) &&
      f.settings.find("mapping_file") == f.settings.end())
    c.error(root, "settings.mapping_file", "a cv365 or mapped feed needs a mapping file");
  out.push_back(std::move(f));
}

}  // namespace

load_result load_config(const fs::path& gateway_yaml) {
  load_result r;
  auto& errors = r.errors;
  fs::path file = fs::absolute(gateway_yaml).lexically_normal();
  auto root = parse_file(file, errors);
  if (!root) return r;

  yaml_context c{file.string(), file.parent_path(), &errors};
  gateway_config cfg;
  cfg.source_file = file;
  fs::path facilities_dir = c.dir / "facilities";
  fs::path codemaps_dir = c.dir / "codemaps";
  {
    yaml_map m(c, *root, "");
    if (!m.ok()) {
      c.error(*root, "", "wrong type: gateway.yaml must be a mapping");
      return r;
    }
    m.choice("log_level", cfg.log_level, log_levels, "log level");
    if (m.text("default_timezone", cfg.default_timezone)) {
      const auto& z = cfg.default_timezone;
      bool ok = z.size() == 6 && (z[0] == '+' || z[0] == '-') && z[3] == ':' &&
                std::isdigit(static_cast<unsigned char>(z[1])) && std::isdigit(static_cast<unsigned char>(z[2])) &&
                std::isdigit(static_cast<unsigned char>(z[4])) && std::isdigit(static_cast<unsigned char>(z[5]));
      if (!ok)
        c.error(m.child("default_timezone"), "default_timezone", "expected an offset such as +07:00, got '" + z + "'");
    }
    m.integer("io_threads", cfg.io_threads, 1, 256);
    std::string fdir;
    if (m.text("facilities_dir", fdir)) {
      fs::path p(fdir);
      facilities_dir = (p.is_relative() ? c.dir / p : p).lexically_normal();
      if (!fs::is_directory(facilities_dir)) {
        c.error(m.child("facilities_dir"), "facilities_dir", "missing folder: " + facilities_dir.string());
      }
    }
    // Code maps named by mappings (`{map: NAME}` = <codemaps_dir>/NAME.tsv).
    std::string cdir;
    if (m.text("codemaps_dir", cdir)) {
      fs::path p(cdir);
      codemaps_dir = (p.is_relative() ? c.dir / p : p).lexically_normal();
      if (!fs::is_directory(codemaps_dir))
        c.error(m.child("codemaps_dir"), "codemaps_dir", "missing folder: " + codemaps_dir.string());
    }

    if (m.has("listeners")) {
      yaml_map lm(c, m.child("listeners"), "listeners");
      read_listener(lm, "mllp", cfg.listeners.mllp, true, true);
      read_listener(lm, "ingest", cfg.listeners.ingest, true, true);
      read_listener(lm, "api", cfg.listeners.api, true, false);
      cfg.listeners.admin.address = "127.0.0.1";
      read_listener(lm, "admin", cfg.listeners.admin, false, false);
      // Two enabled listeners on the same port cannot both bind.
      std::vector<std::pair<std::string, const listener*>> all{{"mllp", &cfg.listeners.mllp},
                                                               {"ingest", &cfg.listeners.ingest},
                                                               {"api", &cfg.listeners.api},
                                                               {"admin", &cfg.listeners.admin}};
      for (std::size_t i = 0; i < all.size(); ++i)
        for (std::size_t j = i + 1; j < all.size(); ++j)
          if (all[i].second->enabled && all[j].second->enabled && all[i].second->port != 0 &&
              all[i].second->port == all[j].second->port)
            c.error(m.child("listeners"), "listeners." + all[j].first + ".port",
                    "port " + std::to_string(all[j].second->port) + " is also used by listeners." + all[i].first);
    } else {
      m.missing("listeners");
    }

    if (m.has("database")) {
      yaml_map dm(c, m.child("database"), "database");
      dm.text("dsn", cfg.database.dsn);
      fs::path dsn_file;
      if (dm.file("dsn_file", dsn_file, false)) {
        std::ifstream in(dsn_file);
        std::getline(in, cfg.database.dsn);
      }
      dm.integer("pool_size", cfg.database.pool_size, 1, 256);
      dm.duration("connect_timeout", cfg.database.connect_timeout);
      dm.duration("statement_timeout", cfg.database.statement_timeout);
      dm.integer("raw_retention_months", cfg.database.raw_retention_months, 1, 1200);
      dm.integer("partitions_ahead_months", cfg.database.partitions_ahead_months, 1, 24);
    }

    if (m.has("national")) {
      yaml_map nm(c, m.child("national"), "national");
      nm.boolean("enabled", cfg.national.enabled);
      nm.text("base_url", cfg.national.base_url, cfg.national.enabled);
      if (!cfg.national.base_url.empty() && cfg.national.base_url.rfind("https://", 0) != 0)
        c.error(nm.child("base_url"), "national.base_url", "must be an https:// URL");
      read_tls(nm, "tls", cfg.national.tls, true);
      if (cfg.national.enabled && !cfg.national.tls) nm.missing("tls");
      nm.duration("request_timeout", cfg.national.request_timeout);
    }

    if (m.has("forwarding")) {
      yaml_map fm(c, m.child("forwarding"), "forwarding");
      fm.integer("batch_max_resources", cfg.forwarding.batch_max_resources, 1, 10'000);
      fm.duration("batch_max_delay", cfg.forwarding.batch_max_delay);
      fm.integer("max_attempts", cfg.forwarding.max_attempts, 1, 1000);
      fm.duration("backoff_initial", cfg.forwarding.backoff_initial);
      fm.duration("backoff_max", cfg.forwarding.backoff_max);
      fm.duration("lease", cfg.forwarding.lease);
      fm.integer("concurrency", cfg.forwarding.concurrency, 1, 64);
      fm.text("instance_name", cfg.forwarding.instance_name);
      fm.duration("delivered_retention", cfg.forwarding.delivered_retention);
    }
  }

  // Facilities: every *.yaml in the folder, in name order (so errors come out in a stable order).
  if (fs::is_directory(facilities_dir)) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(facilities_dir))
      if (e.is_regular_file() && (e.path().extension() == ".yaml" || e.path().extension() == ".yml"))
        files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& f : files)
      if (auto node = parse_file(f, errors)) read_facility(f, *node, errors, cfg.facilities, codemaps_dir);
    if (files.empty()) errors.push_back({facilities_dir.string(), 0, "", "no facility files (*.yaml) found"});
  }

  // Cross-facility checks: duplicate codes and certificates claimed by two facilities.
  std::map<std::string, const facility*> by_code, by_subject, by_fp;
  for (const auto& f : cfg.facilities) {
    if (f.code.empty()) continue;
    auto [it, inserted] = by_code.emplace(f.code, &f);
    if (!inserted)
      errors.push_back({f.source_file.string(), 0, "code",
                        "duplicate facility code " + f.code + " (also in " + it->second->source_file.string() + ")"});
    for (const auto& s : f.certificates.subjects) {
      auto [sit, ins] = by_subject.emplace(s, &f);
      if (!ins && sit->second->code != f.code)
        errors.push_back({f.source_file.string(), 0, "certificates.subjects",
                          "certificate subject also bound to facility " + sit->second->code});
    }
    for (const auto& s : f.certificates.sha256_fingerprints) {
      auto [sit, ins] = by_fp.emplace(s, &f);
      if (!ins && sit->second->code != f.code)
        errors.push_back({f.source_file.string(), 0, "certificates.sha256_fingerprints",
                          "certificate fingerprint also bound to facility " + sit->second->code});
    }
  }
  std::sort(cfg.facilities.begin(), cfg.facilities.end(),
            [](const facility& a, const facility& b) { return a.code < b.code; });

  if (errors.empty()) r.config = std::move(cfg);
  return r;
}

}  // namespace gw::config
