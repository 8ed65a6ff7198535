// The durable ingest write against a real PostgreSQL: versions only on change, outbox rows per
// new version, duplicates and control-id conflicts, group commit under concurrency, monthly
// partitions, and "unavailable" (nothing stored) when the database cannot be reached.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>

#include <atomic>
#include <future>
#include <thread>

#include "gateway/store/database.hpp"
#include "gateway/store/ingest_store.hpp"
#include "tests/support/pg_database.hpp"
#include "tests/support/run_awaitable.hpp"

namespace gw::store {
namespace {

using test::pg_database;
using test::run_awaitable;

constexpr const char* k_patient = "0b0f7a8e-5d9c-5a3e-9a53-5a2f4e0c1d01";
constexpr const char* k_encounter = "1c1f7a8e-5d9c-5a3e-9a53-5a2f4e0c1d02";
constexpr const char* k_org = "3e1f7a8e-5d9c-5a3e-9a53-5a2f4e0c1d04";
// Outbox rows whose `unit` is the message that made their version and that exists.
constexpr const char* k_outbox_rows_with_their_message =
    "SELECT count(*) FROM outbox o JOIN resource_version h ON h.type = o.resource_type AND h.id = o.resource_id AND "
    "h.version = o.resource_version AND h.source_message = o.unit JOIN inbound_message m ON m.id = o.unit";
// Patient keys whose outbox rows do not follow message order (a unit after a later one).
constexpr const char* k_keys_out_of_message_order =
    "SELECT count(*) FROM (SELECT unit, lag(unit) OVER (PARTITION BY patient_key ORDER BY seq) AS before "
    "FROM outbox) x WHERE unit < before";

/// prefix + i (appended: GCC 12 at -O3 warns on a string literal + std::to_string(i)).
std::string numbered(std::string prefix, int i) {
  prefix.append(std::to_string(i));
  return prefix;
}

inbound_record record(std::string key, std::string raw, std::string family = "Nguyen") {
  inbound_record r;
  r.facility = "42001";
  r.transport = "https";
  r.format = "qd130";
  r.message_key = std::move(key);
  r.raw = std::move(raw);
  r.sha256 = sha256_of(r.raw);
  r.received_at = std::chrono::system_clock::now();
  r.answer = {"{\"resourceType\":\"OperationOutcome\"}", 200};
  r.resources.push_back({"Patient", k_patient, k_patient,
                         R"({"resourceType":"Patient","id":")" + std::string(k_patient) + R"(","name":[{"family":")" +
                             family + R"("}]})"});
  r.resources.push_back({"Encounter", k_encounter, k_patient,
                         R"({"resourceType":"Encounter","id":")" + std::string(k_encounter) +
                             R"(","status":"finished","class":{"code":"IMP"}})"});
  r.links.push_back({"42001", "BN0001", k_patient, ""});
  return r;
}

struct ingest_store_test : ::testing::Test {
  pg_database pg;
  database db{{pg.dsn(), 2, std::chrono::seconds(3), std::chrono::seconds(15)}};
  std::shared_ptr<ingest_store> store = std::make_shared<ingest_store>(db);
  void SetUp() override {
    db.migrate_sync();
    run_awaitable(store->maintain_partitions(2, 120));
  }
  commit_result commit(inbound_record r) { return run_awaitable(store->commit(std::move(r))); }

  /// Commits `recs` as one group-commit batch: the pool's only thread is held until every
  /// commit has queued, and one writer then takes them all (checked through the stats).
  std::vector<commit_result> commit_as_one_batch(std::vector<inbound_record> recs, std::uint64_t transactions = 1) {
    database one{{pg.dsn(), 1, std::chrono::seconds(3), std::chrono::seconds(15)}};
    auto batch_store = std::make_shared<ingest_store>(one, ingest_store_settings{128, 1});
    std::promise<void> release;
    auto held = release.get_future().share();
    one.post([held](session&) { held.wait(); });
    boost::asio::io_context ioc;
    std::vector<commit_result> out(recs.size());
    std::vector<std::future<void>> done;
    for (std::size_t i = 0; i < recs.size(); ++i)
      done.push_back(boost::asio::co_spawn(
          ioc,
          [](ingest_store& st, inbound_record r, commit_result& slot) -> boost::asio::awaitable<void> {
            slot = co_await st.commit(std::move(r));
          }(*batch_store, std::move(recs[i]), out[i]),
          boost::asio::use_future));
    ioc.poll();  // every commit is queued now
    release.set_value();
    ioc.run();
    for (auto& f : done) f.get();
    auto st = batch_store->stats();
    EXPECT_EQ(st.transactions, transactions);
    EXPECT_EQ(st.records, out.size());
    return out;
  }
};

