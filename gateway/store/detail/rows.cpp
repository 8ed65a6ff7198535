#include "gateway/store/detail/rows.hpp"

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

bool resource_rows::add(std::int64_t message_id, std::string_view facility,
                        const std::vector<resource_write>& resources) {
  // Within the message the last of a type + id wins.
  std::map<std::pair<std::string_view, std::string_view>, std::size_t> last;
  for (std::size_t i = 0; i < resources.size(); ++i) last[{resources[i].type, resources[i].id}] = i;
  std::vector<std::size_t> take;
  take.reserve(last.size());
  for (std::size_t i = 0; i < resources.size(); ++i) {
    const auto& r = resources[i];
    if (last[{r.type, r.id}] != i) continue;
    auto it = seen_.find({r.type, r.id});
    if (it == seen_.end())
      take.push_back(i);
    else if (it->second != r.json)
      return false;  // another version of a resource this statement already writes
  }
  for (std::size_t i : take) {
    const auto& r = resources[i];
    seen_.emplace(std::pair<std::string_view, std::string_view>{r.type, r.id}, r.json);
    if (count_++ > 0) out_.push_back(',');
    out_.append("{\"ord\":");
    out_.append(std::to_string(ord_ + i));
    out_.append(",\"msg\":");
    out_.append(std::to_string(message_id));
    out_.append(",\"facility\":");
    append_json_string(out_, facility);
    out_ += ",\"type\":";
    append_json_string(out_, r.type);
    out_ += ",\"id\":";
    append_json_string(out_, r.id);
    out_ += ",\"patient_id\":";
    if (r.patient_id.empty())
      out_ += "null";
    else
      append_json_string(out_, r.patient_id);
    out_ += ",\"content\":";
    out_ += r.json;
    out_.push_back('}');
  }
  ord_ += resources.size();
  return true;
}

const std::string& resource_rows::json() {
  json_ = out_;
  json_.push_back(']');
  return json_;
}

std::string resources_json(std::int64_t message_id, std::string_view facility,
                           const std::vector<resource_write>& resources) {
  resource_rows rows;
  rows.add(message_id, facility, resources);
  return rows.json();
}

void link_rows::add(const std::vector<patient_link_write>& links) {
  // Within a message: the first entry that names the person (a merge names the old number on
  // both records). Across messages: the person of the last message that names one.
  std::map<std::pair<std::string_view, std::string_view>, const patient_link_write*> mine;
  for (const auto& l : links) {
    auto& slot = mine[{l.facility, l.record_number}];
    if (!slot || (slot->person_id.empty() && !l.person_id.empty())) slot = &l;
  }
  for (const auto& [key, l] : mine) {
    auto& r = rows_[key];
    if (!r.first) r.first = l;
    if (!l->person_id.empty()) r.person = l;
  }
}

std::string link_rows::json() const {
  std::string out = "[";
  bool first = true;
  for (const auto& [key, r] : rows_) {
    if (!first) out.push_back(',');
    first = false;
    out += "{\"facility\":";
    append_json_string(out, r.first->facility);
    out += ",\"record_number\":";
    append_json_string(out, r.first->record_number);
    out += ",\"local_patient_id\":";
    append_json_string(out, r.first->local_patient_id);
    out += ",\"person_id\":";
    if (!r.person)
      out += "null";
    else
      append_json_string(out, r.person->person_id);
    out.push_back('}');
  }
  out.push_back(']');
  return out;
}

std::string links_json(const std::vector<patient_link_write>& links) {
  link_rows rows;
  rows.add(links);
  return rows.json();
}

}  // namespace gw::store::detail
