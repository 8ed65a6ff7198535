// The outbox as the forwarder claims it, on a real PostgreSQL with the gateway's schema: FIFO per
// patient group, shared resources and linked persons first, several claimers that never hold the
// same row nor a group's later row while an earlier one is in flight, leases that expire, the
// retry schedule and dead letters, and the operator's dead-letters command with its audit rows.
#include <gtest/gtest.h>

#include <pqxx/pqxx>
#include <rapidjson/document.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include "gateway/store/database.hpp"
#include "gateway/store/ingest_store.hpp"
#include "gateway/store/outbox_store.hpp"
#include "tests/support/pg_database.hpp"
#include "tests/support/process.hpp"
#include "tests/support/run_awaitable.hpp"
#include "tests/support/temp_dir.hpp"

namespace gw::test {
namespace {

using store::outbox_row;

std::string uuid(int n) {
  char b[40];
  std::snprintf(b, sizeof b, "00000000-0000-4000-8000-%012d", n);
  return b;
}

struct outbox_fixture : ::testing::Test {
  pg_database pg;
  // The statement timeout the gateway's connections set (database.statement_timeout's default):
  // a claim that outgrows it fails here as it does in production.
  store::database db{{pg.dsn(), 2, std::chrono::seconds(3), store::db_settings{}.statement_timeout}};
  store::outbox_store st{db};
  int token_n = 0;

  void SetUp() override { db.migrate_sync(); }

  /// Stores version `version` of Type/id with `content_extra` (JSON members) and its outbox row.
  std::int64_t add(const std::string& key, const std::string& type, const std::string& id, int version = 1,
                   const std::string& content_extra = "", std::optional<std::int64_t> unit = std::nullopt) {
    const std::string unit_text = unit ? std::to_string(*unit) : std::string();
    pqxx::connection c(pg.dsn());
    pqxx::work tx(c);
    auto content = "{\"resourceType\":\"" + type + "\",\"id\":\"" + id + "\"" +
                   (content_extra.empty() ? "" : "," + content_extra) + "}";
    tx.exec_params(
        "INSERT INTO resource_history (type, id, version, last_updated, content) VALUES ($1, $2::uuid, $3, now(), "
        "$4::jsonb)",
        type, id, version, content);
    auto seq = tx.exec_params1(
                     "INSERT INTO outbox (patient_key, resource_type, resource_id, resource_version, unit) "
                     "VALUES ($1, $2, $3::uuid, $4, $5::bigint) RETURNING seq",
                     key, type, id, version, unit_text.empty() ? nullptr : unit_text.c_str())[0]
                   .as<std::int64_t>();
    tx.commit();
    return seq;
  }

  std::vector<outbox_row> claim(const std::string& token, std::size_t n, int rounds = 1,
                                std::chrono::milliseconds lease = std::chrono::seconds(30)) {
    return run_awaitable(st.claim({token, "urn:emr-gateway:test", n, rounds, lease}));
  }
  std::string token() { return "test/" + std::to_string(++token_n); }
  static std::vector<std::int64_t> seqs(const std::vector<outbox_row>& rows) {
    std::vector<std::int64_t> out;
    for (const auto& r : rows) out.push_back(r.seq);
    return out;
  }
  void deliver(const std::string& tok, const std::vector<outbox_row>& rows) {
    ASSERT_EQ(run_awaitable(st.mark_delivered(tok, seqs(rows), "test")), rows.size());
  }
  std::string q(const std::string& sql) { return pg.scalar(sql); }
};

TEST_F(outbox_fixture, a_group_sends_one_row_at_a_time_in_order_and_groups_go_in_parallel) {
  auto a1 = add(uuid(1), "Patient", uuid(1));
  auto b1 = add(uuid(2), "Patient", uuid(2));
  auto a2 = add(uuid(1), "Encounter", uuid(11), 1, R"("subject":{"reference":"Patient/)" + uuid(1) + "\"}");
  auto a3 = add(uuid(1), "Encounter", uuid(11), 2, R"("subject":{"reference":"Patient/)" + uuid(1) + "\"}");
  auto b2 = add(uuid(2), "Observation", uuid(12));

  auto t1 = token();
  auto first = claim(t1, 10);
  EXPECT_EQ(seqs(first), (std::vector<std::int64_t>{a1, b1}));
  // While the heads are in flight nobody gets the groups' next rows.
  EXPECT_TRUE(claim(token(), 10).empty());
  deliver(t1, {first[0]});
  auto t2 = token();
  auto second = claim(t2, 10);
  EXPECT_EQ(seqs(second), (std::vector<std::int64_t>{a2}));
  deliver(t1, {first[1]});
  deliver(t2, second);
  auto t3 = token();
  EXPECT_EQ(seqs(claim(t3, 10)), (std::vector<std::int64_t>{a3, b2}));
}