TEST_F(ingest_store_test, stores_message_resources_history_and_outbox_in_order) {
  auto r = commit(record("k1", "body-1"));
  EXPECT_EQ(r.status, commit_status::stored);
  EXPECT_EQ(r.resources_changed, 2);
  EXPECT_GT(r.message_id, 0);
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM inbound_message WHERE outcome = 'accepted'"), "1");
  EXPECT_EQ(pg.scalar("SELECT convert_from(raw, 'UTF8') FROM inbound_message"), "body-1");
  EXPECT_EQ(pg.scalar("SELECT version FROM resource WHERE type = 'Patient'"), "1");
  // A first version is stored once: history holds only versions that were replaced.
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource_history"), "0");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource_version"), "2");
  // Outbox: Patient before Encounter (message order), both keyed by the patient.
  EXPECT_EQ(pg.scalar("SELECT string_agg(resource_type, ',' ORDER BY seq) FROM outbox"), "Patient,Encounter");
  EXPECT_EQ(pg.scalar("SELECT count(DISTINCT patient_key) FROM outbox"), "1");
  EXPECT_EQ(pg.scalar("SELECT local_patient_id FROM patient_link WHERE record_number = 'BN0001'"), k_patient);
  EXPECT_EQ(pg.scalar("SELECT sum(accepted) FROM facility_counter WHERE facility = '42001'"), "1");
  // The row landed in its month's partition, not the default one.
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM inbound_message_default"), "0");
}

TEST_F(ingest_store_test, duplicate_returns_stored_answer_and_writes_nothing) {
  auto first = commit(record("k1", "body-1"));
  auto rec = record("k1", "body-1");
  rec.answer = {"a different answer that must not be used", 200};
  auto again = commit(std::move(rec));
  EXPECT_EQ(again.status, commit_status::duplicate);
  EXPECT_EQ(again.answer.body, "{\"resourceType\":\"OperationOutcome\"}");
  EXPECT_EQ(again.message_id, first.message_id);
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM inbound_message"), "1");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM outbox"), "2");
  EXPECT_EQ(pg.scalar("SELECT sum(duplicates) FROM facility_counter"), "1");
  EXPECT_EQ(pg.scalar("SELECT encode(sha256, 'hex') FROM message_key WHERE facility = '42001' AND message_key = 'k1'"),
            to_hex(sha256_of("body-1")));
}

TEST_F(ingest_store_test, same_content_again_under_a_new_key_creates_no_new_version) {
  commit(record("k1", "body-1"));
  auto r = commit(record("k2", "body-2"));  // corrected file: same resources
  EXPECT_EQ(r.status, commit_status::stored);
  EXPECT_EQ(r.resources_changed, 0);
  EXPECT_EQ(pg.scalar("SELECT max(version) FROM resource"), "1");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM outbox"), "2");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM inbound_message"), "2");
}

TEST_F(ingest_store_test, changed_resource_gets_a_new_version_history_and_outbox_row) {
  commit(record("k1", "body-1"));
  auto r = commit(record("k2", "body-2", "Tran"));
  EXPECT_EQ(r.resources_changed, 1);
  EXPECT_EQ(pg.scalar("SELECT version FROM resource WHERE type = 'Patient'"), "2");
  EXPECT_EQ(pg.scalar("SELECT version FROM resource WHERE type = 'Encounter'"), "1");
  EXPECT_EQ(
      pg.scalar("SELECT content->'name'->0->>'family' FROM resource_history WHERE type = 'Patient' AND version = 1"),
      "Nguyen");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM outbox WHERE resource_type = 'Patient'"), "2");
}

