#include "adapters/cv365/translate.hpp"

#include <pugixml.hpp>

#include <algorithm>
#include <cctype>
#include <map>
#include <string>

namespace gw::cv365 {

using fhir::issue;
using fhir::issue_code;
using fhir::severity;

namespace {

using allocator = rapidjson::Document::AllocatorType;

rapidjson::Value text_value(std::string_view s, allocator& a) {
  return rapidjson::Value(s.data(), static_cast<rapidjson::SizeType>(s.size()), a);
}

/// An element with child elements becomes an object (repeated names: a list), else its text.
rapidjson::Value convert(const pugi::xml_node& n, allocator& a, std::size_t depth, const mapped::limits& l,
                         std::string path, fhir::issue_list& issues) {
  bool has_children = false;
  for (auto c : n.children())
    if (c.type() == pugi::node_element) has_children = true;
  if (!has_children) {
    std::string_view text = n.child_value();
    return text.empty() ? rapidjson::Value() : text_value(text, a);  // <GiayChuyenVien/>: absent
  }
  rapidjson::Value o(rapidjson::kObjectType);
  if (depth >= l.max_depth) {
    issues.push_back(issue{severity::error, issue_code::too_costly, path,
                           "XML nested deeper than " + std::to_string(l.max_depth) + " levels"});
    return o;
  }
  std::map<std::string, std::size_t> count;
  for (auto c : n.children())
    if (c.type() == pugi::node_element) ++count[c.name()];
  for (auto c : n.children()) {
    if (c.type() != pugi::node_element) continue;
    std::string name = c.name();
    auto child = convert(c, a, depth + 1, l, path + "/" + name, issues);
    if (count[name] == 1) {
      o.AddMember(text_value(name, a), child, a);
      continue;
    }
    auto m = o.FindMember(name.c_str());
    if (m == o.MemberEnd()) {
      o.AddMember(text_value(name, a), rapidjson::Value(rapidjson::kArrayType), a);
      m = o.FindMember(name.c_str());
    }
    m->value.PushBack(child, a);
  }
  return o;
}

bool known_group(std::string_view g) {
  return std::find(groups.begin(), groups.end(), g) != groups.end();
}

}  // namespace

mapped::source_document load_xml(std::string_view bytes, const mapped::limits& l, fhir::issue_list& issues) {
  mapped::source_document d;
  d.doc.SetObject();
  if (bytes.size() > l.max_input_bytes) {
    issues.push_back(issue{severity::error, issue_code::too_costly, "",
                           "input of " + std::to_string(bytes.size()) + " bytes exceeds the limit of " +
                               std::to_string(l.max_input_bytes)});
    return d;
  }
  pugi::xml_document x;
  // parse_default: no DTD processing beyond the predefined entities, no external entities.
  auto r = x.load_buffer(bytes.data(), bytes.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!r) {
    issues.push_back(issue{severity::error, issue_code::structure, "byte " + std::to_string(r.offset),
                           std::string("not well-formed XML: ") + r.description()});
    return d;
  }
  auto root = x.document_element();
  if (std::string_view(root.name()) != "HoSoBenhAn") {
    issues.push_back(issue{severity::error, issue_code::structure, "/",
                           "root element is <" + std::string(root.name()).substr(0, 40) + ">, expected <HoSoBenhAn>"});
    return d;
  }
  auto& a = d.doc.GetAllocator();
  auto tree = convert(root, a, 1, l, "/HoSoBenhAn", issues);
  if (!tree.IsObject()) tree.SetObject();
  d.doc.AddMember("HoSoBenhAn", tree, a);
  return d;
}

mapped::translation translate(std::string_view bytes, const mapped::settings& s, const mapped::context& ctx) {
  mapped::translation out;
  if (!s.map) return out;
  fhir::issue_list load_issues;
  std::size_t first = 0;
  while (first < bytes.size() && std::isspace(static_cast<unsigned char>(bytes[first]))) ++first;
  if (bytes.substr(first, 3) == "\xEF\xBB\xBF") first += 3;
  mapped::source_document doc;
  if (first < bytes.size() && bytes[first] == '<') {
    doc = load_xml(bytes, s.limits, load_issues);
    if (!fhir::has_errors(load_issues)) mapped::find_records(doc, s.map->json.records, s.limits, load_issues);
  } else if (first < bytes.size() && (bytes[first] == '{' || bytes[first] == '[')) {
    doc = mapped::load_json(bytes, s.map->encoding, s.map->json, s.limits, load_issues);
  } else {
    load_issues.push_back(issue{severity::error, issue_code::structure, "byte " + std::to_string(first),
                                "neither JSON nor XML: a CV 365 HoSoBenhAn starts with '{' or '<'"});
  }

  // Unknown groups: one warning each, and their fields are not listed again one by one.
  mapped::mapping m = *s.map;
  for (const auto& rec : doc.records) {
    for (const auto& g : rec.value->GetObject()) {
      std::string name(g.name.GetString(), g.name.GetStringLength());
      if (known_group(name)) continue;
      if (std::find(m.ignored.begin(), m.ignored.end(), "/" + name) != m.ignored.end()) continue;
      m.ignored.push_back("/" + name);
      load_issues.push_back(issue{severity::warning, issue_code::not_supported, rec.pointer + "/" + name,
                                  "unknown group " + name.substr(0, 60) + " (not in CV 365): not mapped"});
    }
  }
  mapped::settings local = s;
  local.map = &m;
  local.unknown_fields_are_issues = true;
  out = mapped::translate(doc, local, ctx);
  out.issues.insert(out.issues.begin(), load_issues.begin(), load_issues.end());
  return out;
}

}  // namespace gw::cv365
