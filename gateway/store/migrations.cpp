// Numbered schema migrations, applied at start-up in order, one transaction each.
// Never edit a migration that has shipped: add a new one.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>

#include "gateway/store/database.hpp"
#include "gateway/store/detail/session.hpp"
#include "gateway/store/migration.hpp"

namespace gw::store {

namespace {

constexpr migration k_migrations[] = {
    {1, "facility registry",
     R"sql(
CREATE TABLE facility (
  code        text PRIMARY KEY CHECK (code ~ '^[0-9]{5}$'),
  name        text NOT NULL,
  ownership   text NOT NULL CHECK (ownership IN ('public', 'private')),
  feeds       text[] NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE facility IS 'Facilities from configuration, refreshed at start-up (for status views).';
)sql"},
    {2, "ingest: raw messages, resources with history, patient links, outbox, counters, audit",
     R"sql(
-- Every message received, exactly as received, with what the gateway answered.
-- Partitioned by month of arrival so retention is a DROP; partitions are made ahead of need.
CREATE SEQUENCE inbound_message_id_seq;
CREATE TABLE inbound_message (
  id             bigint NOT NULL DEFAULT nextval('inbound_message_id_seq'),
  received_at    timestamptz NOT NULL,
  facility       text NOT NULL,
  transport      text NOT NULL CHECK (transport IN ('mllp', 'https')),
  format         text NOT NULL,
  message_key    text NOT NULL,
  sha256         bytea NOT NULL,
  raw            bytea NOT NULL,
  outcome        text NOT NULL CHECK (outcome IN ('accepted', 'rejected', 'error')),
  issues         jsonb NOT NULL DEFAULT '[]',
  answer         bytea NOT NULL,
  answer_status  int NOT NULL,
  resource_count int NOT NULL DEFAULT 0,
  PRIMARY KEY (received_at, id)
) PARTITION BY RANGE (received_at);
CREATE INDEX inbound_message_facility_idx ON inbound_message (facility, received_at);
CREATE INDEX inbound_message_outcome_idx ON inbound_message (outcome, received_at) WHERE outcome <> 'accepted';

-- Duplicate detection (unique per facility + message key) outside the partitions, so that it
-- holds across months. The stored answer is what a re-send gets back.
CREATE TABLE message_key (
  facility      text NOT NULL,
  message_key   text NOT NULL,
  sha256        bytea NOT NULL,
  message_id    bigint NOT NULL,
  received_at   timestamptz NOT NULL,
  answer        bytea NOT NULL,
  answer_status int NOT NULL,
  PRIMARY KEY (facility, message_key)
);
CREATE INDEX message_key_received_idx ON message_key (received_at);

-- Current version of every FHIR resource, and every version ever stored.
CREATE TABLE resource (
  type            text NOT NULL,
  id              uuid NOT NULL,
  version         int NOT NULL,
  patient_id      uuid,
  facility        text,
  last_updated    timestamptz NOT NULL,
  content         jsonb NOT NULL,
  content_sha256  bytea NOT NULL,
  source_message  bigint,
  PRIMARY KEY (type, id)
);
CREATE INDEX resource_patient_idx ON resource (patient_id, type) WHERE patient_id IS NOT NULL;
CREATE TABLE resource_history (
  type            text NOT NULL,
  id              uuid NOT NULL,
  version         int NOT NULL,
  last_updated    timestamptz NOT NULL,
  content         jsonb NOT NULL,
  source_message  bigint,
  PRIMARY KEY (type, id, version)
);

-- Facility record numbers and the person (CCCD-keyed Patient) they belong to, once known.
CREATE TABLE patient_link (
  facility          text NOT NULL,
  record_number     text NOT NULL,
  local_patient_id  uuid NOT NULL,
  person_id         uuid,
  updated_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (facility, record_number)
);
CREATE INDEX patient_link_person_idx ON patient_link (person_id) WHERE person_id IS NOT NULL;

-- What must reach the national database, in order per patient key.
CREATE TABLE outbox (
  seq              bigserial PRIMARY KEY,
  patient_key      text NOT NULL,
  resource_type    text NOT NULL,
  resource_id      uuid NOT NULL,
  resource_version int NOT NULL,
  state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'in_flight', 'delivered', 'dead')),
  attempts         int NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  lease_owner      text,
  lease_until      timestamptz,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz
);
CREATE INDEX outbox_open_idx ON outbox (patient_key, seq) WHERE state IN ('pending', 'in_flight');
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE state = 'pending';

-- Per facility and day: what arrived and how it ended (status page, alerts).
CREATE TABLE facility_counter (
  facility         text NOT NULL,
  day              date NOT NULL,
  accepted         bigint NOT NULL DEFAULT 0,
  rejected         bigint NOT NULL DEFAULT 0,
  duplicates       bigint NOT NULL DEFAULT 0,
  bytes            bigint NOT NULL DEFAULT 0,
  last_message_at  timestamptz,
  last_rejected_at timestamptz,
  PRIMARY KEY (facility, day)
);

-- Who did what to which patient's data, and how it ended.
CREATE TABLE audit_event (
  id          bigserial PRIMARY KEY,
  recorded_at timestamptz NOT NULL DEFAULT now(),
  actor       text NOT NULL,
  role        text,
  facility    text,
  action      text NOT NULL,
  entity      text,
  patient_id  uuid,
  source      text,
  outcome     text NOT NULL,
  detail      jsonb
);
CREATE INDEX audit_event_patient_idx ON audit_event (patient_id, recorded_at) WHERE patient_id IS NOT NULL;

-- Monthly partitions of inbound_message from last month to `months_ahead` ahead (idempotent),
-- and retention: partitions wholly older than `retention_months` are dropped with their keys.
-- Called at start-up and daily by every gateway process; an advisory lock serialises them.
CREATE TABLE inbound_message_default PARTITION OF inbound_message DEFAULT;
CREATE FUNCTION gw_maintain_inbound_partitions(months_ahead int, retention_months int)
RETURNS int LANGUAGE plpgsql AS $fn$
DECLARE
  m date;
  name text;
  made int := 0;
  cutoff date := (date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => retention_months))::date;
  part record;
BEGIN
  PERFORM pg_advisory_xact_lock(4542310);
  FOR i IN -1..months_ahead LOOP
    m := (date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => i))::date;
    name := 'inbound_message_y' || to_char(m, 'YYYY') || 'm' || to_char(m, 'MM');
    IF to_regclass(name) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF inbound_message FOR VALUES FROM (%L) TO (%L)',
                     name, to_char(m, 'YYYY-MM-DD') || ' 00:00:00+00',
                     to_char((m + interval '1 month')::date, 'YYYY-MM-DD') || ' 00:00:00+00');
      made := made + 1;
    END IF;
  END LOOP;
  FOR part IN
    SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'inbound_message'::regclass AND c.relname ~ '^inbound_message_y[0-9]{4}m[0-9]{2}$'
  LOOP
    m := to_date(substr(part.relname, 18, 4) || substr(part.relname, 23, 2) || '01', 'YYYYMMDD');
    IF (m + interval '1 month')::date <= cutoff THEN
      EXECUTE format('DROP TABLE %I', part.relname);
    END IF;
  END LOOP;
  DELETE FROM message_key WHERE received_at < cutoff;
  RETURN made;