TEST_F(ingest_store_test, patient_elements_a_source_does_not_send_are_kept) {
  auto with_address = record("k1", "adt");
  with_address.resources[0].json =
      R"({"resourceType":"Patient","id":")" + std::string(k_patient) +
      R"(","identifier":[{"system":"urn:a","value":"1"}],"name":[{"family":"Nguyen"}],"address":[{"text":"Ha Tinh"}]})";
  commit(std::move(with_address));
  // A lab result's shorter Patient: nothing new, nothing lost, no new version.
  auto shorter = record("k2", "oru");
  shorter.resources[0].json = R"({"resourceType":"Patient","id":")" + std::string(k_patient) +
                              R"(","identifier":[{"system":"urn:a","value":"1"}],"name":[{"family":"Nguyen"}]})";
  EXPECT_EQ(commit(std::move(shorter)).resources_changed, 0);
  // A new element and another identifier: merged into a new version.
  auto more = record("k3", "a08");
  more.resources[0].json =
      R"({"resourceType":"Patient","id":")" + std::string(k_patient) +
      R"(","identifier":[{"system":"urn:b","value":"2"}],"telecom":[{"system":"phone","value":"0900000000"}]})";
  EXPECT_EQ(commit(std::move(more)).resources_changed, 1);
  EXPECT_EQ(pg.scalar("SELECT content->'address'->0->>'text' FROM resource WHERE type = 'Patient'"), "Ha Tinh");
  EXPECT_EQ(pg.scalar("SELECT content->'telecom'->0->>'value' FROM resource WHERE type = 'Patient'"), "0900000000");
  EXPECT_EQ(pg.scalar("SELECT jsonb_array_length(content->'identifier') FROM resource WHERE type = 'Patient'"), "2");
  EXPECT_EQ(pg.scalar("SELECT version FROM resource WHERE type = 'Patient'"), "2");
}

TEST_F(ingest_store_test, other_resources_are_replaced_whole_and_versioned_only_on_change) {
  constexpr const char* k_condition = "2d1f7a8e-5d9c-5a3e-9a53-5a2f4e0c1d03";
  auto with_condition = [&](std::string key, std::string extra) {
    auto r = record(std::move(key), "msg-" + extra);
    r.resources.push_back({"Condition", k_condition, k_patient,
                           R"({"resourceType":"Condition","id":")" + std::string(k_condition) +
                               R"(","code":{"text":"J18.9"})" + extra + "}"});
    return r;
  };
  commit(with_condition("k1", R"(,"note":[{"text":"first"}])"));
  EXPECT_EQ(commit(with_condition("k2", R"(,"note":[{"text":"first"}])")).resources_changed, 0);
  // The source drops the note: a Condition is not merged, so the note is gone in version 2.
  EXPECT_EQ(commit(with_condition("k3", "")).resources_changed, 1);
  EXPECT_EQ(pg.scalar("SELECT version FROM resource WHERE type = 'Condition'"), "2");
  EXPECT_EQ(pg.scalar("SELECT content ? 'note' FROM resource WHERE type = 'Condition'"), "f");
  EXPECT_EQ(pg.scalar("SELECT content_sha256 = sha256(convert_to(content::text, 'UTF8')) FROM resource "
                      "WHERE type = 'Condition'"),
            "t");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM outbox WHERE resource_type = 'Condition'"), "2");
}

TEST_F(ingest_store_test, large_values_are_compressed_with_lz4) {
  std::string raw;
  for (int i = 0; i < 2000; ++i) raw += numbered("OBX|", i) + "|NM|WBC^White cells||14.2|10*9/L|4-10|H\r";
  commit(record("k1", raw));
  EXPECT_EQ(pg.scalar("SELECT pg_column_compression(raw) FROM inbound_message"), "lz4");
}

