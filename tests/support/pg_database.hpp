#pragma once
// A fresh, empty database on the PostgreSQL server that scripts/test.sh started (GW_TEST_PG_DSN),
// dropped again at scope exit. Each test gets its own, so tests can run in parallel.
#include <pqxx/pqxx>

#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>

namespace gw::test {

class pg_database {
 public:
  pg_database() {
    const char* dsn = std::getenv("GW_TEST_PG_DSN");
    if (!dsn || !*dsn) throw std::runtime_error("GW_TEST_PG_DSN is not set: run scripts/test.sh");
    server_dsn_ = dsn;
    std::random_device rd;
    name_ = "gwtest_" + std::to_string(rd()) + std::to_string(rd() % 1000);
    pqxx::connection c(server_dsn_);
    pqxx::nontransaction tx(c);
    tx.exec("CREATE DATABASE " + tx.quote_name(name_));
  }
  ~pg_database() {
    try {
      pqxx::connection c(server_dsn_);
      pqxx::nontransaction tx(c);
      tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(name_) + " WITH (FORCE)");
    } catch (...) {}
  }
  pg_database(const pg_database&) = delete;
  pg_database& operator=(const pg_database&) = delete;

  /// DSN of this database (the server's DSN with dbname replaced).
  std::string dsn() const {
    auto d = server_dsn_;
    auto at = d.find("dbname=");
    if (at != std::string::npos)
      d.erase(at, d.find(' ', at) == std::string::npos ? std::string::npos : d.find(' ', at) - at);
    return d + " dbname=" + name_;
  }
  const std::string& name() const { return name_; }

  /// Runs a query and returns the first column of the first row as text ("" when no row).
  std::string scalar(const std::string& sql) const {
    pqxx::connection c(dsn());
    pqxx::nontransaction tx(c);
    auto r = tx.exec(sql);
    return r.empty() || r[0][0].is_null() ? std::string() : r[0][0].c_str();
  }

 private:
  std::string server_dsn_;
  std::string name_;
};

}  // namespace gw::test
