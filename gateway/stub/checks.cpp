#include "gateway/stub/checks.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <unordered_set>

#include "fhir/validate.hpp"

namespace gw::stub {

namespace {

using fhir::issue_code;
using fhir::severity;
using json_writer = rapidjson::Writer<rapidjson::StringBuffer>;

std::string_view sv(const rapidjson::Value& v) {
  return v.IsString() ? std::string_view(v.GetString(), v.GetStringLength()) : std::string_view();
}

std::string_view member(const rapidjson::Value& obj, const char* key) {
  if (!obj.IsObject()) return {};
  auto it = obj.FindMember(key);
  return it == obj.MemberEnd() ? std::string_view() : sv(it->value);
}

void add(fhir::issue_list& issues, issue_code code, std::string location, std::string message) {
  issues.push_back({severity::error, code, std::move(location), std::move(message), fhir::hl7_error::none});
}

/// "Type/id" or "Type/id/_history/n" → {Type, id}; other forms (urn:uuid:, #contained,
/// absolute URLs) give nothing.
bool split_relative(std::string_view ref, std::string_view& type, std::string_view& id) {
  auto slash = ref.find('/');
  if (slash == std::string_view::npos || slash == 0 || ref[0] < 'A' || ref[0] > 'Z') return false;
  type = ref.substr(0, slash);
  for (char c : type)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
  id = ref.substr(slash + 1);
  if (auto h = id.find("/_history/"); h != std::string_view::npos) id = id.substr(0, h);
  return !id.empty() && id.find('/') == std::string_view::npos;
}

/// Collects relative references (key "reference") below `v`, with their FHIRPath.
void collect_references(const rapidjson::Value& v, std::string& path,
                        std::vector<std::pair<std::string, std::string>>& out) {
  if (v.IsObject()) {
    for (auto m = v.MemberBegin(); m != v.MemberEnd(); ++m) {
      auto len = path.size();
      path += '.';
      path.append(m->name.GetString(), m->name.GetStringLength());
      if (sv(m->name) == "reference" && m->value.IsString())
        out.emplace_back(path, std::string(sv(m->value)));
      else
        collect_references(m->value, path, out);
      path.resize(len);
    }
  } else if (v.IsArray()) {
    for (rapidjson::SizeType i = 0; i < v.Size(); ++i) {
      auto len = path.size();
      path += "[" + std::to_string(i) + "]";
      collect_references(v[i], path, out);
      path.resize(len);
    }
  }
}

/// The patient an entry belongs to: a Patient itself, else the Patient its subject, patient or
/// beneficiary names.
std::string patient_of(std::string_view type, std::string_view id, const rapidjson::Value& res) {
  if (type == "Patient") return std::string(id);
  if (!res.IsObject()) return {};
  for (const char* key : {"subject", "patient", "beneficiary"}) {
    auto it = res.FindMember(key);
    if (it == res.MemberEnd()) continue;
    auto ref = member(it->value, "reference");
    std::string_view t, i;
    if (split_relative(ref, t, i) && t == "Patient") return std::string(i);
  }
  return {};
}

bool has_person_identifier(const rapidjson::Value& res, const check_settings& s) {
  if (!res.HasMember("identifier") || !res["identifier"].IsArray()) return false;
  for (const auto& id : res["identifier"].GetArray()) {
    auto system = member(id, "system");
    if (member(id, "value").empty() || system.empty()) continue;
    if (system == s.cccd_system) return true;
    for (const auto& p : s.record_number_systems)
      if (glob_match(p, system)) return true;
  }
  return false;
}

void write_string(json_writer& w, std::string_view s) {
  w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

void write_optional(json_writer& w, std::string_view s) {
  if (s.empty())
    w.Null();
  else
    write_string(w, s);
}

/// One resource to store: its checks, its row in the batch's JSON and its references.
struct entry_view {
  std::size_t index = 0;
  std::string prefix;  ///< FHIRPath of the resource: "Bundle.entry[3].resource" or "Patient"
  const rapidjson::Value* resource = nullptr;
  const fhir::any_resource* typed = nullptr;
  std::string type, id;
};

/// Checks done per entry once the whole request parsed and validated, then the batch rows.
void finish(std::vector<entry_view>& entries, const check_settings& s, checked_request& out) {
  std::unordered_set<std::string> in_batch;
  for (const auto& e : entries) {
    std::string key = e.type + "/" + e.id;
    if (!in_batch.insert(key).second)
      add(out.issues, issue_code::duplicate, e.prefix,
          "the transaction names " + e.type + "/" + e.id + " twice; a resource may appear once per transaction");
    out.keys.push_back(std::move(key));
  }
  std::vector<std::pair<std::string, std::string>> refs;
  std::string path;
  for (const auto& e : entries) {
    if (e.type == "Patient" && !has_person_identifier(*e.resource, s))
      add(out.issues, issue_code::required, e.prefix + ".identifier",
          "a Patient needs a CCCD identifier (system " + s.cccd_system + ") or a facility record-number identifier");
    refs.clear();
    path = e.prefix;
    collect_references(*e.resource, path, refs);
    for (const auto& [where, ref] : refs) {
      std::string_view t, i;
      if (!split_relative(ref, t, i)) continue;
      std::string key = std::string(t) + "/" + std::string(i);
      if (in_batch.count(key) != 0) continue;
      out.batch.references.push_back({e.index, std::string(t), std::string(i), where});
    }
  }
  if (fhir::has_errors(out.issues)) {
    out.what = checked_request::verdict::invalid;
    return;
  }
  rapidjson::StringBuffer buf, log_buf;
  json_writer w(buf), log(log_buf);
  w.StartArray();
  log.StartArray();
  for (const auto& e : entries) {
    const auto& res = *e.resource;
    const rapidjson::Value* meta = res.HasMember("meta") ? &res["meta"] : nullptr;
    for (json_writer* x : {&w, &log}) {
      x->StartObject();
      x->Key("ord");
      x->Uint64(e.index);
      x->Key("type");
      write_string(*x, e.type);
      x->Key("id");
      write_string(*x, e.id);
      x->Key("patient_id");
      write_optional(*x, patient_of(e.type, e.id, res));
      x->Key("source_version");
      write_optional(*x, meta ? member(*meta, "versionId") : std::string_view());
      x->Key("source");
      write_optional(*x, meta ? member(*meta, "source") : std::string_view());
    }
    // The typed model's JSON: the same canonical form the gateway writes (decimals keep their
    // exact text, e.g. "1.50").
    std::string content = fhir::to_json(*e.typed);
    w.Key("content");
    w.RawValue(content.data(), content.size(), rapidjson::kObjectType);
    w.EndObject();
    log.EndObject();
  }
  w.EndArray();
  log.EndArray();
  out.batch.entries_json = buf.GetString();
  out.batch.log_json = log_buf.GetString();
  out.batch.count = entries.size();
}

/// Parses `body` twice: as a JSON tree (navigation) and into the typed model (validation).
bool parse_both(std::string_view body, const check_settings& s, rapidjson::Document& doc, fhir::any_resource& typed,
                checked_request& out) {
  if (body.size() > s.limits.max_bytes) {
    add(out.issues, issue_code::too_long, "", "the body exceeds " + std::to_string(s.limits.max_bytes) + " bytes");
    out.what = checked_request::verdict::malformed;
    return false;
  }
  doc.Parse<rapidjson::kParseIterativeFlag | rapidjson::kParseStopWhenDoneFlag>(body.data(), body.size());
  if (doc.HasParseError() || !doc.IsObject()) {
    add(out.issues, issue_code::structure, "", "the body is not a JSON object");
    out.what = checked_request::verdict::malformed;
    return false;
  }
  typed = fhir::parse_resource(body, out.issues, s.limits);
  return true;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view text) {
  auto star = pattern.find('*');
  if (star == std::string_view::npos) return pattern == text;
  auto head = pattern.substr(0, star);
  if (text.substr(0, head.size()) != head) return false;
  auto rest = pattern.substr(star + 1);
  for (std::size_t at = head.size(); at <= text.size(); ++at)
    if (glob_match(rest, text.substr(at))) return true;
  return false;
}

checked_request check_transaction(std::string_view body, const check_settings& s) {
  checked_request out;
  rapidjson::Document doc;
  fhir::any_resource typed;
  if (!parse_both(body, s, doc, typed, out)) return out;
  if (member(doc, "resourceType") != "Bundle" || member(doc, "type") != "transaction") {
    out.issues.clear();
    add(out.issues, issue_code::structure, "", "POST /fhir takes a Bundle of type transaction");
    out.what = checked_request::verdict::malformed;
    return out;
  }
  const auto* bundle = typed.get_if<fhir::Bundle>();
  if (bundle != nullptr) fhir::validate(*bundle, out.issues);
  std::vector<entry_view> entries;
  if (doc.HasMember("entry") && doc["entry"].IsArray()) {
    const auto& arr = doc["entry"];
    for (rapidjson::SizeType i = 0; i < arr.Size(); ++i) {
      std::string at = "Bundle.entry[" + std::to_string(i) + "]";
      const auto& e = arr[i];
      entry_view v;
      v.index = i;
      v.prefix = at + ".resource";
      v.resource = e.IsObject() && e.HasMember("resource") && e["resource"].IsObject() ? &e["resource"] : nullptr;
      if (v.resource == nullptr) {
        add(out.issues, issue_code::required, at, "the entry has no resource");
        continue;
      }
      v.type = std::string(member(*v.resource, "resourceType"));
      v.id = std::string(member(*v.resource, "id"));
      if (v.id.empty()) add(out.issues, issue_code::required, v.prefix + ".id", "the resource has no id");
      const rapidjson::Value* req = e.HasMember("request") ? &e["request"] : nullptr;
      if (req == nullptr || member(*req, "method") != "PUT")
        add(out.issues, issue_code::not_supported, at + ".request.method", "only PUT entries are accepted");
      else if (member(*req, "url") != v.type + "/" + v.id)
        add(out.issues, issue_code::invalid, at + ".request.url",
            "request.url must be " + v.type + "/<id of the resource>");
      if (bundle != nullptr && i < bundle->entry.size()) v.typed = &bundle->entry[i].resource;
      if (v.typed == nullptr || v.typed->empty()) continue;  // parse issues say why
      entries.push_back(std::move(v));
    }
  }
  if (entries.empty() && !fhir::has_errors(out.issues))
    add(out.issues, issue_code::required, "Bundle.entry", "the transaction has no entries");
  finish(entries, s, out);
  if (fhir::has_errors(out.issues)) out.what = checked_request::verdict::invalid;
  return out;
}

checked_request check_put(std::string_view body, std::string_view type, std::string_view id, const check_settings& s) {
  checked_request out;
  rapidjson::Document doc;
  fhir::any_resource typed;
  if (!parse_both(body, s, doc, typed, out)) return out;
  if (member(doc, "resourceType") != type || member(doc, "id") != id) {
    out.issues.clear();
    add(out.issues, issue_code::invalid, "",
        "the body must be a " + std::string(type) + " whose id is the one in the URL");
    out.what = checked_request::verdict::malformed;
    return out;
  }
  if (!typed.empty()) fhir::validate(typed, out.issues);
  std::vector<entry_view> entries;
  if (!typed.empty()) entries.push_back({0, std::string(type), &doc, &typed, std::string(type), std::string(id)});
  finish(entries, s, out);
  if (fhir::has_errors(out.issues)) out.what = checked_request::verdict::invalid;
  return out;
}

}  // namespace gw::stub
