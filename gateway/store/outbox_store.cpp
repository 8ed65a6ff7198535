#include "gateway/store/outbox_store.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "gateway/store/detail/rows.hpp"
#include "gateway/store/detail/session.hpp"

namespace gw::store {

namespace {

/// A PostgreSQL array literal of seqs, for `= ANY($n::bigint[])`.
std::string seq_array(const std::vector<std::int64_t>& seqs) {
  std::string out = "{";
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    if (i) out.push_back(',');
    out += std::to_string(seqs[i]);
  }
  out.push_back('}');
  return out;
}

bool lower_uuid(std::string_view t) {
  if (t.size() != 36) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    char c = t[i];
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (c != '-') return false;
    } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::vector<resource_ref> references_in(std::string_view json) {
  std::vector<resource_ref> out;
  // The JSON string starting at json[i] == '"': its raw text, where it ends (after the closing
  // quote), whether it is closed and whether it holds an escape.
  struct json_string {
    std::string_view text;
    std::size_t end = 0;
    bool closed = false;
    bool escaped = false;
  };
  auto string_at = [&json](std::size_t i) {
    json_string s;
    std::size_t j = i + 1;
    while (j < json.size() && json[j] != '"') {
      if (json[j] == '\\') {
        s.escaped = true;
        ++j;
      }
      ++j;
    }
    s.closed = j < json.size();
    s.text = json.substr(i + 1, std::min(j, json.size()) - i - 1);
    s.end = std::min(j + 1, json.size());
    return s;
  };
  auto skip_space = [&json](std::size_t i) {
    while (i < json.size() && (json[i] == ' ' || json[i] == '\n' || json[i] == '\r' || json[i] == '\t')) ++i;
    return i;
  };
  std::size_t i = 0;
  while (i < json.size()) {
    if (json[i] != '"') {
      ++i;
      continue;
    }
    auto key = string_at(i);
    i = key.end;
    auto colon = skip_space(i);
    if (colon >= json.size() || json[colon] != ':') continue;  // a value, not a member name
    i = colon + 1;
    if (key.escaped || key.text != "reference") continue;
    auto v = skip_space(i);
    if (v >= json.size() || json[v] != '"') continue;
    auto s = string_at(v);
    i = s.end;
    if (!s.closed || s.escaped) continue;
    auto value = s.text;
    auto slash = value.find('/');
    if (slash == std::string_view::npos || slash < 2) continue;
    auto type = value.substr(0, slash);
    bool type_ok = type[0] >= 'A' && type[0] <= 'Z';
    for (char c : type) type_ok = type_ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'));
    auto id = value.substr(slash + 1);
    if (!type_ok || !lower_uuid(id)) continue;
    resource_ref r{std::string(type), std::string(id)};
    if (std::find(out.begin(), out.end(), r) == out.end()) out.push_back(std::move(r));
  }
  return out;
}

namespace {

/// Appends `"meta": {"versionId": "<version>", "source": "<source>"}` as the last member of a
/// JSON object's text (one that has no meta).
void append_meta(std::string& json, int version, std::string_view source) {
  auto end = json.find_last_of('}');
  if (end == std::string::npos) return;
  std::string meta = json.find_first_not_of(" \t\r\n{") == end ? "" : ", ";
  meta += "\"meta\": {\"versionId\": \"" + std::to_string(version) + "\", \"source\": ";
  detail::append_json_string(meta, source);
  meta += "}";
  json.insert(end, meta);
}

/// A PostgreSQL array literal of texts (each quoted), for `$n::text[]` or `$n::uuid[]`.
std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out.push_back(',');
    out.push_back('"');
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out.push_back('\\');
      out.push_back(c);
    }
    out.push_back('"');
  }
  out.push_back('}');
  return out;
}

