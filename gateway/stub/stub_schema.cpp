// The national stub's own database schema (a separate database from the gateway's): numbered
// migrations applied at start-up by store::database::migrate. Never edit a shipped migration.
#include "gateway/stub/stub_store.hpp"

namespace gw::stub {

namespace {

constexpr store::migration k_migrations[] = {
    {1, "national stub: resources, versions, receive log",
     R"sql(
-- Current version of every resource, as received (meta included; meta is ignored when
-- comparing contents, so an identical PUT makes no new version).
CREATE TABLE resource (
  type           text        NOT NULL,
  id             text        NOT NULL,
  version        integer     NOT NULL,
  content        jsonb       NOT NULL,
  patient_id     text,
  last_updated   timestamptz NOT NULL,
  source_version text,
  source         text,
  PRIMARY KEY (type, id)
);
CREATE INDEX resource_patient ON resource (type, patient_id) WHERE patient_id IS NOT NULL;
CREATE INDEX resource_identifier ON resource USING gin ((content -> 'identifier') jsonb_path_ops);

CREATE TABLE resource_history (
  type           text        NOT NULL,
  id             text        NOT NULL,
  version        integer     NOT NULL,
  content        jsonb       NOT NULL,
  last_updated   timestamptz NOT NULL,
  source_version text,
  source         text,
  PRIMARY KEY (type, id, version)
);

-- One row per received entry that was stored (or found unchanged), in arrival order.
CREATE TABLE receive_log (
  seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  received_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  batch_id       text        NOT NULL,
  entry          integer     NOT NULL,
  patient_id     text,
  type           text        NOT NULL,
  id             text        NOT NULL,
  source_version text,
  source         text,
  stub_version   integer     NOT NULL,
  result         text        NOT NULL CHECK (result IN ('created', 'updated', 'unchanged'))
);
CREATE INDEX receive_log_patient ON receive_log (patient_id, seq);
CREATE INDEX receive_log_resource ON receive_log (type, id, seq);

-- The resource as served: the stored content with the stub's own meta.versionId/lastUpdated.
CREATE FUNCTION stub_served(content jsonb, version integer, last_updated timestamptz) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT jsonb_set(content, '{meta}', coalesce(content -> 'meta', '{}'::jsonb) || jsonb_build_object(
    'versionId', version::text,
    'lastUpdated', to_char(last_updated AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')))
$fn$;
)sql"},
};

// Not the gateway's key: the two databases migrate independently.
constexpr long long k_lock_key = 0x4e4154535431LL;  // "NATST1"

}  // namespace

store::schema stub_schema() {
  return {k_migrations, k_lock_key};
}

}  // namespace gw::stub
