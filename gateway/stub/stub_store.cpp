// The stub's SQL. The only libpqxx user outside gateway/store/ (it reuses the store's session):
// the stub is a second database with its own schema, not part of the gateway's store.
#include "gateway/stub/stub_store.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "gateway/store/detail/session.hpp"

namespace gw::stub {

std::string_view to_string(write_result r) {
  switch (r) {
    case write_result::created: return "created";
    case write_result::updated: return "updated";
    case write_result::unchanged: return "unchanged";
  }
  return "?";
}

namespace {

// Which required references are not stored (the batch's own entries were checked before).
constexpr const char* k_missing_refs = R"sql(
SELECT t.k FROM jsonb_to_recordset($1::jsonb) AS t(k int, type text, id text)
WHERE NOT EXISTS (SELECT 1 FROM resource r WHERE r.type = t.type AND r.id = t.id)
ORDER BY t.k
)sql";

// New or changed entries: a new version + history. Rows are taken in (type, id) order so two
// batches touching the same resources cannot deadlock; the conflicting row is locked even when
// its content is unchanged, so the receive-log statement below reads a settled version.
constexpr const char* k_upsert = R"sql(
WITH input AS (
  SELECT t.ord, t.type, t.id, t.patient_id, t.content, t.source_version, t.source
  FROM jsonb_to_recordset($1::jsonb)
       AS t(ord int, type text, id text, patient_id text, content jsonb, source_version text, source text)
), up AS (
  INSERT INTO resource AS r (type, id, version, content, patient_id, last_updated, source_version, source)
  SELECT type, id, 1, content, patient_id, clock_timestamp(), source_version, source FROM input ORDER BY type, id
  ON CONFLICT (type, id) DO UPDATE
    SET version = r.version + 1, content = EXCLUDED.content, patient_id = EXCLUDED.patient_id,
        last_updated = EXCLUDED.last_updated, source_version = EXCLUDED.source_version, source = EXCLUDED.source
    WHERE (r.content - 'meta') IS DISTINCT FROM (EXCLUDED.content - 'meta')
  RETURNING r.type, r.id, r.version, r.content, r.last_updated, r.source_version, r.source
), hist AS (
  INSERT INTO resource_history (type, id, version, content, last_updated, source_version, source)
  SELECT type, id, version, content, last_updated, source_version, source FROM up
)
SELECT coalesce(jsonb_agg(jsonb_build_object('type', type, 'id', id, 'version', version)), '[]'::jsonb)::text FROM up
)sql";

// One receive-log row per entry, in entry order, with the version now current.
constexpr const char* k_log = R"sql(
WITH input AS (
  SELECT t.ord, t.type, t.id, t.patient_id, t.source_version, t.source
  FROM jsonb_to_recordset($1::jsonb)
       AS t(ord int, type text, id text, patient_id text, source_version text, source text)
), changed AS (
  SELECT c.type, c.id, c.version FROM jsonb_to_recordset($2::jsonb) AS c(type text, id text, version int)
)
INSERT INTO receive_log (batch_id, entry, patient_id, type, id, source_version, source, stub_version, result)
SELECT $3, i.ord, i.patient_id, i.type, i.id, i.source_version, i.source, r.version,
       CASE WHEN c.version IS NULL THEN 'unchanged' WHEN c.version = 1 THEN 'created' ELSE 'updated' END
FROM input i JOIN resource r ON r.type = i.type AND r.id = i.id
LEFT JOIN changed c ON c.type = i.type AND c.id = i.id
ORDER BY i.ord
RETURNING entry, stub_version, result
)sql";

std::string refs_json(const std::vector<required_reference>& refs) {
  rapidjson::StringBuffer buf;
  rapidjson::Writer<rapidjson::StringBuffer> w(buf);
  w.StartArray();
  for (std::size_t k = 0; k < refs.size(); ++k) {
    w.StartObject();
    w.Key("k");
    w.Uint64(k);
    w.Key("type");
    w.String(refs[k].type.c_str(), static_cast<rapidjson::SizeType>(refs[k].type.size()));
    w.Key("id");
    w.String(refs[k].id.c_str(), static_cast<rapidjson::SizeType>(refs[k].id.size()));
    w.EndObject();
  }
  w.EndArray();
  return buf.GetString();
}

constexpr const char* k_served = "stub_served(content, version, last_updated)::text";

}  // namespace

