#pragma once
// Private to gateway/store: row encodings and SQL shared by ingest and replay.
#include <pqxx/pqxx>

#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/ingest_store.hpp"

namespace gw::store::detail {

/// Runs `sql` as a statement prepared under `name` on this transaction's connection: parsed and
/// planned once per connection instead of once per call (libpqxx prepares it on first use, again
/// after a reconnect since a new connection starts empty). One name per SQL text.
template <class... Args>
pqxx::result exec_prepared(pqxx::transaction_base& tx, const char* name, const char* sql, Args&&... args) {
  tx.conn().prepare(name, sql);
  return tx.exec_prepared(name, std::forward<Args>(args)...);
}

/// Appends s as a JSON string literal.
void append_json_string(std::string& out, std::string_view s);
/// A record's resources as one JSON array for jsonb_to_recordset (one statement stores them
/// all; the same type + id twice keeps the last).
std::string resources_json(const std::vector<resource_write>& resources);
/// Patient links as one JSON array for jsonb_to_recordset.
std::string links_json(const std::vector<patient_link_write>& links);

// Resources: new version only when the canonical content (jsonb text) changed; history and an
// outbox row per new version, in the order the message gave them. Only Patient and Encounter are
// merged (gw_merge_resource, a SQL function call per use); every other type is replaced whole, so
// its stored hash is the input's and no function is called for it.
inline constexpr const char* k_upsert_resources = R"sql(
WITH input AS (
  SELECT t.ord, t.type, t.id, t.patient_id, t.content,
         sha256(convert_to(t.content::text, 'UTF8')) AS sha
  FROM jsonb_to_recordset($1::jsonb) AS t(ord int, type text, id uuid, patient_id uuid, content jsonb)
), up AS (
  INSERT INTO resource AS r (type, id, version, patient_id, facility, last_updated, content, content_sha256, source_message)
  SELECT type, id, 1, patient_id, $2, now(), content, sha, $3 FROM input
  ON CONFLICT (type, id) DO UPDATE
    SET version = r.version + 1, patient_id = EXCLUDED.patient_id, facility = EXCLUDED.facility,
        last_updated = EXCLUDED.last_updated,
        content = CASE WHEN r.type IN ('Patient', 'Encounter')
                       THEN gw_merge_resource(r.type, r.content, EXCLUDED.content) ELSE EXCLUDED.content END,
        content_sha256 = CASE WHEN r.type IN ('Patient', 'Encounter')
                              THEN sha256(convert_to(gw_merge_resource(r.type, r.content, EXCLUDED.content)::text, 'UTF8'))
                              ELSE EXCLUDED.content_sha256 END,
        source_message = EXCLUDED.source_message
    WHERE r.content_sha256 <> CASE WHEN r.type IN ('Patient', 'Encounter')
                                   THEN sha256(convert_to(gw_merge_resource(r.type, r.content, EXCLUDED.content)::text, 'UTF8'))
                                   ELSE EXCLUDED.content_sha256 END
  RETURNING r.type, r.id, r.version, r.last_updated, r.content, r.patient_id
), hist AS (
  INSERT INTO resource_history (type, id, version, last_updated, content, source_message)
  SELECT type, id, version, last_updated, content, $3 FROM up
), ob AS (
  INSERT INTO outbox (patient_key, resource_type, resource_id, resource_version)
  SELECT coalesce(up.patient_id::text, up.type || '/' || up.id::text), up.type, up.id, up.version
  FROM up JOIN input USING (type, id) ORDER BY input.ord
)
SELECT count(*) FROM up
)sql";

inline constexpr const char* k_upsert_links = R"sql(
INSERT INTO patient_link AS l (facility, record_number, local_patient_id, person_id)
SELECT facility, record_number, local_patient_id, person_id
FROM jsonb_to_recordset($1::jsonb) AS t(facility text, record_number text, local_patient_id uuid, person_id uuid)
ON CONFLICT (facility, record_number) DO UPDATE
  SET person_id = coalesce(EXCLUDED.person_id, l.person_id), updated_at = now()
)sql";

}  // namespace gw::store::detail