TEST_F(ingest_store_test, control_id_reused_for_different_content_is_kept_as_rejected) {
  commit(record("42001|MSG1", "body-1"));
  auto rec = record("42001|MSG1", "body-other");
  rec.conflict_answer = answer{"conflict-ack", 409};
  rec.conflict_issues_json = R"([{"severity":"error","code":"duplicate"}])";
  auto r = commit(std::move(rec));
  EXPECT_EQ(r.status, commit_status::conflict);
  EXPECT_EQ(r.answer.body, "conflict-ack");
  EXPECT_EQ(r.answer.status, 409);
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM inbound_message WHERE outcome = 'rejected'"), "1");
  EXPECT_EQ(pg.scalar("SELECT convert_from(raw, 'UTF8') FROM inbound_message WHERE outcome = 'rejected'"),
            "body-other");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM outbox"), "2");  // nothing of the refused message
  EXPECT_EQ(pg.scalar("SELECT sum(rejected) FROM facility_counter"), "1");
}

TEST_F(ingest_store_test, rejected_message_keeps_raw_and_issues_but_no_resources) {
  auto rec = record("k9", "broken");
  rec.outcome = outcome::rejected;
  rec.issues_json = R"([{"severity":"error","code":"required","location":"XML1.MA_LK","message":"MA_LK missing"}])";
  rec.answer = {"{}", 422};
  auto r = commit(std::move(rec));
  EXPECT_EQ(r.status, commit_status::stored);
  EXPECT_EQ(r.answer.status, 422);
  EXPECT_EQ(pg.scalar("SELECT issues->0->>'location' FROM inbound_message"), "XML1.MA_LK");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource"), "0");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM outbox"), "0");
}

TEST_F(ingest_store_test, a_record_that_cannot_be_written_is_kept_as_an_error_with_its_bytes) {
  auto rec = record("k-bad", "raw bytes to keep");
  rec.resources[1].id = "not-a-uuid";  // the database refuses it: a gateway fault, not the sender's
  rec.error_answer = answer{"error-answer", 500};
  rec.error_issues_json = R"([{"severity":"error","code":"exception"}])";
  auto r = commit(std::move(rec));
  EXPECT_EQ(r.status, commit_status::stored);
  EXPECT_EQ(r.answer.body, "error-answer");
  EXPECT_EQ(pg.scalar("SELECT outcome FROM inbound_message"), "error");
  EXPECT_EQ(pg.scalar("SELECT convert_from(raw, 'UTF8') FROM inbound_message"), "raw bytes to keep");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource"), "0");
  // Other records in the same batch are not affected.
  EXPECT_EQ(commit(record("k-good", "fine")).status, commit_status::stored);
}

TEST_F(ingest_store_test, concurrent_commits_are_grouped_and_each_is_stored_once) {
  constexpr int n = 300;
  boost::asio::io_context ioc;
  std::atomic<int> stored{0}, failed{0};
  for (int i = 0; i < n; ++i) {
    boost::asio::co_spawn(
        ioc,
        [](ingest_store& st, int k, std::atomic<int>& ok, std::atomic<int>& bad) -> boost::asio::awaitable<void> {
          try {
            auto rec = record("key-" + std::to_string(k), "body-" + std::to_string(k));
            // Every message its own patient, so each adds rows.
            auto pid = "00000000-0000-5000-8000-" + std::string(12 - std::to_string(k).size(), '0') + std::to_string(k);
            for (auto& res : rec.resources) res.patient_id = pid;
            rec.resources[0].id = pid;
            rec.links.clear();
            auto r = co_await st.commit(std::move(rec));
            if (r.status == commit_status::stored) ++ok;
          } catch (...) {
            ++bad;
          }
        }(*store, i, stored, failed),
        boost::asio::detached);
  }
  std::thread t([&] { ioc.run(); });
  ioc.run();
  t.join();
  EXPECT_EQ(stored.load(), n);
  EXPECT_EQ(failed.load(), 0);
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM inbound_message"), std::to_string(n));
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM message_key"), std::to_string(n));
  EXPECT_EQ(pg.scalar("SELECT sum(accepted) FROM facility_counter"), std::to_string(n));
  // Group commit: fewer transactions than messages.
  auto st = store->stats();
  EXPECT_EQ(st.records, static_cast<std::uint64_t>(n));
  EXPECT_LT(st.transactions, st.records);
}

