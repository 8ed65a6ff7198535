#pragma once
// A private PostgreSQL cluster for tests that must stop or kill the database (scripts/test.sh
// sets GW_TEST_PG_CLUSTER_TOOL to scripts/pg-cluster.sh and GW_TEST_TMPDIR to a folder the
// postgres user can reach). Tests that only need a database use GW_TEST_PG_DSN instead.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace gw::test {

inline std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

class pg_cluster {
 public:
  pg_cluster() : dir_("pg") {
    tool_ = env_or_empty("GW_TEST_PG_CLUSTER_TOOL");
    if (tool_.empty()) throw std::runtime_error("GW_TEST_PG_CLUSTER_TOOL is not set: run scripts/test.sh");
    port_ = free_port();
    if (run_command(tool_ + " init " + dir_.path().string()) != 0) throw std::runtime_error("initdb failed");
    start();
  }
  ~pg_cluster() { run_command(tool_ + " kill " + dir_.path().string()); }
  void start() {
    if (run_command(tool_ + " start " + dir_.path().string() + " " + std::to_string(port_)) != 0)
      throw std::runtime_error("pg_ctl start failed");
  }
  void stop() { run_command(tool_ + " stop " + dir_.path().string()); }
  std::uint16_t port() const { return port_; }
  std::string dsn(const std::string& db = "postgres") const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + db;
  }

 private:
  temp_dir dir_;
  std::string tool_;
  std::uint16_t port_ = 0;
};

}  // namespace gw::test