TEST_F(outbox_fixture, one_claim_carries_a_groups_consecutive_rows_in_order) {
  std::vector<std::int64_t> all;
  for (int i = 0; i < 4; ++i) {
    all.push_back(add(uuid(1), "Observation", uuid(100 + i)));
    all.push_back(add(uuid(2), "Observation", uuid(200 + i)));
  }
  auto rows = claim(token(), 100, 8);
  EXPECT_EQ(seqs(rows), all);
  ASSERT_EQ(rows.size(), 8u);
  // Content as stored, with the gateway's version and this instance as meta.
  EXPECT_NE(rows[0].resource_json.find(R"("versionId": "1")"), std::string::npos) << rows[0].resource_json;
  EXPECT_NE(rows[0].resource_json.find(R"("source": "urn:emr-gateway:test")"), std::string::npos);
  // A size limit cuts the claim, keeping order; a group's next rows come before other groups.
  pqxx::connection c(pg.dsn());
  pqxx::work tx(c);
  tx.exec("UPDATE outbox SET state = 'pending', lease_owner = NULL");
  tx.commit();
  auto three = claim(token(), 3, 8);
  EXPECT_EQ(seqs(three), (std::vector<std::int64_t>{all[0], all[2], all[4]}));
}

TEST_F(outbox_fixture, claimed_content_carries_the_gateway_version_and_source_in_its_meta) {
  add(uuid(1), "Patient", uuid(1), 3, R"("meta":{"profile":["http://example.org/p"],"source":"old"})");
  add(uuid(2), "Patient", uuid(2), 1, R"("gender":"female")");
  add(uuid(3), "Basic", uuid(3));
  auto rows = claim(token(), 10);
  ASSERT_EQ(rows.size(), 3u);
  std::vector<std::string> versions = {"3", "1", "1"};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    rapidjson::Document d;
    d.Parse(rows[i].resource_json.c_str());
    ASSERT_FALSE(d.HasParseError()) << rows[i].resource_json;
    ASSERT_TRUE(d.HasMember("meta") && d["meta"].IsObject()) << rows[i].resource_json;
    EXPECT_EQ(std::string(d["meta"]["versionId"].GetString()), versions[i]) << rows[i].resource_json;
    EXPECT_EQ(std::string(d["meta"]["source"].GetString()), "urn:emr-gateway:test") << rows[i].resource_json;
    EXPECT_EQ(std::string(d["id"].GetString()), uuid(static_cast<int>(i) + 1));
  }
  // A stored meta keeps what it had besides.
  EXPECT_EQ(std::string(rapidjson::Document().Parse(rows[0].resource_json.c_str())["meta"]["profile"][0].GetString()),
            "http://example.org/p");
}

TEST_F(outbox_fixture, shared_resources_and_linked_persons_go_first) {
  auto org = add("Organization/" + uuid(50), "Organization", uuid(50));
  auto p1 =
      add(uuid(1), "Patient", uuid(1), 1, R"("managingOrganization":{"reference":"Organization/)" + uuid(50) + "\"}");
  // A Provenance (no patient group of its own) waits for the Patient it names.
  auto prov = add("Provenance/" + uuid(60), "Provenance", uuid(60), 1,
                  R"("target":[{"reference":"Patient/)" + uuid(1) + "\"}]");
  // A merge: the facility-scoped Patient 3 is replaced by person 1.
  auto p3 = add(uuid(3), "Patient", uuid(3), 1,
                R"("link":[{"other":{"reference":"Patient/)" + uuid(1) + R"("},"type":"replaced-by"}])");
  auto free_row = add(uuid(4), "Patient", uuid(4));

  // The organization alone (a one-row claim); while it is in flight elsewhere, the Patient that
  // references it waits, and so do the Provenance and the merged Patient that reference that one.
  auto t1 = token();
  auto first = claim(t1, 1);
  EXPECT_EQ(seqs(first), (std::vector<std::int64_t>{org}));
  EXPECT_EQ(seqs(claim(token(), 10)), (std::vector<std::int64_t>{free_row}));
  deliver(t1, first);
  // Delivered: the rest goes in one claim, each row after what it references.
  EXPECT_EQ(seqs(claim(token(), 10)), (std::vector<std::int64_t>{p1, prov, p3}));
}