TEST_F(ingest_store_test, one_batch_stores_as_messages_one_after_another_would) {
  std::vector<inbound_record> recs;
  for (int i = 0; i < 6; ++i) {
    // The same Patient in a new version each time, the same Organization every time.
    auto r = record(numbered("k", i), numbered("body-", i), numbered("Family", i));
    r.resources.push_back(
        {"Organization", k_org, "",
         R"({"resourceType":"Organization","id":")" + std::string(k_org) + R"(","name":"BV 42001"})"});
    r.links[0].person_id = i == 3 ? k_patient : "";
    recs.push_back(std::move(r));
  }
  recs.push_back(record("k2", "body-2", "Family2"));       // re-sent within the batch: a duplicate
  recs.push_back(record("k-old", "body-old", "Family5"));  // taken before the batch, other content
  recs.back().conflict_answer = answer{"conflict", 409};
  recs.back().conflict_issues_json = "[]";
  commit(record("k-old", "body-before"));
  ASSERT_EQ(pg.scalar("SELECT count(*) FROM outbox"), "2");

  auto out = commit_as_one_batch(std::move(recs));
  for (int i = 0; i < 6; ++i) {
    EXPECT_EQ(out[static_cast<std::size_t>(i)].status, commit_status::stored) << i;
    // The Patient changes every time; the Encounter and the Organization only the first time.
    EXPECT_EQ(out[static_cast<std::size_t>(i)].resources_changed, i == 0 ? 2 : 1) << i;
  }
  EXPECT_EQ(out[6].status, commit_status::duplicate);
  EXPECT_EQ(out[6].message_id, out[2].message_id);
  EXPECT_EQ(out[7].status, commit_status::conflict);
  EXPECT_EQ(out[7].answer.body, "conflict");

  EXPECT_EQ(pg.scalar("SELECT version FROM resource WHERE type = 'Patient'"), "7");
  EXPECT_EQ(pg.scalar("SELECT content->'name'->0->>'family' FROM resource WHERE type = 'Patient'"), "Family5");
  EXPECT_EQ(pg.scalar("SELECT version FROM resource WHERE type = 'Organization'"), "1");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource_history"), "6");  // Patient 1-6
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource_version"), "9");
  EXPECT_EQ(pg.scalar(k_keys_out_of_message_order), "0");
  // Every outbox row names the message that made it, in message order, as history does.
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM outbox"), "9");
  EXPECT_EQ(pg.scalar(k_outbox_rows_with_their_message), "9");
  EXPECT_EQ(pg.scalar("SELECT string_agg(resource_version::text, ',' ORDER BY seq) FROM outbox "
                      "WHERE resource_type = 'Patient'"),
            "1,2,3,4,5,6,7");
  EXPECT_EQ(pg.scalar("SELECT bool_and(unit < lead) FROM (SELECT unit, lead(unit) OVER (ORDER BY seq) FROM outbox "
                      "WHERE resource_type = 'Patient' AND resource_version > 1) x WHERE lead IS NOT NULL"),
            "t");
  // The person named by one message of the batch stays named.
  EXPECT_EQ(pg.scalar("SELECT person_id FROM patient_link WHERE record_number = 'BN0001'"), k_patient);
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM inbound_message"), "8");  // 6 + the conflict + the one before
  EXPECT_EQ(pg.scalar("SELECT sum(accepted) || '/' || sum(rejected) || '/' || sum(duplicates) FROM facility_counter"),
            "7/1/1");
}