// A claim's main statement: the heads of up to $2 groups (a group's oldest open row, pending
// and due, that waits for no earlier open row of the same resource nor of a resource it
// references outside this claim; locked so that other processes skip the group), each with the
// open rows that follow it in the group while they are pending (at most $3 per group, at most $4
// in all, a group's rows before the next group's; their backoff goes with the head's), taken in
// one statement. Heads are checked in full so that rows waiting for, say, an Organization in
// backoff never fill a claim in front of rows that can go; the rows after a head are checked once
// for the whole claim afterwards (k_claim_conflicts, references_in). A head's references are those
// its row got when it was written (ref_types, ref_ids; migration 8): reading them from the content
// here parsed the jsonb of every row the scan looked at, on every claim, and with some plans of
// every version stored. The three waits are one EXISTS over UNION ALL so that they are looked at
// in this order and the first found ends it: a row behind its group's backlog (most rows a claim
// looks at) costs one probe of outbox_open_idx, whatever plan the statistics suggest.
// The rows after a head are not locked first: the groups are this claim's alone (other claims
// skip a locked head, and a group whose oldest open row is in flight has no head), so the update
// can only meet a row that another claim took for its message (k_claim_units). It waits for that
// claim to end: that claim gives the row back (this head, earlier in the group, is outside it)
// and the update, re-checking the row, takes it. Those later stages of a claim never wait for a
// row lock, so claims do not wait on each other in a cycle; the one way left (two groups
// reopened at once by an operator's dead-letters retry, their rows locked in opposite orders) is
// a deadlock PostgreSQL breaks by failing one claim, which its worker retries a second later.
constexpr const char* k_claim_groups = R"sql(
WITH heads AS (
  SELECT o.seq, o.patient_key FROM outbox o
  WHERE o.state = 'pending' AND o.next_attempt_at <= now()
    AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.patient_key = o.patient_key AND e.seq < o.seq
                      AND e.state IN ('pending', 'in_flight')
                    UNION ALL
                    SELECT 1 FROM outbox e WHERE e.resource_type = o.resource_type AND e.resource_id = o.resource_id
                      AND e.seq < o.seq AND e.state IN ('pending', 'in_flight')
                    UNION ALL
                    SELECT 1 FROM unnest(o.ref_types, o.ref_ids) AS r(type, id)
                    JOIN outbox e ON e.resource_type = r.type AND e.resource_id = r.id
                    WHERE e.seq < o.seq AND e.state IN ('pending', 'in_flight') AND e.lease_owner IS DISTINCT FROM $1)
  ORDER BY o.seq LIMIT $2
  FOR UPDATE OF o SKIP LOCKED
), prefix AS (
  SELECT f.seq FROM heads h CROSS JOIN LATERAL (
    SELECT g.seq, bool_and(g.state = 'pending') OVER (ORDER BY g.seq) AS open_run
    FROM (SELECT e.seq, e.state FROM outbox e
          WHERE e.patient_key = h.patient_key AND e.state IN ('pending', 'in_flight')
          ORDER BY e.seq LIMIT $3) g) f
  WHERE f.open_run
  ORDER BY h.seq, f.seq LIMIT $4
)
UPDATE outbox u SET state = 'in_flight', lease_owner = $1, lease_until = now() + $5 * interval '1 millisecond'
FROM prefix p WHERE u.seq = p.seq AND u.state = 'pending' RETURNING u.seq
)sql";

// A message's rows travel together: its resources may reference each other in any order (a
// report before its results, an encounter and its diagnoses both ways), and the national
// database resolves references within one Bundle or against what it holds. So a claim takes the
// rest of every unit (inbound message) it touched, whatever their backoff ...
constexpr const char* k_claim_units = R"sql(
WITH cand AS (SELECT o.seq FROM outbox o
  WHERE o.unit IN (SELECT unit FROM outbox WHERE seq = ANY($3::bigint[]) AND unit IS NOT NULL)
    AND o.state = 'pending'
  ORDER BY o.seq FOR UPDATE OF o SKIP LOCKED)
UPDATE outbox u SET state = 'in_flight', lease_owner = $1, lease_until = now() + $2 * interval '1 millisecond'
FROM cand WHERE u.seq = cand.seq RETURNING u.seq
)sql";