TEST_F(outbox_fixture, rows_that_must_wait_do_not_hold_back_rows_that_can_go) {
  // An Organization in backoff, then more people waiting for it than a claim holds, then others.
  auto org = add("Organization/" + uuid(50), "Organization", uuid(50));
  {
    pqxx::connection c(pg.dsn());
    pqxx::work tx(c);
    tx.exec("UPDATE outbox SET attempts = 3, next_attempt_at = now() + interval '1 hour' WHERE seq = " +
            std::to_string(org));
    tx.commit();
  }
  for (int i = 0; i < 8; ++i)
    add(uuid(100 + i), "Patient", uuid(100 + i), 1,
        R"("managingOrganization":{"reference":"Organization/)" + uuid(50) + "\"}");
  std::vector<std::int64_t> free_rows;
  for (int i = 0; i < 3; ++i) free_rows.push_back(add(uuid(200 + i), "Patient", uuid(200 + i)));
  for (int n = 0; n < 2; ++n) {
    auto t = token();
    auto rows = claim(t, 4, 8);
    EXPECT_EQ(seqs(rows), free_rows) << "claim " << n;
    ASSERT_EQ(run_awaitable(st.release(t, seqs(rows))), rows.size());
  }
  // Nothing else is held, and what was given back has no owner.
  EXPECT_EQ(
      q("SELECT count(*) FROM outbox WHERE state = 'in_flight' OR (state = 'pending' AND lease_owner IS NOT NULL)"),
      "0");
}

TEST_F(outbox_fixture, one_patients_large_message_stops_neither_the_others_nor_its_own_delivery) {
  // A QĐ 130 file with thousands of drug rows is one message (unit 1): its Patient, then 10,000
  // resources of that person, each referencing the Patient (written in one statement). Then
  // another facility's patient (unit 2). The store's statement timeout is the gateway's: a claim
  // whose cost grows faster than its rows runs into it, fails, and forwarding stops.
  const std::string big = uuid(1);
  auto head = add(big, "Patient", big, 1, "", 1);
  {
    pqxx::connection c(pg.dsn());
    pqxx::work tx(c);
    tx.exec_params(R"sql(
WITH v AS (
  INSERT INTO resource_history (type, id, version, last_updated, content)
  SELECT 'MedicationRequest', ('00000000-0000-4000-9000-' || lpad(g::text, 12, '0'))::uuid, 1, now(),
         jsonb_build_object('resourceType', 'MedicationRequest', 'id', '00000000-0000-4000-9000-' || lpad(g::text, 12, '0'),
                            'status', 'completed', 'intent', 'order', 'subject', jsonb_build_object('reference', 'Patient/' || $1),
                            'dosageInstruction', jsonb_build_array(jsonb_build_object('text', 'one tablet twice a day')))
  FROM generate_series(1, 10000) g
  RETURNING type, id, version)
INSERT INTO outbox (patient_key, resource_type, resource_id, resource_version, unit)
SELECT $1, type, id, version, 1 FROM v ORDER BY id
)sql",
                   big);
    tx.commit();
  }
  auto other = add(uuid(2), "Patient", uuid(2), 1, "", 2);
  std::vector<std::int64_t> message;
  {
    pqxx::connection c(pg.dsn());
    pqxx::work tx(c);
    for (const auto& row : tx.exec("SELECT seq FROM outbox WHERE unit = 1 ORDER BY seq"))
      message.push_back(row[0].as<std::int64_t>());
  }
  ASSERT_EQ(message.size(), 10'001u);
  ASSERT_EQ(message.front(), head);
  auto set_due = [&](const std::string& when) {
    pqxx::connection c(pg.dsn());
    pqxx::work tx(c);
    tx.exec("UPDATE outbox SET attempts = 1, next_attempt_at = " + when + " WHERE unit = 1");
    tx.commit();
  };

  // While the message waits (its delivery failed; backoff), the other patient goes.
  set_due("now() + interval '1 hour'");
  auto t1 = token();
  std::vector<outbox_row> rows;
  ASSERT_NO_THROW(rows = claim(t1, 100, 8));
  EXPECT_EQ(seqs(rows), (std::vector<std::int64_t>{other}));
  deliver(t1, rows);
  // Due again: one claim takes the whole message (a message travels in one Bundle), in order.
  set_due("now()");
  auto t2 = token();
  ASSERT_NO_THROW(rows = claim(t2, 100, 8));
  EXPECT_EQ(seqs(rows), message);
  deliver(t2, rows);
  // And the person's next message follows.
  auto next = add(big, "Observation", uuid(3), 1, R"("subject":{"reference":"Patient/)" + big + "\"}", 3);
  EXPECT_EQ(seqs(claim(token(), 100, 8)), (std::vector<std::int64_t>{next}));
}