TEST_F(ingest_store_test, a_batch_writes_each_shared_resource_once_and_links_as_in_order) {
  std::vector<inbound_record> recs;
  std::vector<std::string> patients;
  for (int i = 0; i < 5; ++i) {
    auto r = record(numbered("k", i), numbered("body-", i));
    patients.push_back(numbered("00000000-0000-5000-8000-00000000000", i));
    r.resources[0].id = r.resources[0].patient_id = r.resources[1].patient_id = patients.back();
    r.resources.push_back(
        {"Organization", k_org, "",
         R"({"resourceType":"Organization","id":")" + std::string(k_org) + R"(","name":"BV 42001"})"});
    r.links[0].local_patient_id = patients.back();
    r.links[0].person_id = i == 2 ? k_patient : "";
    recs.push_back(std::move(r));
  }
  recs.push_back(recs[1]);  // re-sent within the batch
  auto out = commit_as_one_batch(std::move(recs));
  EXPECT_EQ(out[0].resources_changed, 3);  // its Patient, the Encounter and the Organization
  for (std::size_t i = 1; i < 5; ++i) EXPECT_EQ(out[i].resources_changed, 1) << i;
  EXPECT_EQ(out[5].status, commit_status::duplicate);
  EXPECT_EQ(out[5].message_id, out[1].message_id);
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM outbox"), "7");
  EXPECT_EQ(pg.scalar(k_outbox_rows_with_their_message), "7");
  EXPECT_EQ(pg.scalar("SELECT unit FROM outbox WHERE resource_type = 'Organization'"),
            std::to_string(out[0].message_id));
  EXPECT_EQ(pg.scalar("SELECT string_agg(resource_type, ',' ORDER BY seq) FROM outbox"),
            "Patient,Encounter,Organization,Patient,Patient,Patient,Patient");
  EXPECT_EQ(pg.scalar("SELECT local_patient_id || ' ' || person_id FROM patient_link"), patients[0] + " " + k_patient);
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM message_key"), "5");
  EXPECT_EQ(pg.scalar("SELECT sum(accepted) || '/' || sum(duplicates) FROM facility_counter"), "5/1");
}

TEST_F(ingest_store_test, a_resource_updated_three_times_keeps_versions_one_and_two_in_history) {
  for (const char* family : {"Nguyen", "Tran", "Le"}) commit(record(std::string("k-") + family, family, family));
  EXPECT_EQ(pg.scalar("SELECT string_agg(version || ':' || (content->'name'->0->>'family'), ',' ORDER BY version) "
                      "FROM resource_history WHERE type = 'Patient'"),
            "1:Nguyen,2:Tran");
  EXPECT_EQ(pg.scalar("SELECT version || ':' || (content->'name'->0->>'family') FROM resource WHERE type = 'Patient'"),
            "3:Le");
  // Each version once, with the message that made it; the unchanged Encounter only as version 1.
  EXPECT_EQ(pg.scalar("SELECT string_agg(type || version, ',' ORDER BY type, version) FROM resource_version"),
            "Encounter1,Patient1,Patient2,Patient3");
  EXPECT_EQ(pg.scalar(k_outbox_rows_with_their_message), "4");
  // Storing the same content again changes nothing, in history or current.
  EXPECT_EQ(commit(record("k-again", "again", "Le")).resources_changed, 0);
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource_version"), "4");
}