// ... then gives back, whole, every unit of which a row breaks a rule: an earlier open row of its
// group or of a resource it references outside the claim, an earlier open version of the same
// resource, or a row of its own unit outside the claim (held by another claim, or locked).
// Giving a unit back can break a later one's rule: repeated until the claim is consistent.
// The rules that need no content are checked here; references are read from the content the
// claim fetched anyway (references_in) and checked with k_reference_blockers.
// A claim can hold thousands of rows of one group and one unit (a QĐ 130 file with thousands of
// drug rows is one message), so "an open row outside the claim" is looked up once per group and
// once per unit, not once per row: per row, each lookup read past the claim's own earlier rows,
// 10,000 rows took 35 s and every claim hit the statement timeout. Groups are read through
// outbox_open_idx (the range on patient_key keeps the planner off the primary key, which it would
// walk from the table's first row filtering every row, delivered ones too).
constexpr const char* k_claim_conflicts = R"sql(
WITH c AS MATERIALIZED (
  SELECT o.seq, o.patient_key, o.resource_type, o.resource_id, o.unit FROM outbox o WHERE o.seq = ANY($2::bigint[])
), first_outside AS MATERIALIZED (
  SELECT k.patient_key,
         (SELECT e.seq FROM outbox e WHERE e.patient_key >= k.patient_key AND e.patient_key <= k.patient_key
          AND e.state IN ('pending', 'in_flight') AND e.lease_owner IS DISTINCT FROM $1
          ORDER BY e.patient_key, e.seq LIMIT 1) AS seq
  FROM (SELECT DISTINCT patient_key FROM c) k
), split_units AS MATERIALIZED (
  SELECT u.unit FROM (SELECT DISTINCT unit FROM c WHERE unit IS NOT NULL) u
  WHERE EXISTS (SELECT 1 FROM outbox e WHERE e.unit = u.unit AND e.state IN ('pending', 'in_flight')
                AND e.lease_owner IS DISTINCT FROM $1)
)
SELECT c.seq, c.unit FROM c JOIN first_outside f ON f.patient_key = c.patient_key
WHERE f.seq < c.seq
  OR EXISTS (SELECT 1 FROM outbox e WHERE e.resource_type = c.resource_type AND e.resource_id = c.resource_id
             AND e.seq < c.seq AND e.state IN ('pending', 'in_flight'))
  OR c.unit IN (SELECT unit FROM split_units)
)sql";

// The oldest open row, outside this claim, of each referenced resource ($2 types, $3 ids) that has one.
constexpr const char* k_reference_blockers = R"sql(
SELECT r.type, r.id::text, min(e.seq) FROM unnest($2::text[], $3::uuid[]) AS r(type, id)
JOIN outbox e ON e.resource_type = r.type AND e.resource_id = r.id
WHERE e.state IN ('pending', 'in_flight') AND e.lease_owner IS DISTINCT FROM $1
GROUP BY r.type, r.id
)sql";

constexpr const char* k_unclaim = R"sql(
UPDATE outbox SET state = 'pending', lease_owner = NULL, lease_until = NULL
WHERE seq = ANY($2::bigint[]) AND lease_owner = $1 AND state = 'in_flight'
  AND (seq = ANY($3::bigint[]) OR unit = ANY($4::bigint[]))
RETURNING seq
)sql";

// The claimed rows with their content, meta.versionId and meta.source set for the national
// database: PostgreSQL merges them into a stored meta; a content without meta (most) comes as
// stored and gets its meta appended here (append_meta), no jsonb rebuilt per row. A row's version
// is read from resource_version: the current row, or history once a newer version replaced it
// (in the same transaction, so this one statement finds it in one of them whenever the update came).
constexpr const char* k_claimed_rows = R"sql(
SELECT o.seq, o.patient_key, o.resource_type, o.resource_id::text, o.resource_version, o.attempts,
       CASE WHEN h.content ? 'meta'
            THEN (h.content || jsonb_build_object('meta', (h.content->'meta')
                    || jsonb_build_object('versionId', o.resource_version::text, 'source', $2::text)))::text
            ELSE h.content::text END,
       o.unit, h.content ? 'meta'
FROM outbox o
LEFT JOIN LATERAL (SELECT v.content FROM resource_version v
                   WHERE v.type = o.resource_type AND v.id = o.resource_id AND v.version = o.resource_version
                   LIMIT 1) h ON true
WHERE o.seq = ANY($1::bigint[])
ORDER BY o.seq
)sql";