TEST(outbox_migration, rows_written_before_references_were_stored_still_wait_for_what_they_reference) {
  // A database of the release before migration 8: an Organization in backoff, and a Patient
  // written after it that references it. Upgraded, the Patient still waits for it.
  pg_database pg;
  store::database db{{pg.dsn(), 1, std::chrono::seconds(3), store::db_settings{}.statement_timeout}};
  const auto schema = store::gateway_schema();
  db.migrate_sync({schema.migrations.first(7), schema.lock_key});
  {
    pqxx::connection c(pg.dsn());
    pqxx::work tx(c);
    tx.exec_params(
        "INSERT INTO resource_history (type, id, version, last_updated, content) VALUES "
        "('Organization', $1::uuid, 1, now(), '{}'), "
        "('Patient', $2::uuid, 1, now(), jsonb_build_object('managingOrganization', "
        "jsonb_build_object('reference', 'Organization/' || $1::text)))",
        uuid(50), uuid(1));
    tx.exec_params(
        "INSERT INTO outbox (patient_key, resource_type, resource_id, resource_version, next_attempt_at) VALUES "
        "('Organization/' || $1::text, 'Organization', $1::uuid, 1, now() + interval '1 hour'), "
        "($2::text, 'Patient', $2::uuid, 1, now())",
        uuid(50), uuid(1));
    tx.commit();
  }
  ASSERT_EQ(db.migrate_sync(), 1);
  EXPECT_EQ(pg.scalar("SELECT ref_types::text || ref_ids::text FROM outbox WHERE resource_type = 'Patient'"),
            "{Organization}{" + uuid(50) + "}");
  store::outbox_store st{db};
  EXPECT_TRUE(run_awaitable(st.claim({"test/1", "urn:emr-gateway:test", 10, 8, std::chrono::seconds(30)})).empty());
}

TEST_F(outbox_fixture, a_dependency_in_the_same_claim_comes_earlier_in_it) {
  auto org = add("Organization/" + uuid(50), "Organization", uuid(50));
  auto p1 =
      add(uuid(1), "Patient", uuid(1), 1, R"("managingOrganization":{"reference":"Organization/)" + uuid(50) + "\"}");
  EXPECT_EQ(seqs(claim(token(), 10, 8)), (std::vector<std::int64_t>{org, p1}));
}

TEST_F(outbox_fixture, a_messages_rows_travel_in_one_claim_whatever_order_they_reference_each_other) {
  // One ORU message: the report first, then the results it names, then an Encounter and its
  // diagnosis that reference each other. A claim of one row (a breaker probe) or cut by its size
  // limit still carries the whole message, so the report never goes without its results.
  auto ref = [](const std::string& t, int n) { return R"({"reference":")" + t + "/" + uuid(n) + "\"}"; };
  auto dr = add(uuid(1), "DiagnosticReport", uuid(20), 1,
                R"("result":[)" + ref("Observation", 21) + "," + ref("Observation", 22) + "]", 7);
  auto o1 = add(uuid(1), "Observation", uuid(21), 1, "", 7);
  auto o2 = add(uuid(1), "Observation", uuid(22), 1, "", 7);
  auto enc = add(uuid(1), "Encounter", uuid(23), 1, R"("diagnosis":[{"condition":)" + ref("Condition", 24) + "}]", 7);
  auto cond = add(uuid(1), "Condition", uuid(24), 1, R"("encounter":)" + ref("Encounter", 23), 7);
  // The next message for the same person waits for this one, and is not dragged along.
  auto next = add(uuid(1), "Observation", uuid(25), 1, "", 8);
  const std::vector<std::int64_t> message{dr, o1, o2, enc, cond};

  auto t = token();
  auto one = claim(t, 1);
  EXPECT_EQ(seqs(one), message);
  EXPECT_TRUE(claim(token(), 10, 8).empty());
  // A failure puts every row back with its own jittered backoff; the next claim still takes all.
  ASSERT_EQ(run_awaitable(st.mark_failed(t, seqs(one), store::failure_kind::transient, "HTTP 503",
                                         {5, std::chrono::milliseconds(1), std::chrono::milliseconds(1)}, true)),
            message.size());
  std::vector<outbox_row> again;
  auto t2 = token();
  ASSERT_TRUE(eventually([&] { return !(again = claim(t2, 2, 8)).empty(); }, std::chrono::seconds(10)));
  EXPECT_EQ(seqs(again), message);
  deliver(t2, again);
  EXPECT_EQ(seqs(claim(token(), 10, 8)), (std::vector<std::int64_t>{next}));
}