TEST_F(ingest_store_test, a_resource_repeated_with_other_content_leaves_the_rest_of_the_batch_in_one_statement) {
  // Four patients' messages; the first two carry the same Organization with different content
  // (a renamed facility), the third the second's content again, the fourth none.
  std::vector<inbound_record> recs;
  for (int i = 0; i < 4; ++i) {
    auto r = record(numbered("k", i), numbered("body-", i));
    auto pid = numbered("00000000-0000-5000-8000-00000000000", i);
    r.resources[0].id = r.resources[0].patient_id = r.resources[1].patient_id = pid;
    r.resources[1].id = numbered("00000000-0000-5000-8000-00000000010", i);
    if (i < 3)
      r.resources.push_back({"Organization", k_org, "",
                             R"({"resourceType":"Organization","id":")" + std::string(k_org) + R"(","name":"BV )" +
                                 (i == 0 ? "old" : "new") + R"("})"});
    r.links[0].local_patient_id = pid;
    recs.push_back(std::move(r));
  }
  auto out = commit_as_one_batch(std::move(recs));
  EXPECT_EQ(out[0].resources_changed, 3);
  EXPECT_EQ(out[1].resources_changed, 3);
  EXPECT_EQ(out[2].resources_changed, 2);  // the Organization as the batch already left it
  EXPECT_EQ(out[3].resources_changed, 2);
  // Both versions, in message order, each with its own content and message.
  EXPECT_EQ(pg.scalar("SELECT content->>'name' FROM resource_history WHERE type = 'Organization' AND version = 1"),
            "BV old");
  EXPECT_EQ(pg.scalar("SELECT version || ' ' || (content->>'name') FROM resource WHERE type = 'Organization'"),
            "2 BV new");
  EXPECT_EQ(pg.scalar("SELECT string_agg(unit::text, ',' ORDER BY seq) FROM outbox WHERE resource_type = "
                      "'Organization'"),
            std::to_string(out[0].message_id) + "," + std::to_string(out[1].message_id));
  EXPECT_EQ(pg.scalar(k_outbox_rows_with_their_message), "10");
  EXPECT_EQ(pg.scalar(k_keys_out_of_message_order), "0");
  // Only the second version waited for a second statement: every other row was written by the
  // first one, in message order (messages one statement each would put the second message's
  // Organization before its Patient, the batch's later messages after it).
  EXPECT_EQ(pg.scalar("SELECT string_agg(left(resource_type, 3), ',' ORDER BY seq) FROM outbox"),
            "Pat,Enc,Org,Pat,Enc,Pat,Enc,Pat,Enc,Org");
}

TEST_F(ingest_store_test, a_patients_rows_stay_in_message_order_when_its_patient_repeats_in_a_batch) {
  // Message 0 and 1 carry the same Patient with different content, message 2 only a new
  // Encounter of that patient: its row must come after message 1's Patient (the second
  // statement's), as it would without a batch; message 1's own rows may go in either order.
  std::vector<inbound_record> recs;
  for (int i = 0; i < 3; ++i) {
    auto r = record(numbered("k", i), numbered("body-", i), numbered("Family", i < 2 ? i : 1));
    r.resources[1].id = numbered("00000000-0000-5000-8000-00000000010", i);
    if (i == 2) r.resources.erase(r.resources.begin());
    recs.push_back(std::move(r));
  }
  auto out = commit_as_one_batch(std::move(recs));
  EXPECT_EQ(out[0].resources_changed, 2);
  EXPECT_EQ(out[1].resources_changed, 2);
  EXPECT_EQ(out[2].resources_changed, 1);
  EXPECT_EQ(pg.scalar(k_keys_out_of_message_order), "0");
  EXPECT_EQ(pg.scalar("SELECT string_agg(left(resource_type, 3) || resource_version, ',' ORDER BY seq) FROM outbox"),
            "Pat1,Enc1,Enc1,Pat2,Enc1");
  EXPECT_EQ(pg.scalar("SELECT version || ' ' || (content->'name'->0->>'family') FROM resource WHERE type = "
                      "'Patient'"),
            "2 Family1");
}

