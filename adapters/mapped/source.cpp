#include "adapters/mapped/source.hpp"

#include <rapidjson/error/en.h>
#include <rapidjson/pointer.h>

#include <algorithm>
#include <charconv>

#include "adapters/mapped/encoding.hpp"
#include "fhir/text.hpp"

namespace gw::mapped {

using fhir::issue;
using fhir::issue_code;
using fhir::severity;

namespace {

void add(fhir::issue_list& issues, severity s, issue_code c, std::string location, std::string message) {
  issues.push_back(issue{s, c, std::move(location), std::move(message)});
}

std::string line_col(std::size_t line, std::size_t column) {
  return "line " + std::to_string(line) + " column " + std::to_string(column);
}

std::string escape_token(std::string_view t) {
  std::string out;
  for (char c : t) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string_view kind_name(const rapidjson::Value& v) {
  if (v.IsObject()) return "an object";
  if (v.IsArray()) return "an array";
  if (v.IsNull()) return "null";
  return "a scalar";
}

bool within_input_limit(std::string_view bytes, const limits& l, fhir::issue_list& issues) {
  if (bytes.size() <= l.max_input_bytes) return true;
  add(issues, severity::error, issue_code::too_costly, "",
      "input of " + std::to_string(bytes.size()) + " bytes exceeds the limit of " + std::to_string(l.max_input_bytes));
  return false;
}

/// Depth of nesting, stopping once past `max` (so a deep document costs no more than `max`).
bool within_depth(const rapidjson::Value& v, std::size_t depth, std::size_t max) {
  if (depth > max) return false;
  if (v.IsObject()) {
    for (const auto& m : v.GetObject())
      if (!within_depth(m.value, depth + 1, max)) return false;
  } else if (v.IsArray()) {
    for (const auto& e : v.GetArray())
      if (!within_depth(e, depth + 1, max)) return false;
  }
  return true;
}

}  // namespace

std::string source_document::locate(const rapidjson::Value* object, std::string_view pointer,
                                    std::string_view key) const {
  if (auto it = lines.find(object); it != lines.end() && it->second.type) {
    const auto& cols = it->second.type->columns;
    if (auto c = cols.find(key); c != cols.end())
      return line_col(it->second.line, c->second) + " (" + std::string(key) + ")";
    return "line " + std::to_string(it->second.line);
  }
  return std::string(pointer) + "/" + escape_token(key);
}

std::string header_name(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  auto nfc = fhir::to_nfc(text);
  return nfc ? *nfc : std::string(text);
}

std::optional<std::string_view> scalar_text(const rapidjson::Value& v) {
  if (v.IsString()) return std::string_view(v.GetString(), v.GetStringLength());
  if (v.IsBool()) return v.GetBool() ? std::string_view("true") : std::string_view("false");
  return std::nullopt;
}

std::string check_pointer(std::string_view pointer) {
  if (pointer.empty()) return {};
  rapidjson::Pointer p(pointer.data(), pointer.size());
  if (p.IsValid()) return {};
  std::string why =
      p.GetParseErrorCode() == rapidjson::kPointerParseErrorTokenMustBeginWithSolidus ? "a JSON Pointer starts with '/'"
      : p.GetParseErrorCode() == rapidjson::kPointerParseErrorInvalidEscape           ? "'~' must be followed by 0 or 1"
                                                                                      : "not a valid JSON Pointer";
  return why + " (at character " + std::to_string(p.GetParseErrorOffset() + 1) + " of '" + std::string(pointer) + "')";
}

lookup follow(const rapidjson::Value& from, std::string_view pointer) {
  lookup r;
  const rapidjson::Value* at = &from;
  std::string walked;
  std::size_t i = 0;
  if (pointer.empty()) {
    r.value = at;
    return r;
  }
  while (i < pointer.size()) {
    // pointer[i] == '/' (checked when the mapping was loaded).
    auto next = pointer.find('/', i + 1);
    std::string_view raw =
        pointer.substr(i + 1, next == std::string_view::npos ? std::string_view::npos : next - i - 1);
    std::string token;
    for (std::size_t k = 0; k < raw.size(); ++k) {
      if (raw[k] == '~' && k + 1 < raw.size()) {
        token += raw[k + 1] == '1' ? '/' : '~';
        ++k;
      } else {
        token += raw[k];
      }
    }
    if (at->IsObject()) {
      auto m = at->FindMember(rapidjson::Value(rapidjson::StringRef(token.data(), token.size())));
      r.parent = at;
      if (m == at->MemberEnd()) return r;
      at = &m->value;
    } else if (at->IsArray()) {
      std::size_t idx = 0;
      auto fc = std::from_chars(token.data(), token.data() + token.size(), idx);
      if (token.empty() || fc.ec != std::errc() || fc.ptr != token.data() + token.size()) {
        r.problem = (walked.empty() ? std::string("the record") : walked) + " is an array, not an object (wanted '" +
                    token + "')";
        return r;
      }
      r.parent = at;
      if (idx >= at->Size()) return r;
      at = &(*at)[static_cast<rapidjson::SizeType>(idx)];
    } else if (at->IsNull() || (at->IsString() && at->GetStringLength() == 0)) {
      return r;  // an empty element (`<GiayChuyenVien/>`, `""`) holds nothing
    } else {
      r.problem = (walked.empty() ? std::string("the record") : walked) + " is " + std::string(kind_name(*at)) +
                  ", not an object (wanted '" + token + "')";
      return r;
    }
    walked += "/" + escape_token(token);
    if (next == std::string_view::npos) break;
    i = next;
  }
  r.value = at;
  return r;
}

void find_records(source_document& d, std::string_view pointer, const limits& l, fhir::issue_list& issues) {
  auto found = follow(d.doc, pointer);
  std::string where = pointer.empty() ? std::string("/") : std::string(pointer);
  if (!found.problem.empty()) {
    add(issues, severity::error, issue_code::structure, where, "records not found: " + found.problem);
    return;
  }
  if (!found.value || found.value->IsNull()) {
    add(issues, severity::error, issue_code::required, where, "records not found: no value at this JSON Pointer");
    return;
  }
  if (found.value->IsObject()) {
    d.records.push_back({found.value, std::string(pointer)});
    return;
  }
  if (!found.value->IsArray()) {
    add(issues, severity::error, issue_code::structure, where,
        "records must be an array of objects or one object, found " + std::string(kind_name(*found.value)));
    return;
  }
  rapidjson::SizeType n = 0;
  for (const auto& e : found.value->GetArray()) {
    std::string at = std::string(pointer) + "/" + std::to_string(n++);
    if (d.records.size() >= l.max_records) {
      add(issues, severity::error, issue_code::too_costly, at,
          "more than " + std::to_string(l.max_records) + " records in one message");
      return;
    }
    if (!e.IsObject()) {
      add(issues, severity::error, issue_code::structure, at,
          "expected an object (one record), found " + std::string(kind_name(e)));
      continue;
    }
    d.records.push_back({&e, at});
  }
}

source_document load_json(std::string_view bytes, text_encoding e, const json_format& f, const limits& l,
                          fhir::issue_list& issues) {
  source_document d;
  if (!within_input_limit(bytes, l, issues)) return d;
  const auto decoded = decode(bytes, e, issues);
  if (!decoded) return d;
  if (!decoded->bad.empty()) {
    // Before parsing there are no JSON Pointers yet: the line and offset name the place (lines
    // counted in the decoded text, where a line feed is one whatever the encoding).
    const std::string_view text = decoded->text(bytes);
    for (const auto& b : decoded->bad) {
      const auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(b.at), '\n');
      add(issues, severity::error, issue_code::value,
          "line " + std::to_string(line) + " byte " + std::to_string(b.input), bad_bytes_message(b, e));
    }
    return d;
  }
  const std::string_view text = decoded->text(bytes);
  d.doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseNumbersAsStringsFlag |
              rapidjson::kParseValidateEncodingFlag | rapidjson::kParseStopWhenDoneFlag>(text.data(), text.size());
  if (d.doc.HasParseError()) {
    const auto off = d.doc.GetErrorOffset();
    const auto line =
        1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + std::min(off, text.size()), '\n'));
    add(issues, severity::error, issue_code::structure, "line " + std::to_string(line) + " byte " + std::to_string(off),
        std::string("not valid JSON: ") + rapidjson::GetParseError_En(d.doc.GetParseError()));
    d.doc.SetNull();
    return d;
  }
  if (!within_depth(d.doc, 0, l.max_depth)) {
    add(issues, severity::error, issue_code::too_costly, "/",
        "JSON nested deeper than " + std::to_string(l.max_depth) + " levels");
    d.doc.SetNull();
    return d;
  }
  find_records(d, f.records, l, issues);
  return d;
}