TEST_F(outbox_fixture, a_message_partly_held_elsewhere_is_given_back_whole) {
  auto a = add(uuid(1), "Patient", uuid(1), 1, "", 3);
  auto b = add("Practitioner/" + uuid(30), "Practitioner", uuid(30), 1, "", 3);
  // Another process holds the Practitioner row (an old lease, say): the Patient must not go alone.
  {
    pqxx::connection c(pg.dsn());
    pqxx::work tx(c);
    tx.exec_params(
        "UPDATE outbox SET state = 'in_flight', lease_owner = 'other/1', lease_until = now() + "
        "interval '1 minute' WHERE seq = $1",
        b);
    tx.commit();
  }
  EXPECT_TRUE(claim(token(), 10, 8).empty());
  EXPECT_EQ(
      q("SELECT count(*) FROM outbox WHERE state = 'pending' AND lease_owner IS NULL AND seq = " + std::to_string(a)),
      "1");
  ASSERT_EQ(run_awaitable(st.release("other/1", {b})), 1u);
  EXPECT_EQ(seqs(claim(token(), 10, 8)), (std::vector<std::int64_t>{a, b}));
}

TEST_F(outbox_fixture, retention_deletes_old_delivered_rows_only) {
  auto old_row = add(uuid(1), "Observation", uuid(40));
  auto recent = add(uuid(1), "Observation", uuid(41));
  auto dead = add(uuid(2), "Observation", uuid(42));
  auto open_row = add(uuid(3), "Observation", uuid(43));
  {
    pqxx::connection c(pg.dsn());
    pqxx::work tx(c);
    tx.exec_params("UPDATE outbox SET state = 'delivered', delivered_at = now() - interval '8 days' WHERE seq = $1",
                   old_row);
    tx.exec_params("UPDATE outbox SET state = 'delivered', delivered_at = now() - interval '1 day' WHERE seq = $1",
                   recent);
    tx.exec_params("UPDATE outbox SET state = 'dead', dead_at = now() - interval '30 days' WHERE seq = $1", dead);
    tx.commit();
  }
  EXPECT_EQ(run_awaitable(st.purge_delivered(std::chrono::hours(24 * 7), 100)), 1u);
  EXPECT_EQ(q("SELECT string_agg(seq::text, ',' ORDER BY seq) FROM outbox"),
            std::to_string(recent) + "," + std::to_string(dead) + "," + std::to_string(open_row));
  EXPECT_EQ(run_awaitable(st.purge_delivered(std::chrono::hours(24 * 7), 100)), 0u);
}

TEST_F(outbox_fixture, a_resource_moved_to_another_person_keeps_its_version_order) {
  auto v1 = add(uuid(3), "Observation", uuid(70), 1);
  auto v2 = add(uuid(1), "Observation", uuid(70), 2);
  auto t = token();
  EXPECT_EQ(seqs(claim(t, 10)), (std::vector<std::int64_t>{v1}));
  EXPECT_TRUE(claim(token(), 10).empty());
  run_awaitable(st.mark_delivered(t, {v1}, "test"));
  EXPECT_EQ(seqs(claim(token(), 10)), (std::vector<std::int64_t>{v2}));
}

TEST_F(outbox_fixture, each_version_stored_by_ingest_is_sent_with_its_own_content_current_or_replaced) {
  // Ingest keeps a replaced version in history and the current one in resource only.
  auto ingest = std::make_shared<store::ingest_store>(db);
  run_awaitable(ingest->maintain_partitions(1, 120));
  auto store_version = [&](const std::string& note) {
    store::inbound_record r;
    r.facility = "42001";
    r.transport = "https";
    r.format = "qd130";
    r.message_key = "k-" + note;
    r.raw = note;
    r.sha256 = store::sha256_of(r.raw);
    r.received_at = std::chrono::system_clock::now();
    r.resources.push_back(
        {"Condition", uuid(80), uuid(1),
         R"({"resourceType":"Condition","id":")" + uuid(80) + R"(","note":[{"text":")" + note + R"("}]})"});
    ASSERT_EQ(run_awaitable(ingest->commit(std::move(r))).resources_changed, 1);
  };
  auto note_of = [](const outbox_row& row) {
    rapidjson::Document d;
    d.Parse(row.resource_json.c_str());
    return std::string(d["note"][0]["text"].GetString()) + "@" + d["meta"]["versionId"].GetString();
  };
  for (const char* note : {"first", "second", "third"}) store_version(note);
  ASSERT_EQ(q("SELECT count(*) FROM resource_history"), "2");
  // One version of a resource at a time, oldest first.
  auto next = [&] {
    auto t = token();
    auto rows = claim(t, 10);
    if (rows.size() != 1u) return "claimed " + std::to_string(rows.size()) + " rows";
    deliver(t, rows);
    return note_of(rows[0]);
  };
  EXPECT_EQ(next(), "first@1");
  EXPECT_EQ(next(), "second@2");
  // Version 3 is replaced after its row was queued: it is read from history now.
  store_version("fourth");
  EXPECT_EQ(next(), "third@3");
  EXPECT_EQ(next(), "fourth@4");
  EXPECT_EQ(q("SELECT count(*) FROM outbox WHERE state <> 'delivered'"), "0");
}

