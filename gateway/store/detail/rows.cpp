#include "gateway/store/detail/rows.hpp"

#include <map>

namespace gw::store::detail {

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char ch : s) {
    switch (ch) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(ch) < 0x20) {
          static constexpr char k[] = "0123456789abcdef";
          out += "\\u00";
          out.push_back(k[(ch >> 4) & 15]);
          out.push_back(k[ch & 15]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
}

std::string resources_json(const std::vector<resource_write>& resources) {
  std::map<std::pair<std::string_view, std::string_view>, std::size_t> last;
  for (std::size_t i = 0; i < resources.size(); ++i) last[{resources[i].type, resources[i].id}] = i;
  std::string out = "[";
  bool first = true;
  for (std::size_t i = 0; i < resources.size(); ++i) {
    const auto& r = resources[i];
    if (last[{r.type, r.id}] != i) continue;
    if (!first) out.push_back(',');
    first = false;
    out += "{\"ord\":" + std::to_string(i) + ",\"type\":";
    append_json_string(out, r.type);
    out += ",\"id\":";
    append_json_string(out, r.id);
    out += ",\"patient_id\":";
    if (r.patient_id.empty())
      out += "null";
    else
      append_json_string(out, r.patient_id);
    out += ",\"content\":";
    out += r.json;
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

std::string links_json(const std::vector<patient_link_write>& links) {
  // One row per facility record number (a merge names the old number on both records); the
  // person, when any entry knows it, wins.
  std::map<std::pair<std::string_view, std::string_view>, const patient_link_write*> unique;
  for (const auto& l : links) {
    auto& slot = unique[{l.facility, l.record_number}];
    if (!slot || (slot->person_id.empty() && !l.person_id.empty())) slot = &l;
  }
  std::string out = "[";
  bool first = true;
  for (const auto& [key, l] : unique) {
    if (!first) out.push_back(',');
    first = false;
    out += "{\"facility\":";
    append_json_string(out, l->facility);
    out += ",\"record_number\":";
    append_json_string(out, l->record_number);
    out += ",\"local_patient_id\":";
    append_json_string(out, l->local_patient_id);
    out += ",\"person_id\":";
    if (l->person_id.empty())
      out += "null";
    else
      append_json_string(out, l->person_id);
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

}  // namespace gw::store::detail