std::vector<delimited_line> read_delimited(std::string_view bytes, text_encoding e, const delimited_format& f,
                                           const limits& l, fhir::issue_list& issues) {
  std::vector<delimited_line> out;
  if (!within_input_limit(bytes, l, issues)) return out;
  const auto decoded = decode(bytes, e, issues);
  if (!decoded) return out;
  const std::string_view text = decoded->text(bytes);
  auto next_bad = decoded->bad.begin();  // bad bytes in order; fields are read in order too
  std::size_t line = 1, i = 0;
  while (i < text.size()) {
    delimited_line cur;
    cur.number = line;
    std::string field;
    bool bad = false, too_long = false, end_of_line = false;
    while (!end_of_line) {
      field.clear();
      const std::size_t field_begin = i;
      bool quoted = f.quote != '\0' && i < text.size() && text[i] == f.quote;
      const std::size_t field_line = line;
      if (quoted) {
        ++i;
        bool closed = false;
        while (i < text.size()) {
          char c = text[i];
          if (c == f.quote) {
            if (i + 1 < text.size() && text[i + 1] == f.quote) {
              field += c;
              i += 2;
              continue;
            }
            ++i;
            closed = true;
            break;
          }
          if (c == '\n') ++line;
          field += c;
          ++i;
        }
        if (!closed) {
          add(issues, severity::error, issue_code::structure, line_col(field_line, cur.fields.size() + 1),
              "quoted field is not closed before the end of the input");
          bad = true;
        } else if (i < text.size() && text[i] != f.delimiter && text[i] != '\n' && text[i] != '\r') {
          add(issues, severity::error, issue_code::structure, line_col(field_line, cur.fields.size() + 1),
              "text after the closing quote of a field");
          bad = true;
          while (i < text.size() && text[i] != f.delimiter && text[i] != '\n') ++i;
        }
      } else {
        auto stop = i;
        while (stop < text.size() && text[stop] != f.delimiter && text[stop] != '\n') ++stop;
        auto raw = text.substr(i, stop - i);
        if (!raw.empty() && raw.back() == '\r' && (stop == text.size() || text[stop] == '\n')) raw.remove_suffix(1);
        field.assign(raw);
        i = stop;
      }
      bool invalid = false;
      for (; next_bad != decoded->bad.end() && next_bad->at < i; ++next_bad) {
        if (next_bad->at < field_begin || invalid) continue;
        add(issues, severity::error, issue_code::value, line_col(field_line, cur.fields.size() + 1),
            bad_bytes_message(*next_bad, e));
        invalid = bad = true;
      }
      if (invalid) {
        field.clear();
      } else if (field.size() > l.max_field_bytes) {
        if (!too_long)
          add(issues, severity::error, issue_code::too_long, line_col(field_line, cur.fields.size() + 1),
              "field of " + std::to_string(field.size()) + " bytes exceeds the limit of " +
                  std::to_string(l.max_field_bytes));
        too_long = bad = true;
        field.clear();
      }
      cur.fields.push_back(std::move(field));
      if (i < text.size() && text[i] == '\r') ++i;
      if (i >= text.size()) {
        end_of_line = true;
      } else if (text[i] == '\n') {
        ++i;
        ++line;
        end_of_line = true;
      } else {
        ++i;  // delimiter
      }
    }
    const bool blank = cur.fields.size() == 1 && cur.fields[0].empty();
    if (blank || bad) continue;
    if (out.size() >= l.max_records) {
      add(issues, severity::error, issue_code::too_costly, "line " + std::to_string(cur.number),
          "more than " + std::to_string(l.max_records) + " lines in one message");
      break;
    }
    out.push_back(std::move(cur));
  }
  return out;
}