TEST_F(outbox_fixture, dead_and_dropped_rows_do_not_block_their_group) {
  auto a1 = add(uuid(1), "Observation", uuid(80));
  auto a2 = add(uuid(1), "Observation", uuid(81));
  auto t = token();
  ASSERT_EQ(seqs(claim(t, 10)), (std::vector<std::int64_t>{a1}));
  EXPECT_EQ(run_awaitable(st.mark_dead(t, a1, "refused: test")), 1u);
  EXPECT_EQ(seqs(claim(token(), 10)), (std::vector<std::int64_t>{a2}));
  EXPECT_EQ(q("SELECT last_error FROM outbox WHERE seq = " + std::to_string(a1)), "refused: test");
}

TEST_F(outbox_fixture, two_concurrent_claimers_never_share_a_row_nor_break_a_groups_order) {
  constexpr int groups = 60, per_group = 6;
  for (int i = 0; i < per_group; ++i)
    for (int g = 0; g < groups; ++g) add(uuid(g + 1), "Observation", uuid(1000 + g * per_group + i));
  const long long total = groups * per_group;

  std::atomic<int> violations{0};
  std::mutex mu;
  std::map<std::int64_t, int> delivered_by;
  auto claimer = [&](int who) {
    store::database own{{pg.dsn(), 1, std::chrono::seconds(3), std::chrono::seconds(15)}};
    store::outbox_store s(own);
    pqxx::connection check(pg.dsn());
    for (int n = 0; n < 10'000; ++n) {
      auto tok = "claimer" + std::to_string(who) + "/" + std::to_string(n);
      auto rows = run_awaitable(s.claim({tok, "urn:emr-gateway:c", 7, who == 0 ? 1 : 4, std::chrono::seconds(30)}));
      if (rows.empty()) {
        pqxx::nontransaction tx(check);
        if (tx.exec("SELECT count(*) FROM outbox WHERE state <> 'delivered'")[0][0].as<long long>() == 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        continue;
      }
      {
        // Every claimed row's earlier group rows are delivered or in this very claim.
        pqxx::nontransaction tx(check);
        auto r = tx.exec_params(
            "SELECT count(*) FROM outbox o WHERE o.lease_owner = $1 AND o.state = 'in_flight' AND EXISTS ("
            " SELECT 1 FROM outbox e WHERE e.patient_key = o.patient_key AND e.seq < o.seq"
            " AND e.state <> 'delivered' AND e.lease_owner IS DISTINCT FROM $1)",
            tok);
        violations += r[0][0].as<int>();
      }
      {
        std::lock_guard lk(mu);
        for (const auto& r : rows)
          if (!delivered_by.emplace(r.seq, who).second) ++violations;  // held by both
      }
      auto marked = run_awaitable(s.mark_delivered(tok, seqs(rows), "c" + std::to_string(who)));
      if (marked != rows.size()) ++violations;
    }
  };
  std::thread a(claimer, 0), b(claimer, 1);
  a.join();
  b.join();
  EXPECT_EQ(violations.load(), 0);
  EXPECT_EQ(static_cast<long long>(delivered_by.size()), total);
  EXPECT_EQ(q("SELECT count(*) FROM outbox WHERE state = 'delivered'"), std::to_string(total));
  EXPECT_NE(q("SELECT count(*) FROM outbox WHERE delivered_by = 'c0'"), "0");
  EXPECT_NE(q("SELECT count(*) FROM outbox WHERE delivered_by = 'c1'"), "0");
}

TEST_F(outbox_fixture, an_expired_lease_comes_back_and_the_old_holder_cannot_mark_it) {
  auto a1 = add(uuid(1), "Observation", uuid(90));
  auto t = token();
  ASSERT_EQ(seqs(claim(t, 10, 1, std::chrono::milliseconds(50))), (std::vector<std::int64_t>{a1}));
  EXPECT_TRUE(eventually([&] { return run_awaitable(st.reclaim_expired({})) == 1; }, std::chrono::seconds(20)));
  EXPECT_EQ(q("SELECT state || ' ' || attempts || ' ' || failure_kind FROM outbox"), "pending 1 lease");
  auto t2 = token();
  ASSERT_EQ(seqs(claim(t2, 10)), (std::vector<std::int64_t>{a1}));
  EXPECT_EQ(run_awaitable(st.mark_delivered(t, {a1}, "old")), 0u);
  EXPECT_EQ(run_awaitable(st.mark_delivered(t2, {a1}, "new")), 1u);
  EXPECT_EQ(q("SELECT delivered_by FROM outbox"), "new");
}

TEST_F(outbox_fixture, failures_back_off_exponentially_with_a_cap_and_end_as_dead_letters) {
  auto a1 = add(uuid(1), "Observation", uuid(95));
  store::retry_policy policy{5, std::chrono::milliseconds(1000), std::chrono::milliseconds(4000)};
  for (int attempt = 1; attempt <= 5; ++attempt) {
    auto t = token();
    ASSERT_EQ(seqs(claim(t, 10)), (std::vector<std::int64_t>{a1})) << attempt;
    ASSERT_EQ(run_awaitable(st.mark_failed(t, {a1}, store::failure_kind::transient, "HTTP 503", policy, true)), 1u);
    auto wait_ms = std::stod(q("SELECT extract(epoch FROM next_attempt_at - now()) * 1000 FROM outbox"));
    double ceiling = std::min(4000.0, 1000.0 * (1 << (attempt - 1)));
    EXPECT_LE(wait_ms, ceiling + 1) << attempt;
    if (attempt < 5) {
      EXPECT_EQ(q("SELECT state || ' ' || attempts FROM outbox"), "pending " + std::to_string(attempt));
      // Not due before its time (a claim that gets it finds it due); then make it due to go on.
      if (!claim(token(), 10).empty()) {
        EXPECT_EQ(q("SELECT (next_attempt_at <= now())::text FROM outbox"), "true") << attempt;
      }
      pqxx::connection c(pg.dsn());
      pqxx::work tx(c);
      tx.exec("UPDATE outbox SET next_attempt_at = now(), state = 'pending', lease_owner = NULL");
      tx.commit();
    }
  }
  EXPECT_EQ(q("SELECT state || ' ' || attempts || ' ' || last_error FROM outbox"), "dead 5 HTTP 503");
  EXPECT_NE(q("SELECT dead_at FROM outbox"), "");
}

TEST_F(outbox_fixture, backoff_delays_spread_over_the_whole_jitter_window) {
  // Full jitter: each delay is uniform in [0, ceiling]. With 40 rows, a backoff that is missing or
  // too short (a unit slip, a lost initial delay) leaves every delay under half the ceiling, which a
  // correct one does with a probability of 2^-40; none may pass the ceiling. Minutes, so that the
  // time the statements take does not matter.
  std::vector<std::int64_t> rows;
  for (int i = 0; i < 40; ++i) rows.push_back(add(uuid(100 + i), "Observation", uuid(200 + i)));
  const store::retry_policy policy{5, std::chrono::minutes(1), std::chrono::minutes(2)};
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto t = token();
    ASSERT_EQ(claim(t, 100).size(), rows.size()) << attempt;
    ASSERT_EQ(run_awaitable(st.mark_failed(t, rows, store::failure_kind::transient, "HTTP 503", policy, true)),
              rows.size());
    const double ceiling = attempt == 1 ? 60'000.0 : 120'000.0;  // 1 min, 2 min, then capped at 2 min
    const auto delay = [&](const char* agg) {
      return std::stod(
          q(std::string("SELECT ") + agg + "(extract(epoch FROM next_attempt_at - now())) * 1000 FROM outbox"));
    };
    EXPECT_LE(delay("max"), ceiling + 1) << attempt;
    EXPECT_GT(delay("max"), ceiling / 2) << attempt;
    EXPECT_GT(delay("min"), -10'000.0) << attempt;  // not in the past (beyond the statements' own time)
    EXPECT_EQ(q("SELECT count(*) FROM outbox WHERE state = 'pending' AND attempts = " + std::to_string(attempt)), "40");
    pqxx::connection c(pg.dsn());
    pqxx::work tx(c);
    tx.exec("UPDATE outbox SET next_attempt_at = now(), state = 'pending', lease_owner = NULL");
    tx.commit();
  }
}