// Attempts + $4 (0 or 1), dead at max attempts, next try after a full-jitter backoff.
constexpr const char* k_fail = R"sql(
UPDATE outbox SET
  attempts = attempts + $4,
  state = CASE WHEN attempts + $4 >= $5 THEN 'dead' ELSE 'pending' END,
  lease_owner = CASE WHEN attempts + $4 >= $5 THEN lease_owner END,
  dead_at = CASE WHEN attempts + $4 >= $5 THEN now() END,
  next_attempt_at = now() + random() * least($7::float8, $6::float8 * power(2::float8, least(greatest(attempts + $4 - 1, 0), 40)))
                    * interval '1 millisecond',
  last_error = $3, failure_kind = $8, lease_until = NULL
WHERE seq = ANY($2::bigint[]) AND lease_owner = $1 AND state = 'in_flight'
)sql";

constexpr const char* k_audit_rows = R"sql(
INSERT INTO audit_event (actor, role, facility, action, entity, patient_id, source, outcome, detail)
SELECT $1, 'operator', r.facility, $2, 'outbox/' || x.seq,
       CASE WHEN x.patient_key ~ '^[0-9a-f-]{36}$' THEN x.patient_key::uuid END,
       'emr-gateway dead-letters', $3,
       jsonb_build_object('seq', x.seq, 'resource', x.resource_type || '/' || x.resource_id, 'version', x.resource_version)
FROM outbox x LEFT JOIN resource r ON r.type = x.resource_type AND r.id = x.resource_id
WHERE x.seq = ANY($4::bigint[])
)sql";

/// Runs one UPDATE/DELETE in its own transaction; how many rows it touched. (Called inside a
/// database::run lambda: no temporaries in a co_await expression, which GCC 12 destroys twice.)
/// The statement is prepared once per connection under `name`.
template <class... Args>
std::size_t update_rows(session& s, const char* name, const char* sql, Args&&... args) {
  pqxx::work tx(s.conn());
  auto n = static_cast<std::size_t>(detail::exec_prepared(tx, name, sql, std::forward<Args>(args)...).affected_rows());
  tx.commit();
  return n;
}

std::vector<std::int64_t> operate_dead(database& db, const std::vector<std::int64_t>& seqs, const std::string& actor,
                                       const char* update_sql, const char* action) {
  std::vector<std::int64_t> done;
  db.run_sync([&](session& s) {
    pqxx::work tx(s.conn());
    auto r = tx.exec_params(update_sql, seq_array(seqs), seqs.empty());
    for (const auto& row : r) done.push_back(row[0].as<std::int64_t>());
    std::sort(done.begin(), done.end());
    tx.exec_params(k_audit_rows, actor, std::string(action), "success", seq_array(done));
    std::vector<std::int64_t> missing;
    std::set<std::int64_t> ok(done.begin(), done.end());
    for (auto q : seqs)
      if (!ok.count(q)) missing.push_back(q);
    if (!missing.empty()) {
      // Not a dead letter (or no such row): the attempt is recorded all the same.
      for (auto q : missing)
        tx.exec_params(
            "INSERT INTO audit_event (actor, role, action, entity, source, outcome, detail) "
            "VALUES ($1, 'operator', $2, 'outbox/' || $3::text, 'emr-gateway dead-letters', 'not_found', "
            "jsonb_build_object('seq', $3::bigint))",
            actor, std::string(action), q);
    }
    tx.commit();
  });
  return done;
}

}  // namespace

std::string_view to_string(failure_kind k) {
  switch (k) {
    case failure_kind::transient: return "transient";
    case failure_kind::timeout: return "timeout";
    case failure_kind::rejected: return "rejected";
    case failure_kind::lease: return "lease";
  }
  return "transient";
}

boost::asio::awaitable<std::size_t> outbox_store::reclaim_expired(retry_policy policy) {
  std::size_t n = 0;
  co_await db_.run([&](session& s) {
    n = update_rows(
        s, "gw_reclaim_expired",
        "UPDATE outbox SET attempts = attempts + 1, "
        "state = CASE WHEN attempts + 1 >= $1 THEN 'dead' ELSE 'pending' END, "
        "lease_owner = CASE WHEN attempts + 1 >= $1 THEN lease_owner END, "
        "dead_at = CASE WHEN attempts + 1 >= $1 THEN now() END, next_attempt_at = now(), "
        "last_error = 'lease expired: the process holding the row stopped or hung', failure_kind = 'lease', "
        "lease_until = NULL "
        "WHERE seq IN (SELECT seq FROM outbox WHERE state = 'in_flight' AND lease_until < now() "
        "FOR UPDATE SKIP LOCKED)",
        policy.max_attempts);
  });
  co_return n;
}