namespace {

/// Gives the columns of `t` named by header their positions in header line `h`. A name the header
/// lacks, or has twice, is an error at the header line (the column then reads nothing); other
/// repeated header names are warnings. Header texts are quoted only when the mapping names them
/// (a data line taken for a header must not put patient data in issues).
void resolve_header(const delimited_line& h, delimited_format::record_type& t, fhir::issue_list& issues) {
  std::map<std::string, std::vector<std::size_t>, std::less<>> at;
  for (std::size_t k = 0; k < h.fields.size(); ++k) at[header_name(h.fields[k])].push_back(k + 1);
  std::map<std::string_view, std::string_view> wanted;  // header text → the mapping's column
  for (const auto& [name, header] : t.by_header) wanted.emplace(header, name);
  for (const auto& [text, positions] : at) {
    if (positions.size() < 2 || text.empty()) continue;
    auto w = wanted.find(text);
    const std::string where = line_col(h.number, positions[1]);
    if (w == wanted.end())
      add(issues, severity::warning, issue_code::duplicate, where,
          "this header name repeats column " + std::to_string(positions[0]));
    else
      add(issues, severity::error, issue_code::duplicate, where,
          "header '" + text + "' is in column " + std::to_string(positions[0]) + " and column " +
              std::to_string(positions[1]) + ": the mapping's column '" + std::string(w->second) +
              "' cannot tell which");
  }
  for (const auto& [name, header] : t.by_header) {
    auto it = at.find(header);
    if (it == at.end())
      add(issues, severity::error, issue_code::not_found, "line " + std::to_string(h.number),
          "the header has no column '" + header + "' (the mapping's column '" + name + "' reads it" +
              (t.code.empty() ? std::string() : " in record type " + t.code) + ")");
    else if (it->second.size() == 1)
      t.columns[name] = it->second.front();
  }
  if (t.width == 0) {
    t.width = h.fields.size();
  } else if (h.fields.size() != t.width) {
    add(issues, severity::error, issue_code::structure, line_col(h.number, std::min(h.fields.size(), t.width) + 1),
        "the header line has " + std::to_string(h.fields.size()) + " columns, the mapping says width " +
            std::to_string(t.width));
  }
}

rapidjson::Value line_object(const delimited_line& ln, const delimited_format::record_type& t,
                             rapidjson::Document::AllocatorType& a) {
  rapidjson::Value o(rapidjson::kObjectType);
  for (const auto& [name, pos] : t.columns) {
    if (pos == 0 || pos > ln.fields.size()) continue;
    const auto& v = ln.fields[pos - 1];
    if (v.empty()) continue;
    o.AddMember(rapidjson::Value(name.c_str(), static_cast<rapidjson::SizeType>(name.size()), a),
                rapidjson::Value(v.c_str(), static_cast<rapidjson::SizeType>(v.size()), a), a);
  }
  return o;
}

}  // namespace