TEST_F(outbox_fixture, failures_while_the_breaker_is_open_count_no_attempt) {
  auto a1 = add(uuid(1), "Observation", uuid(96));
  store::retry_policy policy{2, std::chrono::milliseconds(10), std::chrono::milliseconds(20)};
  for (int i = 0; i < 5; ++i) {
    auto t = token();
    ASSERT_TRUE(eventually([&] { return !claim(t, 10).empty(); }, std::chrono::seconds(20)));
    run_awaitable(st.mark_failed(t, {a1}, store::failure_kind::timeout, "no answer", policy, false));
  }
  EXPECT_EQ(q("SELECT state || ' ' || attempts || ' ' || failure_kind FROM outbox"), "pending 0 timeout");
}

TEST_F(outbox_fixture, a_refused_entry_dies_and_the_rest_of_its_batch_is_released) {
  auto a1 = add(uuid(1), "Observation", uuid(97));
  auto b1 = add(uuid(2), "Observation", uuid(98));
  auto t = token();
  ASSERT_EQ(claim(t, 10).size(), 2u);
  run_awaitable(st.mark_dead(t, b1, "refused"));
  EXPECT_EQ(run_awaitable(st.release(t, {a1})), 1u);
  EXPECT_EQ(q("SELECT state || ' ' || attempts FROM outbox WHERE seq = " + std::to_string(a1)), "pending 0");
  auto stats = run_awaitable(st.stats());
  EXPECT_EQ(stats.backlog, 1);
  EXPECT_EQ(stats.dead, 1);
  EXPECT_GE(stats.oldest_pending_seconds, 0.0);
}

