#include "gateway/store/replay_store.hpp"

#include "gateway/store/detail/rows.hpp"
#include "gateway/store/detail/session.hpp"

namespace gw::store {

std::vector<stored_message> replay_store::select(const replay_filter& f) {
  std::vector<stored_message> out;
  db_.run_sync([&](session& s) {
    pqxx::read_transaction tx(s.conn());
    auto r = tx.exec_params(
        "SELECT id, received_at::text, extract(epoch FROM received_at)::float8, facility, transport, format, "
        "message_key, outcome, raw FROM inbound_message "
        "WHERE facility = $1 AND ($2 = '' OR received_at >= $2::timestamptz) AND ($3 = '' OR outcome = $3) "
        "AND position('#conflict:' in message_key) = 0 ORDER BY received_at, id LIMIT $4",
        f.facility, f.since, f.outcome, static_cast<long long>(f.limit));
    for (const auto& row : r) {
      stored_message m;
      m.id = row[0].as<std::int64_t>();
      m.received_at = row[1].c_str();
      m.received_epoch = row[2].as<double>();
      m.facility = row[3].c_str();
      m.transport = row[4].c_str();
      m.format = row[5].c_str();
      m.message_key = row[6].c_str();
      m.outcome = row[7].c_str();
      m.raw = pqxx::binarystring(row[8]).str();
      out.push_back(std::move(m));
    }
  });
  return out;
}

int replay_store::apply(const stored_message& m, const replay_change& c) {
  int changed = 0;
  db_.run_sync([&](session& s) {
    pqxx::work tx(s.conn());
    if (c.outcome == outcome::accepted && !c.resources.empty())
      for (const auto& row :
           tx.exec_params(detail::k_upsert_resources, detail::resources_json(m.id, m.facility, c.resources)))
        changed += row[1].as<int>();
    if (c.outcome == outcome::accepted && !c.links.empty())
      tx.exec_params(detail::k_upsert_links, detail::links_json(c.links));
    tx.exec_params(
        "UPDATE inbound_message SET outcome = $3, issues = $4::jsonb, resource_count = $5 "
        "WHERE id = $1 AND received_at = $2::timestamptz",
        m.id, m.received_at, std::string(to_string(c.outcome)), c.issues_json, static_cast<int>(c.resources.size()));
    tx.commit();
  });
  return changed;
}

void replay_store::audit(const std::string& actor, const std::string& facility, const std::string& detail_json) {
  db_.run_sync([&](session& s) {
    pqxx::work tx(s.conn());
    tx.exec_params(
        "INSERT INTO audit_event (actor, role, facility, action, entity, source, outcome, detail) "
        "VALUES ($1, 'operator', $2, 'replay', 'inbound_message', 'emr-gateway replay', 'success', $3::jsonb)",
        actor, facility, detail_json);
    tx.commit();
  });
}

}  // namespace gw::store