boost::asio::awaitable<std::vector<outbox_row>> outbox_store::claim(claim_request req) {
  std::vector<outbox_row> rows;
  co_await db_.run([&rows, &req](session& s) {
    pqxx::work tx(s.conn());
    // Every statement of a claim is an index walk that stops early (oldest pending rows first,
    // then lookups by key). After a burst the planner's row estimates lag (autovacuum analyzes
    // the table at most once a minute) and it would read the whole backlog with a bitmap scan
    // and sort it instead: 200 ms rather than 5 ms per claim on 30,000 new rows. Not here.
    // No JIT either: the cost estimates grow with the backlog, and past jit_above_cost every
    // statement compiled itself first (0.35 s per claim statement with 50,000 rows pending,
    // more than the statement's own work) for a walk that stops after a few rows.
    // A claim need not wait for its commit to reach the disk: lost in a crash of the database
    // server, it only leaves its rows pending again, as if the claim had not happened.
    tx.exec(
        "SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off; SET LOCAL jit = off; "
        "SET LOCAL synchronous_commit = off");
    std::vector<std::int64_t> seqs;
    const auto lease_ms = static_cast<long long>(req.lease.count());
    const std::size_t depth = static_cast<std::size_t>(std::max(1, req.max_rounds));
    // Heads of enough groups to fill the claim if each brings a few rows (up to `depth`), then
    // more groups if there is room: one statement fills most claims, shallow groups still do.
    const std::size_t expect = std::min<std::size_t>(depth, 4);
    for (int pass = 0; pass < 4 && seqs.size() < req.max_rows; ++pass) {
      auto budget = req.max_rows - seqs.size();
      auto groups = pass == 0 ? (budget + expect - 1) / expect : budget;
      auto r = detail::exec_prepared(tx, "gw_claim_groups", k_claim_groups, req.token, static_cast<long long>(groups),
                                     static_cast<long long>(depth), static_cast<long long>(budget), lease_ms);
      for (const auto& row : r) seqs.push_back(row[0].as<std::int64_t>());
      if (r.empty()) break;
    }
    if (seqs.empty()) return;
    for (const auto& row :
         detail::exec_prepared(tx, "gw_claim_units", k_claim_units, req.token, lease_ms, seq_array(seqs)))
      seqs.push_back(row[0].as<std::int64_t>());
    // The claimed rows with their content (all of them, before any is given back: one read).
    struct held {
      outbox_row row;
      std::optional<std::int64_t> unit;
      std::vector<resource_ref> refs;
    };
    std::vector<held> claimed;
    claimed.reserve(seqs.size());
    for (const auto& row : detail::exec_prepared(tx, "gw_claimed_rows", k_claimed_rows, seq_array(seqs), req.source)) {
      held h;
      h.row.seq = row[0].as<std::int64_t>();
      h.row.patient_key = row[1].c_str();
      h.row.type = row[2].c_str();
      h.row.id = row[3].c_str();
      h.row.version = row[4].as<int>();
      h.row.attempts = row[5].as<int>();
      if (!row[6].is_null()) {
        h.row.resource_json = row[6].c_str();
        if (!row[8].as<bool>()) append_meta(h.row.resource_json, h.row.version, req.source);
        h.refs = references_in(h.row.resource_json);
      }
      if (!row[7].is_null()) h.unit = row[7].as<std::int64_t>();
      claimed.push_back(std::move(h));
    }
    // Each pass gives back at least the rows in conflict, so the claim shrinks until it holds.
    while (!claimed.empty()) {
      std::vector<std::int64_t> held_seqs, lone, units;
      std::vector<std::string> ref_types, ref_ids;
      std::set<std::pair<std::string_view, std::string_view>> seen;
      for (const auto& h : claimed) {
        held_seqs.push_back(h.row.seq);
        for (const auto& r : h.refs)
          if (seen.emplace(r.type, r.id).second) {
            ref_types.push_back(r.type);
            ref_ids.push_back(r.id);
          }
      }
      std::set<std::int64_t> conflicted;
      for (const auto& row :
           detail::exec_prepared(tx, "gw_claim_conflicts", k_claim_conflicts, req.token, seq_array(held_seqs)))
        conflicted.insert(row[0].as<std::int64_t>());
      if (!ref_types.empty()) {
        std::map<std::pair<std::string, std::string>, std::int64_t> blocker;
        for (const auto& row : detail::exec_prepared(tx, "gw_reference_blockers", k_reference_blockers, req.token,
                                                     text_array(ref_types), text_array(ref_ids)))
          blocker[{row[0].c_str(), row[1].c_str()}] = row[2].as<std::int64_t>();
        for (const auto& h : claimed)
          for (const auto& r : h.refs)
            if (auto it = blocker.find({r.type, r.id}); it != blocker.end() && it->second < h.row.seq)
              conflicted.insert(h.row.seq);
      }
      if (conflicted.empty()) break;
      for (const auto& h : claimed) {
        if (!conflicted.count(h.row.seq)) continue;
        if (h.unit)
          units.push_back(*h.unit);
        else
          lone.push_back(h.row.seq);
      }
      std::set<std::int64_t> back;
      for (const auto& row : detail::exec_prepared(tx, "gw_unclaim", k_unclaim, req.token, seq_array(held_seqs),
                                                   seq_array(lone), seq_array(units)))
        back.insert(row[0].as<std::int64_t>());
      if (back.empty()) {  // cannot happen (conflicts are rows of this claim); give all back
        detail::exec_prepared(tx, "gw_unclaim", k_unclaim, req.token, seq_array(held_seqs), seq_array(held_seqs),
                              seq_array({}));
        claimed.clear();
        break;
      }
      std::erase_if(claimed, [&](const held& h) { return back.count(h.row.seq) > 0; });
    }
    tx.commit();
    rows.reserve(claimed.size());
    for (auto& h : claimed) rows.push_back(std::move(h.row));
  });
  co_return rows;
}