boost::asio::awaitable<write_outcome> stub_store::write(const write_batch& batch, bool return_first) {
  write_outcome out;
  co_await db_.run([&](store::session& s) {
    pqxx::work tx(s.conn());
    if (!batch.references.empty()) {
      auto r = tx.exec_params(k_missing_refs, refs_json(batch.references));
      for (const auto& row : r) out.missing.push_back(batch.references[row[0].as<std::size_t>()]);
      if (!out.missing.empty()) return;  // rolled back
    }
    auto changed = tx.exec_params1(k_upsert, batch.entries_json)[0].as<std::string>();
    auto logged = tx.exec_params(k_log, batch.log_json, changed, batch.batch_id);
    out.entries.resize(batch.count);
    for (const auto& row : logged) {
      auto i = row[0].as<std::size_t>();
      if (i >= out.entries.size()) continue;
      out.entries[i].version = row[1].as<int>();
      std::string res = row[2].as<std::string>();
      out.entries[i].result = res == "created"   ? write_result::created
                              : res == "updated" ? write_result::updated
                                                 : write_result::unchanged;
    }
    if (return_first && batch.count > 0) {
      auto r = tx.exec_params(std::string("SELECT ") + k_served +
                                  " FROM resource r, jsonb_to_recordset($1::jsonb) AS t(ord int, type text, id text) "
                                  "WHERE t.ord = 0 AND r.type = t.type AND r.id = t.id",
                              batch.entries_json);
      if (!r.empty()) out.first_served = r[0][0].as<std::string>();
    }
    tx.commit();
  });
  co_return out;
}

boost::asio::awaitable<std::optional<std::string>> stub_store::read(const std::string& type, const std::string& id) {
  std::optional<std::string> out;
  co_await db_.run([&](store::session& s) {
    pqxx::nontransaction tx(s.conn());
    auto r = tx.exec_params(std::string("SELECT ") + k_served + " FROM resource WHERE type = $1 AND id = $2", type, id);
    if (!r.empty()) out = r[0][0].as<std::string>();
  });
  co_return out;
}

boost::asio::awaitable<search_result> stub_store::search(const search_query& q) {
  search_result out;
  std::string identifier;
  if (!q.identifier_value.empty() || !q.identifier_system.empty()) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    w.StartArray();
    w.StartObject();
    if (!q.identifier_system.empty()) {
      w.Key("system");
      w.String(q.identifier_system.c_str(), static_cast<rapidjson::SizeType>(q.identifier_system.size()));
    }
    if (!q.identifier_value.empty()) {
      w.Key("value");
      w.String(q.identifier_value.c_str(), static_cast<rapidjson::SizeType>(q.identifier_value.size()));
    }
    w.EndObject();
    w.EndArray();
    identifier = buf.GetString();
  }
  co_await db_.run([&](store::session& s) {
    pqxx::nontransaction tx(s.conn());
    auto r = tx.exec_params(std::string("SELECT ") + k_served +
                                ", count(*) OVER () FROM resource WHERE type = $1 AND ($2 = '' OR id = $2) "
                                "AND ($3 = '' OR patient_id = $3) "
                                "AND ($4 = '' OR (content -> 'identifier') @> $4::jsonb) ORDER BY id LIMIT $5",
                            q.type, q.id, q.patient, identifier, static_cast<long long>(q.count));
    for (const auto& row : r) {
      out.resources.push_back(row[0].as<std::string>());
      out.total = row[1].as<std::size_t>();
    }
    if (r.empty() && q.count == 0) {
      auto c = tx.exec_params(
          "SELECT count(*) FROM resource WHERE type = $1 AND ($2 = '' OR id = $2) AND ($3 = '' OR patient_id = $3) "
          "AND ($4 = '' OR (content -> 'identifier') @> $4::jsonb)",
          q.type, q.id, q.patient, identifier);
      out.total = c[0][0].as<std::size_t>();
    }
  });
  co_return out;
}

boost::asio::awaitable<std::vector<std::string>> stub_store::history(const std::string& type, const std::string& id) {
  std::vector<std::string> out;
  co_await db_.run([&](store::session& s) {
    pqxx::nontransaction tx(s.conn());
    auto r = tx.exec_params(
        std::string("SELECT ") + k_served + " FROM resource_history WHERE type = $1 AND id = $2 ORDER BY version DESC",
        type, id);
    for (const auto& row : r) out.push_back(row[0].as<std::string>());
  });
  co_return out;
}

boost::asio::awaitable<std::string> stub_store::receive_log(const std::string& patient) {
  std::string out;
  co_await db_.run([&](store::session& s) {
    pqxx::nontransaction tx(s.conn());
    auto r = tx.exec_params1(
        "SELECT coalesce(jsonb_agg(to_jsonb(l) ORDER BY l.seq), '[]'::jsonb)::text FROM receive_log l "
        "WHERE $1 = '' OR l.patient_id = $1",
        patient);
    out = r[0].as<std::string>();
  });
  co_return out;
}

}  // namespace gw::stub
