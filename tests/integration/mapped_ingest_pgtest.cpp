// The CV 365 and mapped exports through the whole ingest pipeline against a real PostgreSQL: the
// three shipped samples (42020 CV 365 JSON and XML, 42021 JSON, 42022 pipe-delimited text) are
// accepted with their resources stored; a broken export is stored as rejected with its issues.
#include <gtest/gtest.h>

#include <cstdlib>

#include "gateway/config/config.hpp"
#include "gateway/ingest/pipeline.hpp"
#include "gateway/store/database.hpp"
#include "gateway/store/ingest_store.hpp"
#include "tests/support/pg_database.hpp"
#include "tests/support/run_awaitable.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/unit/mapped/test_util.hpp"

namespace gw::ingest {
namespace {

using mapped::test::sample;
using test::pg_database;
using test::run_awaitable;

struct mapped_pipeline_test : ::testing::Test {
  const config::gateway_config& cfg = mapped::test::shipped();
  pg_database pg;
  store::database db{{pg.dsn(), 2, std::chrono::seconds(3), std::chrono::seconds(15)}};
  std::shared_ptr<store::ingest_store> st = std::make_shared<store::ingest_store>(db);
  pipeline p{cfg, st, default_translators(cfg)};

  void SetUp() override {
    db.migrate_sync();
    run_awaitable(st->maintain_partitions(2, 120));
  }
  /// One HTTPS POST /ingest from `facility`, as the listener hands it to the pipeline.
  response send(const std::string& facility, std::string body, std::string content_type) {
    return run_awaitable(p.handle(request{.facility = cfg.find_facility(facility),
                                          .transport = config::transport::https,
                                          .content_type = std::move(content_type),
                                          .body = std::move(body),
                                          .received_at = std::chrono::system_clock::now(),
                                          .peer = "test"}));
  }
  std::string count(const std::string& where) { return pg.scalar("SELECT count(*) FROM resource WHERE " + where); }
};

TEST_F(mapped_pipeline_test, cv365_json_and_xml_are_accepted_and_stored) {
  auto r = send("42020", sample("cv365/hosobenhan-42020-inpatient.json"), "application/json");
  EXPECT_EQ(r.http_status, 200) << r.body;
  EXPECT_EQ(pg.scalar("SELECT outcome || ' ' || format FROM inbound_message"), "accepted cv365");
  EXPECT_EQ(count("type = 'Patient'"), "1");
  EXPECT_EQ(count("type = 'Observation'"), "8");
  EXPECT_EQ(count("type = 'MedicationRequest'"), "2");
  auto x = send("42020", sample("cv365/hosobenhan-42020-emergency.xml"), "application/xml");
  EXPECT_EQ(x.http_status, 200) << x.body;
  EXPECT_EQ(count("type = 'Patient'"), "2");
  EXPECT_EQ(count("type = 'Procedure'"), "2");
  EXPECT_EQ(count("content::text LIKE '%urn:uuid:%'"), "0");
}

TEST_F(mapped_pipeline_test, facility_42021_json_export_is_accepted_and_stored) {
  auto r = send("42021", sample("mapped/42021/visits-2026-11-22.json"), "application/json");
  EXPECT_EQ(r.http_status, 200) << r.body;
  EXPECT_EQ(pg.scalar("SELECT outcome || ' ' || format FROM inbound_message"), "accepted mapped");
  EXPECT_EQ(count("type = 'Patient'"), "2");
  EXPECT_EQ(count("type = 'Encounter'"), "2");
  EXPECT_EQ(count("type = 'Condition'"), "3");
}

TEST_F(mapped_pipeline_test, facility_42022_text_export_is_accepted_and_replay_is_idempotent) {
  const auto body = sample("mapped/42022/export-20261123.txt");
  auto r = send("42022", body, "text/plain; charset=utf-8");
  EXPECT_EQ(r.http_status, 200) << r.body;
  EXPECT_EQ(count("type = 'Patient'"), "2");
  EXPECT_EQ(count("type = 'Observation'"), "2");
  const auto before = pg.scalar("SELECT count(*) FROM resource_version");
  auto again = send("42022", body, "text/plain");
  // The stored answer again, and no new resource or version.
  EXPECT_EQ(again.http_status, 200) << again.body;
  EXPECT_EQ(again.body, r.body);
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource_version"), before);
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM inbound_message"), "1");
}

TEST_F(mapped_pipeline_test, a_broken_export_is_rejected_with_located_issues_and_kept) {
  auto r = send("42022", "V;B22-1;042175009876\n", "text/plain");
  EXPECT_GE(r.http_status, 400) << r.body;
  EXPECT_NE(r.body.find("line 1"), std::string::npos) << r.body;
  EXPECT_EQ(pg.scalar("SELECT outcome FROM inbound_message"), "rejected");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource"), "0");
}

}  // namespace
}  // namespace gw::ingest
