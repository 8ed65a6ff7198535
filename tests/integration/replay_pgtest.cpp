// emr-gateway replay as an operator runs it: messages kept as rejected (here: their format had no
// adapter yet) are re-translated with today's adapters and accepted; running it again changes
// nothing; each run leaves an audit row.
#include <gtest/gtest.h>

#include <cstdlib>

#include "gateway/config/config.hpp"
#include "gateway/ingest/pipeline.hpp"
#include "gateway/store/database.hpp"
#include "gateway/store/ingest_store.hpp"
#include "tests/support/pg_database.hpp"
#include "tests/support/process.hpp"
#include "tests/support/run_awaitable.hpp"
#include "tests/support/temp_dir.hpp"

namespace gw::test {
namespace {

TEST(replay, rejected_messages_are_accepted_after_the_fix_and_replay_is_idempotent) {
  pg_database pg;
  temp_dir certs("certs");
  for (auto f : {"gateway.crt", "gateway.key", "ca.crt"}) write_file(certs / f, "x");
  ::setenv("GW_CERT_DIR", certs.path().c_str(), 1);
  auto loaded = config::load_config(std::filesystem::path(GW_SOURCE_DIR) / "config/gateway.yaml");
  ASSERT_TRUE(loaded.config);
  const auto& cfg = *loaded.config;

  {
    store::database db{{pg.dsn(), 1, std::chrono::seconds(3), std::chrono::seconds(15)}};
    db.migrate_sync();
    auto st = std::make_shared<store::ingest_store>(db);
    run_awaitable(st->maintain_partitions(1, 120));
    ingest::pipeline without_adapters{cfg, st, ingest::translator_registry{}};
    for (auto name : {"adt-a01-admit-42001.hl7", "oru-r01-cbc-42001.hl7"}) {
      ingest::request r;
      r.facility = cfg.find_facility("42001");
      r.transport = config::transport::mllp;
      r.body = read_file(std::string(GW_SHARED_DIR) + "/samples/hl7v2/" + name);
      r.received_at = std::chrono::system_clock::now();
      run_awaitable(without_adapters.handle(std::move(r)));
    }
  }
  ASSERT_EQ(pg.scalar("SELECT count(*) FROM inbound_message WHERE outcome = 'rejected'"), "2");
  ASSERT_EQ(pg.scalar("SELECT count(*) FROM resource"), "0");

  temp_dir out("replay");
  auto cmd = "GW_DATABASE_URL='" + pg.dsn() +
             "' " GW_GATEWAY_BIN
             " replay --facility 42001 --outcome rejected "
             "--actor test-operator --config " GW_SOURCE_DIR "/config/gateway.yaml > " +
             (out / "1").string() + " 2>&1";
  ASSERT_EQ(run_command(cmd), 0) << read_file(out / "1");
  EXPECT_NE(read_file(out / "1").find("2 messages, 2 accepted (2 newly)"), std::string::npos) << read_file(out / "1");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM inbound_message WHERE outcome = 'accepted'"), "2");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource WHERE type = 'DiagnosticReport'"), "1");
  auto versions = pg.scalar("SELECT count(*) FROM resource_version");

  // Again, over everything: nothing changes.
  auto again = "GW_DATABASE_URL='" + pg.dsn() +
               "' " GW_GATEWAY_BIN
               " replay --facility 42001 --actor test-operator "
               "--config " GW_SOURCE_DIR "/config/gateway.yaml > " +
               (out / "2").string() + " 2>&1";
  ASSERT_EQ(run_command(again), 0) << read_file(out / "2");
  EXPECT_NE(read_file(out / "2").find("0 resources changed"), std::string::npos) << read_file(out / "2");
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM resource_version"), versions);
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM audit_event WHERE action = 'replay' AND actor = 'test-operator'"), "2");
  ::unsetenv("GW_CERT_DIR");
}

}  // namespace
}  // namespace gw::test