TEST_F(outbox_fixture, dead_letters_command_lists_retries_and_drops_with_audit_rows) {
  std::vector<std::int64_t> dead;
  for (int i = 0; i < 3; ++i) dead.push_back(add(uuid(1 + i), "Observation", uuid(300 + i)));
  {
    pqxx::connection c(pg.dsn());
    pqxx::work tx(c);
    tx.exec(
        "INSERT INTO resource (type, id, version, patient_id, facility, last_updated, content, content_sha256) "
        "SELECT type, id, version, NULL, '42001', now(), content, '\\x00' FROM resource_history");
    tx.exec("UPDATE outbox SET state = 'dead', dead_at = now(), attempts = 12, last_error = 'HTTP 503'");
    tx.commit();
  }
  temp_dir certs("certs");
  for (auto f : {"gateway.crt", "gateway.key", "ca.crt", "gateway-client.crt", "gateway-client.key"})
    write_file(certs / f, "x");
  temp_dir out("dl");
  auto run = [&](const std::string& args, const std::string& name) {
    return run_command("GW_CERT_DIR='" + certs.path().string() + "' GW_DATABASE_URL='" + pg.dsn() +
                       "' " GW_GATEWAY_BIN " dead-letters " + args +
                       " --actor test-operator --config " GW_SOURCE_DIR "/config/gateway.yaml > " +
                       (out / name).string() + " 2>&1");
  };
  ASSERT_EQ(run("list --facility 42001", "list"), 0) << read_file(out / "list");
  auto listing = read_file(out / "list");
  EXPECT_NE(listing.find("3 dead letter(s)"), std::string::npos) << listing;
  EXPECT_NE(listing.find("Observation/" + uuid(300)), std::string::npos) << listing;
  ASSERT_EQ(run("list --facility 42002", "none"), 0);
  EXPECT_NE(read_file(out / "none").find("0 dead letter(s)"), std::string::npos);

  ASSERT_EQ(run("retry " + std::to_string(dead[0]), "retry"), 0) << read_file(out / "retry");
  EXPECT_EQ(q("SELECT state || ' ' || attempts FROM outbox WHERE seq = " + std::to_string(dead[0])), "pending 0");
  ASSERT_EQ(run("drop " + std::to_string(dead[1]), "drop"), 0) << read_file(out / "drop");
  EXPECT_EQ(q("SELECT state FROM outbox WHERE seq = " + std::to_string(dead[1])), "dropped");
  // A seq that is not a dead letter: refused, and the attempt is audited.
  EXPECT_EQ(run("drop " + std::to_string(dead[0]), "again"), 1) << read_file(out / "again");
  ASSERT_EQ(run("retry --all", "all"), 0) << read_file(out / "all");
  EXPECT_EQ(q("SELECT count(*) FROM outbox WHERE state = 'pending'"), "2");
  EXPECT_EQ(q("SELECT count(*) FROM audit_event WHERE actor = 'test-operator' AND action = 'dead_letter_retry' "
              "AND outcome = 'success'"),
            "2");
  EXPECT_EQ(q("SELECT entity || ' ' || facility FROM audit_event WHERE action = 'dead_letter_drop' AND outcome = "
              "'success'"),
            "outbox/" + std::to_string(dead[1]) + " 42001");
  EXPECT_EQ(q("SELECT count(*) FROM audit_event WHERE action = 'dead_letter_drop' AND outcome = 'not_found'"), "1");
  // Usage mistakes change nothing.
  EXPECT_EQ(run("drop --all", "bad"), 2);
}

}  // namespace
}  // namespace gw::test