END
$fn$;
)sql"},
    {3, "merge shared resources per element",
     R"sql(
-- Patient and Encounter are written by several sources (HL7 ADT, ORU, QD 130, merges): the newest
-- value wins per top-level element, elements a source does not send are kept, and identifiers
-- are the union of all sources' (a lab result carrying a shorter Patient must not erase the
-- address an admission gave). Other resources are replaced whole by their source.
CREATE FUNCTION gw_merge_resource(rtype text, old jsonb, new jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT CASE
    WHEN old IS NULL OR rtype NOT IN ('Patient', 'Encounter') THEN new
    ELSE (old || new) || CASE
      WHEN old ? 'identifier' OR new ? 'identifier' THEN jsonb_build_object('identifier',
        (SELECT coalesce(jsonb_agg(DISTINCT x), '[]'::jsonb)
         FROM jsonb_array_elements(coalesce(old->'identifier', '[]'::jsonb) || coalesce(new->'identifier', '[]'::jsonb)) x))
      ELSE '{}'::jsonb END
  END
$fn$;
)sql"},
    {4, "forwarder: claim indexes, reference dependencies, dead letters, who delivered",
     R"sql(
-- A row may be sent only when no earlier undelivered row (pending or in flight) exists in its
-- patient group, for the same resource, or for any resource its content references. These
-- indexes answer those three questions, and the oldest-first scan of open rows.
CREATE INDEX outbox_open_seq_idx ON outbox (seq) WHERE state IN ('pending', 'in_flight');
CREATE INDEX outbox_open_resource_idx ON outbox (resource_type, resource_id, seq) WHERE state IN ('pending', 'in_flight');
CREATE INDEX outbox_lease_idx ON outbox (lease_until) WHERE state = 'in_flight';
CREATE INDEX outbox_dead_idx ON outbox (seq) WHERE state = 'dead';

-- 'dropped': an operator decided a dead letter will never be delivered (audited).
ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_state_check
  CHECK (state IN ('pending', 'in_flight', 'delivered', 'dead', 'dropped'));
ALTER TABLE outbox ADD COLUMN dead_at timestamptz;
ALTER TABLE outbox ADD COLUMN failure_kind text;   -- last failure: transient | timeout | rejected | lease
ALTER TABLE outbox ADD COLUMN delivered_by text;   -- instance name of the gateway that delivered it

-- The resources a resource's content references as "Type/<uuid>" (what the national database
-- checks it already holds).
CREATE FUNCTION gw_outbox_refs(content jsonb) RETURNS TABLE (type text, id uuid)
LANGUAGE sql IMMUTABLE AS $fn$
  SELECT DISTINCT split_part(x.r, '/', 1), split_part(x.r, '/', 2)::uuid
  FROM (SELECT jsonb_path_query(content, 'lax $.**.reference') #>> '{}' AS r) x
  WHERE x.r ~ '^[A-Z][A-Za-z]+/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
$fn$;
)sql"},
    {5, "forwarder: the message a row came from, so that a message's rows travel in one Bundle",
     R"sql(
-- The inbound message whose storing made this row (NULL for rows written before this migration:
-- each such row is a unit of its own). A message's resources can reference each other in any
-- order (a report before its results, an encounter and its diagnoses both ways), so the
-- forwarder sends all of a message's open rows in one transaction Bundle, never some of them.
ALTER TABLE outbox ADD COLUMN unit bigint;
CREATE INDEX outbox_open_unit_idx ON outbox (unit) WHERE state IN ('pending', 'in_flight');
-- Delivered rows are deleted after forwarding.delivered_retention, oldest first.
CREATE INDEX outbox_delivered_idx ON outbox (delivered_at) WHERE state = 'delivered';
)sql"},
    {6, "forwarder: claims scan pending rows only",
     R"sql(
-- A claim looks for group heads among pending rows, oldest first: rows in flight (up to a few
-- batches per worker) no longer sit in that index, and taking a row out of it costs no entry.
-- The due index had no reader (a claim filters on next_attempt_at while it scans by seq).
-- Upgrading builds the index while ingest waits to write outbox rows: about a second per million
-- rows the table keeps (delivered rows are kept for forwarding.delivered_retention).
-- fillfactor: a row is updated two or three times (claimed, delivered); its new versions stay on
-- its page, near the rows claimed with it.
CREATE INDEX outbox_pending_seq_idx ON outbox (seq) WHERE state = 'pending';
DROP INDEX outbox_open_seq_idx;
DROP INDEX outbox_due_idx;
ALTER TABLE outbox SET (fillfactor = 70);
)sql"},
    {7, "history keeps superseded versions only; resource_version reads every version",
     R"sql(
-- A version is stored once: the current one in resource, each one it replaced in
-- resource_history. Writing every new version to both made history a second copy of nearly all
-- of resource (most resources never change) and a third of ingest's WAL.
-- The replaced row is copied by this trigger, in the statement and transaction that replace it,
-- so any snapshot sees each version exactly once: in history, or as the current row.
-- (ON CONFLICT: a copy an older release wrote already is the same version. A (type, id,
-- version) is never reused because resources are never deleted; if that ever changes, this must
-- fail instead. Older releases read current versions from history: stop them all before this
-- migration runs, see docs/configuration.md.)
CREATE FUNCTION gw_keep_superseded_version() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  INSERT INTO resource_history (type, id, version, last_updated, content, source_message)
  VALUES (OLD.type, OLD.id, OLD.version, OLD.last_updated, OLD.content, OLD.source_message)
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER resource_keep_superseded AFTER UPDATE ON resource FOR EACH ROW
  WHEN (OLD.version IS DISTINCT FROM NEW.version) EXECUTE FUNCTION gw_keep_superseded_version();
-- The copies of current versions that earlier releases wrote (same content as resource's row).
DELETE FROM resource_history h USING resource r WHERE h.type = r.type AND h.id = r.id AND h.version = r.version;
-- Every version ever stored, the current ones first. A reader of one version filters on (type,
-- id, version) and takes the first row (LIMIT 1): one primary-key probe when the version is
-- current (most are), two when it was replaced. (An older release still running during an
-- upgrade writes current versions to history too, with the same content: LIMIT 1 also takes one.)
CREATE VIEW resource_version AS
  SELECT type, id, version, last_updated, content, source_message FROM resource
  UNION ALL
  SELECT type, id, version, last_updated, content, source_message FROM resource_history;
)sql"},
    {8, "forwarder: a row's references are read once, when the row is written",
     R"sql(
-- The resources a row's content references (gw_outbox_refs), read from its version's content once,
-- when the row is written. A claim read them for every waiting row it looked at, parsing each
-- row's jsonb again on every claim: one message of thousands of resources for a person made every
-- claim slower than the statement timeout, and forwarding stopped for every facility. A claim now
-- reads these arrays (ref_types[i]/ref_ids[i] is one reference). NULL only on rows delivered or
-- dropped before this migration, which never open again.
ALTER TABLE outbox ADD COLUMN ref_types text[], ADD COLUMN ref_ids uuid[];
-- plpgsql, not sql: it keeps its query's plan, which a sql function planned again for every row
-- (0.25 ms a row, ten times the parse). Volatile: its query takes its own snapshot (see below).
CREATE FUNCTION gw_outbox_version_refs(rtype text, rid uuid, rversion int, OUT types text[], OUT ids uuid[])
LANGUAGE plpgsql AS $fn$
BEGIN
  SELECT coalesce(array_agg(r.type ORDER BY r.type, r.id), '{}'), coalesce(array_agg(r.id ORDER BY r.type, r.id), '{}')
  INTO types, ids
  FROM (SELECT v.content FROM resource_version v
        WHERE v.type = rtype AND v.id = rid AND v.version = rversion LIMIT 1) h
  CROSS JOIN LATERAL gw_outbox_refs(h.content) r;
END
$fn$;
-- A trigger rather than each writer. Ingest writes a version and its outbox row in one statement
-- (data-modifying WITH); a volatile function's query sees what that statement wrote before the
-- row (the version), which the statement itself could not read.
CREATE FUNCTION gw_outbox_set_refs() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  SELECT x.types, x.ids INTO NEW.ref_types, NEW.ref_ids
  FROM gw_outbox_version_refs(NEW.resource_type, NEW.resource_id, NEW.resource_version) x;
  RETURN NEW;
END
$fn$;
CREATE TRIGGER outbox_set_refs BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION gw_outbox_set_refs();
-- Rows that can still be claimed: open ones, and dead letters an operator may retry.
UPDATE outbox o SET (ref_types, ref_ids) =
  (SELECT x.types, x.ids FROM gw_outbox_version_refs(o.resource_type, o.resource_id, o.resource_version) x)
WHERE o.state IN ('pending', 'in_flight', 'dead');
)sql"},
};