boost::asio::awaitable<std::size_t> outbox_store::mark_delivered(std::string token, std::vector<std::int64_t> seqs,
                                                                 std::string instance) {
  std::size_t n = 0;
  co_await db_.run([&](session& s) {
    n = update_rows(
        s, "gw_mark_delivered",
        "UPDATE outbox SET state = 'delivered', delivered_at = now(), delivered_by = $3, lease_until = NULL "
        "WHERE seq = ANY($2::bigint[]) AND lease_owner = $1 AND state = 'in_flight'",
        token, seq_array(seqs), instance);
  });
  co_return n;
}

boost::asio::awaitable<std::size_t> outbox_store::mark_failed(std::string token, std::vector<std::int64_t> seqs,
                                                              failure_kind kind, std::string error, retry_policy policy,
                                                              bool count_attempt) {
  std::size_t n = 0;
  co_await db_.run([&](session& s) {
    n = update_rows(s, "gw_mark_failed", k_fail, token, seq_array(seqs), error, count_attempt ? 1 : 0,
                    policy.max_attempts, static_cast<double>(policy.backoff_initial.count()),
                    static_cast<double>(policy.backoff_max.count()), std::string(to_string(kind)));
  });
  co_return n;
}

boost::asio::awaitable<std::size_t> outbox_store::mark_dead(std::string token, std::int64_t seq, std::string error) {
  std::size_t n = 0;
  co_await db_.run([&](session& s) {
    n = update_rows(s, "gw_mark_dead",
                    "UPDATE outbox SET state = 'dead', dead_at = now(), attempts = attempts + 1, last_error = $3, "
                    "failure_kind = 'rejected', lease_until = NULL "
                    "WHERE seq = $2 AND lease_owner = $1 AND state = 'in_flight'",
                    token, seq, error);
  });
  co_return n;
}

