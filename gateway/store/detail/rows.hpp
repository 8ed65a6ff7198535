#pragma once
// Private to gateway/store: row encodings and SQL shared by ingest and replay.
#include <pqxx/pqxx>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/detail/session.hpp"
#include "gateway/store/ingest_store.hpp"

namespace gw::store::detail {

/// Appends s as a JSON string literal.
void append_json_string(std::string& out, std::string_view s);

/// Resources of several messages as JSON arrays for jsonb_to_recordset (k_upsert_resources), one
/// array per statement ("layer"), all in the caller's transaction. One statement cannot upsert a
/// row twice, so when a message repeats a resource that an earlier message of the batch carries
/// with different content, that version goes into the next layer (a resource shared by many
/// concurrent messages, an Organization or a family's card, costs one more statement, not one
/// statement per message). A repeat with the same content as the latest version is left out,
/// since storing it again changes nothing (Patient and Encounter merges are idempotent). Within a
/// message the same type + id twice keeps the last.
/// Outbox order is kept as messages one after another would leave it: a later version of a
/// resource comes after the earlier one, and no row of a patient key (the patient, or the resource
/// itself when it has none) lands in a lower layer than a row of that key from an earlier message
/// (layers run in order, rows of one layer in message order). Rows of one message may span layers:
/// the forwarder sends a message's rows together whatever their order.
class resource_rows {
 public:
  /// Adds message `message_id`'s resources (stored under `facility`). The records must outlive
  /// this object.
  void add(std::int64_t message_id, std::string_view facility, const std::vector<resource_write>& resources);
  bool empty() const { return layers_.empty(); }
  /// Statements needed: 1 unless a resource repeats with other content.
  std::size_t layers() const { return layers_.size(); }
  /// The JSON array of layer `i` (< layers()).
  std::string json(std::size_t i) const;

 private:
  using key = std::pair<std::string_view, std::string_view>;
  struct layer {
    std::string out;
    std::size_t count = 0;
  };
  struct latest {
    std::string_view content;
    std::size_t layer = 0;
  };
  std::vector<layer> layers_;
  std::size_t ord_ = 0;
  std::map<key, latest> seen_;            // type, id -> its latest version in the batch
  std::map<key, std::size_t> key_layer_;  // patient key -> highest layer holding one of its rows
};

/// One message's resources (replay).
std::string resources_json(std::int64_t message_id, std::string_view facility,
                           const std::vector<resource_write>& resources);

/// Patient links of several messages, in message order, as one JSON array for jsonb_to_recordset:
/// one row per facility record number, as the messages one after another would leave it (the
/// first local patient id; the person from the last message that names one, within a message
/// the first entry that names one).
class link_rows {
 public:
  void add(const std::vector<patient_link_write>& links);
  bool empty() const { return rows_.empty(); }
  std::string json() const;

 private:
  struct row {
    const patient_link_write* first = nullptr;
    const patient_link_write* person = nullptr;
  };
  std::map<std::pair<std::string_view, std::string_view>, row> rows_;
};

/// One message's links (replay).
std::string links_json(const std::vector<patient_link_write>& links);

// Resources of one or more messages ($1, from resource_rows: ord, msg, facility, type, id,
// patient_id, content): a new version only when the canonical content (jsonb text) changed;
// an outbox row per new version, in the order the messages gave them, each carrying the message
// it came from (`unit`). The version a new one replaces goes into resource_history (trigger
// resource_keep_superseded, same statement); a first version is written once, to resource only.
// Only Patient and Encounter are merged (gw_merge_resource, a SQL function call per use); every
// other type is replaced whole, so its stored hash is the input's and no function is called for
// it. Answers new versions per message.
inline constexpr const char* k_upsert_resources = R"sql(
WITH input AS (
  SELECT t.ord, t.msg, t.facility, t.type, t.id, t.patient_id, t.content,
         sha256(convert_to(t.content::text, 'UTF8')) AS sha
  FROM jsonb_to_recordset($1::jsonb)
       AS t(ord int, msg bigint, facility text, type text, id uuid, patient_id uuid, content jsonb)
), up AS (
  INSERT INTO resource AS r (type, id, version, patient_id, facility, last_updated, content, content_sha256, source_message)
  SELECT type, id, 1, patient_id, facility, now(), content, sha, msg FROM input ORDER BY ord
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
  RETURNING r.type, r.id, r.version, r.patient_id, r.source_message
), ob AS (
  INSERT INTO outbox (patient_key, resource_type, resource_id, resource_version, unit)
  SELECT coalesce(up.patient_id::text, up.type || '/' || up.id::text), up.type, up.id, up.version, up.source_message
  FROM up JOIN input USING (type, id) ORDER BY input.ord
)
SELECT source_message, count(*) FROM up GROUP BY source_message
)sql";

inline constexpr const char* k_upsert_links = R"sql(
INSERT INTO patient_link AS l (facility, record_number, local_patient_id, person_id)
SELECT facility, record_number, local_patient_id, person_id
FROM jsonb_to_recordset($1::jsonb) AS t(facility text, record_number text, local_patient_id uuid, person_id uuid)
ORDER BY facility, record_number
ON CONFLICT (facility, record_number) DO UPDATE
  SET person_id = coalesce(EXCLUDED.person_id, l.person_id), updated_at = now()
)sql";

}  // namespace gw::store::detail