TEST_F(ingest_store_test, a_row_never_goes_before_a_resource_of_another_patient_it_references) {
  // Messages 0 and 1 carry patient M with different content (message 1's rows go into a second
  // statement); message 2 a new Encounter of M; message 3 patient N and N's Encounter partOf
  // M's. N's Encounter must reach the outbox after M's Encounter, or the forwarder could send it
  // before the national database has what it points to.
  constexpr const char* k_other = "0b0f7a8e-5d9c-5a3e-9a53-5a2f4e0c1d09";
  constexpr const char* k_other_enc = "1c1f7a8e-5d9c-5a3e-9a53-5a2f4e0c1d09";
  std::vector<inbound_record> recs;
  for (int i = 0; i < 2; ++i) {
    auto r = record(numbered("k", i), numbered("body-", i), numbered("Family", i));
    r.resources.pop_back();  // the Patient only
    recs.push_back(std::move(r));
  }
  auto enc = record("k2", "body-2");
  enc.resources.erase(enc.resources.begin());  // M's Encounter only
  recs.push_back(std::move(enc));
  auto other = record("k3", "body-3");
  other.resources = {
      {"Patient", k_other, k_other, R"({"resourceType":"Patient","id":")" + std::string(k_other) + R"("})"},
      {"Encounter", k_other_enc, k_other,
       R"({"resourceType":"Encounter","id":")" + std::string(k_other_enc) +
           R"(","status":"finished","class":{"code":"IMP"},"partOf":{"reference":"Encounter/)" +
           std::string(k_encounter) + R"("}})"}};
  other.links.clear();
  recs.push_back(std::move(other));
  commit_as_one_batch(std::move(recs));
  EXPECT_EQ(pg.scalar(k_keys_out_of_message_order), "0");
  EXPECT_EQ(pg.scalar(std::string("SELECT (SELECT seq FROM outbox WHERE resource_id = '") + k_encounter +
                      "') < (SELECT seq FROM outbox WHERE resource_id = '" + k_other_enc + "')"),
            "t");
}

TEST_F(ingest_store_test, a_database_migrated_by_a_newer_release_is_refused) {
  pg.scalar("INSERT INTO schema_migration (version, name) VALUES (999, 'from a newer release')");
  try {
    db.migrate_sync();
    ADD_FAILURE() << "migrated a schema newer than this build";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("at migration 999, newer than this build knows"), std::string::npos)
        << e.what();
  }
}

TEST_F(ingest_store_test, a_bad_record_in_a_batch_is_kept_as_an_error_and_the_others_are_stored) {
  std::vector<inbound_record> recs;
  for (int i = 0; i < 4; ++i) recs.push_back(record(numbered("k", i), numbered("body-", i)));
  recs[2].resources[1].id = "not-a-uuid";
  recs[2].error_answer = answer{"error-answer", 500};
  recs[2].error_issues_json = "[]";
  auto out = commit_as_one_batch(std::move(recs), 4);  // the batch failed: each record alone
  EXPECT_EQ(out[2].answer.body, "error-answer");
  for (auto& r : out) EXPECT_EQ(r.status, commit_status::stored);
  EXPECT_EQ(pg.scalar("SELECT string_agg(outcome, ',' ORDER BY message_key) FROM inbound_message"),
            "accepted,accepted,error,accepted");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM outbox"), "2");
}

TEST_F(ingest_store_test, partitions_are_made_ahead_and_idempotently) {
  auto made = run_awaitable(store->maintain_partitions(2, 120));
  EXPECT_EQ(made, 0);  // SetUp already made them
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM pg_inherits WHERE inhparent = 'inbound_message'::regclass"),
            "5");  // last month, this month, two ahead, and the default
  auto more = run_awaitable(store->maintain_partitions(4, 120));
  EXPECT_EQ(more, 2);
}

TEST_F(ingest_store_test, retention_drops_old_partitions) {
  pg.scalar(
      "CREATE TABLE inbound_message_y2001m01 PARTITION OF inbound_message FOR VALUES FROM ('2001-01-01 00:00:00+00') "
      "TO ('2001-02-01 00:00:00+00')");
  EXPECT_EQ(pg.scalar("SELECT to_regclass('inbound_message_y2001m01') IS NOT NULL"), "t");
  run_awaitable(store->maintain_partitions(2, 12));
  EXPECT_EQ(pg.scalar("SELECT to_regclass('inbound_message_y2001m01') IS NULL"), "t");
}

TEST(ingest_store_unavailable, commit_throws_unavailable_when_the_database_is_unreachable) {
  database db{{"host=127.0.0.1 port=1 user=postgres dbname=none", 1, std::chrono::seconds(1), std::chrono::seconds(5)}};
  auto st = std::make_shared<ingest_store>(db);
  EXPECT_THROW(run_awaitable(st->commit(record("k", "b"))), unavailable);
}

}  // namespace
}  // namespace gw::store
