#include "gateway/store/detail/rows.hpp"

#include <algorithm>

#include "gateway/store/outbox_store.hpp"

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

void resource_rows::add(std::int64_t message_id, std::string_view facility,
                        const std::vector<resource_write>& resources) {
  // Within the message the last of a type + id wins.
  std::map<key, std::size_t> last;
  for (std::size_t i = 0; i < resources.size(); ++i) last[{resources[i].type, resources[i].id}] = i;
  // Layers are chosen against earlier messages only: rows of this message may go in any order.
  std::vector<std::pair<key, std::size_t>> keys_used;
  for (std::size_t i = 0; i < resources.size(); ++i) {
    const auto& r = resources[i];
    const key id{r.type, r.id};
    if (last[id] != i) continue;
    std::size_t at = 0;
    auto seen = seen_.find(id);
    if (seen != seen_.end()) {
      if (seen->second.content == r.json) continue;  // the batch already stores this content
      at = seen->second.layer + 1;
    }
    const key patient_key = r.patient_id.empty() ? id : key{r.patient_id, {}};
    if (auto k = key_layer_.find(patient_key); k != key_layer_.end()) at = std::max(at, k->second);
    // Not before what it references: a resource of the batch (another patient's too, e.g. a
    // newborn's Encounter partOf the mother's) placed in a higher layer gets a higher outbox seq,
    // and the forwarder only holds a row back for referenced rows with a lower seq. Only read
    // when a higher layer exists (no repeat in the batch: one layer, nothing to read).
    if (at + 1 < layers_.size()) {
      for (const auto& ref : references_in(r.json))
        if (auto s = seen_.find(key{ref.type, ref.id}); s != seen_.end()) at = std::max(at, s->second.layer);
    }
    keys_used.emplace_back(patient_key, at);
    seen_[id] = {r.json, at};
    if (layers_.size() <= at) layers_.resize(at + 1);
    auto& l = layers_[at];
    auto& out = l.out;
    out.append(l.count++ > 0 ? ",{\"ord\":" : "{\"ord\":");
    out.append(std::to_string(ord_ + i));
    out.append(",\"msg\":");
    out.append(std::to_string(message_id));
    out.append(",\"facility\":");
    append_json_string(out, facility);
    out += ",\"type\":";
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
  for (const auto& [k, at] : keys_used) {
    auto& highest = key_layer_[k];
    highest = std::max(highest, at);
  }
  ord_ += resources.size();
}

std::string resource_rows::json(std::size_t i) const {
  std::string out;
  out.reserve(layers_.at(i).out.size() + 2);
  out.push_back('[');
  out += layers_[i].out;
  out.push_back(']');
  return out;
}

std::string resources_json(std::int64_t message_id, std::string_view facility,
                           const std::vector<resource_write>& resources) {
  resource_rows rows;
  rows.add(message_id, facility, resources);
  return rows.empty() ? "[]" : rows.json(0);  // one message: one layer
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