// One key for every gateway process sharing the database: migrations run one process at a time.
constexpr long long k_migration_lock = 0x454d52475731LL;  // "EMRGW1"

int apply_pending(session& s, const schema& sc) {
  auto& c = s.conn();
  {
    pqxx::work tx(c);
    tx.exec(
        "CREATE TABLE IF NOT EXISTS schema_migration ("
        " version int PRIMARY KEY, name text NOT NULL,"
        " applied_at timestamptz NOT NULL DEFAULT now())");
    // A database a newer release has migrated is not one this code understands (migration 7, for
    // one, moved current versions out of resource_history, which older releases read): refuse
    // it rather than misread it. Upgrades past such a migration stop every older process first.
    int known = 0;
    for (const auto& m : sc.migrations) known = std::max(known, m.version);
    const auto newest = tx.exec("SELECT coalesce(max(version), 0) FROM schema_migration")[0][0].as<int>();
    if (newest > known)
      throw std::runtime_error("the database schema is at migration " + std::to_string(newest) +
                               ", newer than this build knows (up to " + std::to_string(known) +
                               "): run the release that migrated it, or a newer one");
    tx.commit();
  }
  int applied = 0;
  for (const auto& m : sc.migrations) {
    pqxx::work tx(c);
    tx.exec_params("SELECT pg_advisory_xact_lock($1)", sc.lock_key);
    auto r = tx.exec_params("SELECT 1 FROM schema_migration WHERE version = $1", m.version);
    if (!r.empty()) continue;  // rolled back at scope exit: nothing to do
    tx.exec(std::string(m.sql));
    tx.exec_params("INSERT INTO schema_migration (version, name) VALUES ($1, $2)", m.version, std::string(m.name));
    tx.commit();
    ++applied;
  }
  return applied;
}

}  // namespace

schema gateway_schema() {
  return {k_migrations, k_migration_lock};
}

boost::asio::awaitable<int> database::migrate(schema sc) {
  int applied = 0;
  co_await run([&applied, sc](session& s) { applied = apply_pending(s, sc); });
  migrated_ = true;
  co_return applied;
}

int database::migrate_sync(schema sc) {
  int applied = 0;
  run_sync([&applied, sc](session& s) { applied = apply_pending(s, sc); });
  migrated_ = true;
  return applied;
}

}  // namespace gw::store
