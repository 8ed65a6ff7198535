// The real emr-gateway process against a real PostgreSQL that the test stops and starts:
// /healthz always answers, /readyz follows the database (503 while unreachable, 200 once back),
// and SIGTERM ends the process cleanly.
#include <gtest/gtest.h>

#include <signal.h>

#include "tests/support/http_client.hpp"
#include "tests/support/pg_cluster.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace gw::test {
namespace {

std::string admin_only_config(std::uint16_t admin_port, const std::string& dsn) {
  return "log_level: info\n"
         "facilities_dir: " GW_SOURCE_DIR
         "/config/facilities\n"
         "codemaps_dir: " GW_SOURCE_DIR
         "/config/codemaps\n"
         "listeners:\n"
         "  mllp: {enabled: false, port: 1}\n"
         "  ingest: {enabled: false, port: 2}\n"
         "  api: {enabled: false, port: 3}\n"
         "  admin: {port: " +
         std::to_string(admin_port) +
         "}\n"
         "database:\n"
         "  dsn: \"" +
         dsn +
         "\"\n"
         "  connect_timeout: 1s\n";
}

TEST(admin_readyz, follows_the_database_and_stops_on_sigterm) {
  pg_cluster pg;
  temp_dir dir("readyz");
  auto port = free_port();
  write_file(dir / "gateway.yaml", admin_only_config(port, pg.dsn()));
  process gw({GW_GATEWAY_BIN, "serve", "--config", (dir / "gateway.yaml").string()}, {},
             (dir / "gateway.log").string());

  ASSERT_TRUE(eventually([&] { return http_get(port, "/healthz").status == 200; })) << read_file(dir / "gateway.log");
  ASSERT_TRUE(eventually([&] { return http_get(port, "/readyz").status == 200; })) << read_file(dir / "gateway.log");
  EXPECT_NE(http_get(port, "/readyz").body.find("\"migrations\":\"done\""), std::string::npos);

  pg.stop();
  ASSERT_TRUE(eventually([&] { return http_get(port, "/readyz").status == 503; }));
  auto down = http_get(port, "/readyz");
  EXPECT_NE(down.body.find("\"database\":\"unreachable\""), std::string::npos) << down.body;
  EXPECT_EQ(http_get(port, "/healthz").status, 200);  // alive, just not ready

  pg.start();
  ASSERT_TRUE(eventually([&] { return http_get(port, "/readyz").status == 200; })) << read_file(dir / "gateway.log");

  EXPECT_EQ(http_get(port, "/nowhere").status, 404);

  gw.signal(SIGTERM);
  auto rc = gw.wait_for(std::chrono::seconds(20));
  ASSERT_TRUE(rc.has_value());
  EXPECT_EQ(*rc, 0) << read_file(dir / "gateway.log");
}

TEST(admin_readyz, not_ready_until_the_database_first_appears) {
  // Start the gateway before PostgreSQL is reachable: it must come up, say 503, and become
  // ready (migrations applied) once the database is there.
  pg_cluster pg;
  pg.stop();
  temp_dir dir("readyz-late");
  auto port = free_port();
  write_file(dir / "gateway.yaml", admin_only_config(port, pg.dsn()));
  process gw({GW_GATEWAY_BIN, "serve", "--config", (dir / "gateway.yaml").string()}, {},
             (dir / "gateway.log").string());
  ASSERT_TRUE(eventually([&] { return http_get(port, "/readyz").status == 503; })) << read_file(dir / "gateway.log");
  EXPECT_NE(http_get(port, "/readyz").body.find("\"migrations\":\"pending\""), std::string::npos);
  pg.start();
  ASSERT_TRUE(eventually([&] { return http_get(port, "/readyz").status == 200; })) << read_file(dir / "gateway.log");
}

}  // namespace
}  // namespace gw::test