source_document load_delimited(std::string_view bytes, text_encoding e, const delimited_format& f, const limits& l,
                               fhir::issue_list& issues) {
  source_document d;
  auto lines = read_delimited(bytes, e, f, l, issues);
  auto& a = d.doc.GetAllocator();
  d.doc.SetArray();
  if (f.types.empty()) return d;
  const bool several = f.type_column > 0;
  d.types = f.types;  // columns named by header get their positions from this file
  std::vector<bool> is_header(lines.size(), false);
  if (!several && f.header && !lines.empty()) {
    is_header[0] = true;
    // Columns named by position: say where the header names them differently.
    for (const auto& [name, pos] : f.types.front().columns)
      if (pos <= lines[0].fields.size() && lines[0].fields[pos - 1] != name)
        add(issues, severity::warning, issue_code::structure, line_col(lines[0].number, pos),
            "the header names this column differently; the mapping reads it as '" + name + "'");
    resolve_header(lines[0], d.types.front(), issues);
  }
  for (auto& t : d.types) {
    if (!several || !t.header_line_in_file) continue;
    for (std::size_t k = 0; k < lines.size(); ++k) {
      if (f.type_column > lines[k].fields.size() || lines[k].fields[f.type_column - 1] != t.code) continue;
      is_header[k] = true;
      resolve_header(lines[k], t, issues);
      break;
    }
  }

  // Pass 1: which type each line is, and width checks.
  std::vector<const delimited_format::record_type*> type_of(lines.size(), nullptr);
  for (std::size_t k = 0; k < lines.size(); ++k) {
    if (is_header[k]) continue;
    const auto& ln = lines[k];
    const delimited_format::record_type* t = &d.types.front();
    if (several) {
      const std::string& code = f.type_column <= ln.fields.size() ? ln.fields[f.type_column - 1] : std::string();
      auto it = std::find_if(d.types.begin(), d.types.end(), [&](const auto& x) { return x.code == code; });
      if (it == d.types.end()) {
        add(issues, severity::error, issue_code::code_invalid, line_col(ln.number, f.type_column),
            "unknown record type" + (code.size() <= 8 ? " '" + code + "'" : std::string()) +
                (ln.fields.size() == 1 ? " (one field only: is the delimiter right?)" : ""));
        continue;
      }
      t = &*it;
    }
    if (ln.fields.size() != t->width) {
      std::string msg = std::to_string(ln.fields.size()) + " field" + (ln.fields.size() == 1 ? "" : "s") + ", " +
                        (t->code.empty() ? std::string("a line") : "record type " + t->code) + " has " +
                        std::to_string(t->width);
      if (ln.fields.size() == 1) msg += std::string(" (is the delimiter '") + f.delimiter + "' right?)";
      add(issues, severity::error, issue_code::structure, line_col(ln.number, std::min(ln.fields.size(), t->width) + 1),
          msg);
      continue;
    }
    type_of[k] = t;
  }

  // Pass 2: build the records. Values move while arrays grow, so the line of each object is
  // remembered by position and attached once the tree is complete.
  std::vector<std::size_t> record_line;  // record → its (visit) line index
  std::map<std::pair<rapidjson::SizeType, std::string>, std::vector<std::size_t>> member_lines;
  std::map<std::string, rapidjson::SizeType, std::less<>> visit_index;
  auto key_of = [&](std::size_t k, std::size_t& column) {
    auto link = type_of[k]->columns.find(f.link_column);
    column = link == type_of[k]->columns.end() ? 0 : link->second;
    return column == 0 ? std::string() : lines[k].fields[column - 1];
  };
  for (std::size_t k = 0; k < lines.size(); ++k) {
    const auto* t = type_of[k];
    if (!t) continue;
    if (!several) {
      record_line.push_back(k);
      d.doc.PushBack(line_object(lines[k], *t, a), a);
      continue;
    }
    if (t->code != f.visit_type) continue;
    std::size_t column = 0;
    const std::string key = key_of(k, column);
    if (visit_index.count(key)) {
      add(issues, severity::error, issue_code::duplicate, line_col(lines[k].number, column),
          "a second " + t->code + " line for the same visit");
      continue;
    }
    rapidjson::Value rec(rapidjson::kObjectType);
    rec.AddMember(rapidjson::Value(t->code.c_str(), a), line_object(lines[k], *t, a), a);
    visit_index.emplace(key, d.doc.Size());
    record_line.push_back(k);
    d.doc.PushBack(rec, a);
  }
  for (std::size_t k = 0; several && k < lines.size(); ++k) {
    const auto* t = type_of[k];
    if (!t || t->code == f.visit_type) continue;
    std::size_t column = 0;
    const std::string key = key_of(k, column);
    auto v = visit_index.find(key);
    if (v == visit_index.end()) {
      add(issues, severity::error, issue_code::not_found,
          column == 0 ? "line " + std::to_string(lines[k].number) : line_col(lines[k].number, column),
          t->code + " line names a visit that has no " + f.visit_type + " line");
      continue;
    }
    auto& rec = d.doc[v->second];
    auto member = rec.FindMember(t->code.c_str());
    if (member == rec.MemberEnd()) {
      rec.AddMember(rapidjson::Value(t->code.c_str(), a), rapidjson::Value(rapidjson::kArrayType), a);
      member = rec.FindMember(t->code.c_str());
    }
    member->value.PushBack(line_object(lines[k], *t, a), a);
    member_lines[{v->second, t->code}].push_back(k);
  }

  for (rapidjson::SizeType r = 0; r < d.doc.Size(); ++r) {
    auto& rec = d.doc[r];
    d.records.push_back({&rec, "/" + std::to_string(r)});
    const std::size_t k = record_line[r];
    if (!several) {
      d.lines[&rec] = {lines[k].number, type_of[k]};
      continue;
    }
    d.lines[&rec[f.visit_type.c_str()]] = {lines[k].number, type_of[k]};
  }
  for (const auto& [at, ks] : member_lines) {
    auto& arr = d.doc[at.first][at.second.c_str()];
    for (rapidjson::SizeType n = 0; n < arr.Size() && n < ks.size(); ++n)
      d.lines[&arr[n]] = {lines[ks[n]].number, type_of[ks[n]]};
  }
  return d;
}

}  // namespace gw::mapped