boost::asio::awaitable<std::size_t> outbox_store::release(std::string token, std::vector<std::int64_t> seqs) {
  std::size_t n = 0;
  co_await db_.run([&](session& s) {
    n = update_rows(
        s, "gw_release",
        "UPDATE outbox SET state = 'pending', next_attempt_at = now(), lease_owner = NULL, lease_until = NULL "
        "WHERE seq = ANY($2::bigint[]) AND lease_owner = $1 AND state = 'in_flight'",
        token, seq_array(seqs));
  });
  co_return n;
}

boost::asio::awaitable<std::size_t> outbox_store::purge_delivered(std::chrono::milliseconds older_than,
                                                                  std::size_t limit) {
  std::size_t n = 0;
  co_await db_.run([&](session& s) {
    n = update_rows(s, "gw_purge_delivered",
                    "DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE state = 'delivered' "
                    "AND delivered_at < now() - $1 * interval '1 millisecond' ORDER BY delivered_at LIMIT $2)",
                    static_cast<long long>(older_than.count()), static_cast<long long>(limit));
  });
  co_return n;
}

boost::asio::awaitable<outbox_stats> outbox_store::stats() {
  outbox_stats st;
  co_await db_.run([&st](session& s) {
    pqxx::read_transaction tx(s.conn());
    // The oldest open row: the first pending one by the pending index, the first in flight by
    // scanning the few rows in flight (seq + 0: not a walk of the primary key past every
    // delivered row still kept).
    auto r = tx.exec(
        "SELECT (SELECT count(*) FROM outbox WHERE state IN ('pending', 'in_flight')),"
        " (SELECT count(*) FROM outbox WHERE state = 'in_flight'),"
        " (SELECT count(*) FROM outbox WHERE state = 'dead'),"
        " coalesce((SELECT extract(epoch FROM now() - created_at)::float8 FROM outbox WHERE seq = least("
        "   (SELECT min(seq) FROM outbox WHERE state = 'pending'), (SELECT min(seq + 0) FROM outbox WHERE state = "
        "'in_flight'))),"
        " 0)");
    st.backlog = r[0][0].as<std::int64_t>();
    st.in_flight = r[0][1].as<std::int64_t>();
    st.dead = r[0][2].as<std::int64_t>();
    st.oldest_pending_seconds = r[0][3].as<double>();
  });
  co_return st;
}

std::vector<dead_letter> outbox_store::list_dead(const std::string& facility, std::size_t limit) {
  std::vector<dead_letter> out;
  db_.run_sync([&](session& s) {
    pqxx::read_transaction tx(s.conn());
    auto r = tx.exec_params(
        "SELECT o.seq, o.resource_type, o.resource_id::text, o.resource_version, o.patient_key,"
        " coalesce(r.facility, ''), o.attempts, coalesce(o.dead_at::text, ''), coalesce(o.last_error, '') "
        "FROM outbox o LEFT JOIN resource r ON r.type = o.resource_type AND r.id = o.resource_id "
        "WHERE o.state = 'dead' AND ($1 = '' OR r.facility = $1) ORDER BY o.seq LIMIT $2",
        facility, static_cast<long long>(limit));
    for (const auto& row : r) {
      dead_letter d;
      d.seq = row[0].as<std::int64_t>();
      d.type = row[1].c_str();
      d.id = row[2].c_str();
      d.version = row[3].as<int>();
      d.patient_key = row[4].c_str();
      d.facility = row[5].c_str();
      d.attempts = row[6].as<int>();
      d.dead_at = row[7].c_str();
      d.last_error = row[8].c_str();
      out.push_back(std::move(d));
    }
  });
  return out;
}

std::vector<std::int64_t> outbox_store::retry_dead(const std::vector<std::int64_t>& seqs, const std::string& actor) {
  return operate_dead(db_, seqs, actor,
                      "UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = now(), dead_at = NULL, "
                      "lease_until = NULL WHERE state = 'dead' AND ($2 OR seq = ANY($1::bigint[])) RETURNING seq",
                      "dead_letter_retry");
}

std::vector<std::int64_t> outbox_store::drop_dead(const std::vector<std::int64_t>& seqs, const std::string& actor) {
  return operate_dead(db_, seqs, actor,
                      "UPDATE outbox SET state = 'dropped' "
                      "WHERE state = 'dead' AND ($2 OR seq = ANY($1::bigint[])) RETURNING seq",
                      "dead_letter_drop");
}

}  // namespace gw::store
