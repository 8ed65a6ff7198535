#pragma once
// A national-db-stub process for end-to-end tests: a server certificate made now by the caller's
// test_certs (so a gateway made from the same test_certs trusts it and is trusted by it), its own
// database on a PostgreSQL server (GW_TEST_PG_DSN, or a server the test names), free ports, a log
// file, and helpers for its admin endpoint (faults, outage, receive log, stats).
//
//   gw::test::test_certs certs(dir / "certs");
//   gw::test::stub_process stub(certs);                        // or stub(certs, {.server_dsn = gw.pg().dsn()})
//   ASSERT_TRUE(stub.start());                                 // waits for /readyz
//   stub.base_url();                                           // "https://127.0.0.1:<port>/fhir"
//   stub.gateway_client();                                     // cert/key the stub accepts
//   (CN=gateway.emr-gateway.test) stub.set_faults(R"({"seed":7,"error_rate":0.2,"drop_after_write_rate":0.1})");
//   stub.outage(3);                                            // 503 + Retry-After for 3 s from now
//   stub.receive_log("<patient id>");                          // JSON array, in arrival order
//   stub.db("SELECT count(*) FROM resource");                  // first column of the first row
#include <pqxx/pqxx>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certs.hpp"
#include "tests/support/tls_client.hpp"

#ifndef GW_STUB_BIN
#error "GW_STUB_BIN must name the national-db-stub executable"
#endif

namespace gw::test {

struct stub_options {
  /// libpq DSN of the PostgreSQL server on which the stub's database is created (and dropped at
  /// the end); empty: GW_TEST_PG_DSN.
  std::string server_dsn;
  /// The `faults:` section as a YAML flow mapping, e.g. "{seed: 7, error_rate: 0.2}"; empty: none.
  std::string faults_yaml;
  /// Client certificate subjects accepted besides "CN=gateway.emr-gateway.test".
  std::vector<std::string> extra_subjects;
  /// Extra top-level YAML lines for the stub's configuration (e.g. "search: {max_count: 5}\n").
  std::string extra_yaml;
};

class stub_process {
 public:
  static constexpr const char* gateway_subject = "CN=gateway.emr-gateway.test";

  explicit stub_process(test_certs& certs, stub_options o = {}) : dir_("stub"), opts_(std::move(o)) {
    server_ = certs.server_cert("national-stub", "national-db-stub.emr-gateway.test");
    client_ = certs.client("gateway-client", "gateway.emr-gateway.test");
    ca_ = certs.ca();
    server_dsn_ = opts_.server_dsn;
    if (server_dsn_.empty()) {
      const char* env = std::getenv("GW_TEST_PG_DSN");
      if (env == nullptr || *env == 0) throw std::runtime_error("GW_TEST_PG_DSN is not set: run scripts/test.sh");
      server_dsn_ = env;
    }
    std::random_device rd;
    db_name_ = "national_" + std::to_string(rd()) + std::to_string(rd() % 1000);
    {
      pqxx::connection c(server_dsn_);
      pqxx::nontransaction tx(c);
      tx.exec("CREATE DATABASE " + tx.quote_name(db_name_));
    }
    port_ = free_port();
    admin_port_ = free_port();
    std::string subjects = std::string("\"") + gateway_subject + "\"";
    for (const auto& s : opts_.extra_subjects) subjects += ", \"" + s + "\"";
    std::string yaml =
        "log_level: debug\nio_threads: 2\nlisten:\n  address: 127.0.0.1\n  port: " + std::to_string(port_) +
        "\n  tls: {certificate: " + server_.cert.string() + ", private_key: " + server_.key.string() +
        ", ca: " + ca_.string() + "}\n  limits: {read_timeout: 10s, idle_timeout: 30s, max_message_bytes: 64MiB}\n" +
        "admin: {address: 127.0.0.1, port: " + std::to_string(admin_port_) + "}\n" + "clients: {subjects: [" +
        subjects + "]}\n" + "database: {dsn: \"" + dsn() + "\", connect_timeout: 2s}\n";
    if (!opts_.faults_yaml.empty()) yaml += "faults: " + opts_.faults_yaml + "\n";
    yaml += opts_.extra_yaml;
    write_file(config_path(), yaml);
  }
  ~stub_process() {
    proc_.reset();
    try {
      pqxx::connection c(server_dsn_);
      pqxx::nontransaction tx(c);
      tx.exec("DROP DATABASE IF EXISTS " + tx.quote_name(db_name_) + " WITH (FORCE)");
    } catch (...) {}
  }
  stub_process(const stub_process&) = delete;
  stub_process& operator=(const stub_process&) = delete;

  /// Starts `national-db-stub serve` and waits until /readyz answers 200 (migrations done).
  bool start() {
    proc_ =
        std::make_unique<process>(std::vector<std::string>{GW_STUB_BIN, "serve", "--config", config_path().string()},
                                  std::vector<std::string>{}, (dir_ / "stub.log").string());
    return eventually([&] { return http_get(admin_port_, "/readyz").status == 200 || !proc_->running(); },
                      std::chrono::seconds(60)) &&
           proc_->running();
  }
  /// SIGTERM and wait; the exit code (nothing when it did not stop within 30 s).
  std::optional<int> stop() {
    if (!proc_) return 0;
    proc_->signal(SIGTERM);
    return proc_->wait_for(std::chrono::seconds(30));
  }
  void kill_hard() {
    if (proc_) {
      proc_->signal(SIGKILL);
      proc_->wait_for(std::chrono::seconds(30));
    }
  }
  process& proc() { return *proc_; }

  std::uint16_t port() const { return port_; }
  std::uint16_t admin_port() const { return admin_port_; }
  std::string base_url() const { return "https://127.0.0.1:" + std::to_string(port_) + "/fhir"; }
  const std::filesystem::path& ca() const { return ca_; }
  /// The stub's server certificate (CN=national-db-stub.emr-gateway.test, SAN 127.0.0.1).
  const cert_files& server_cert() const { return server_; }
  /// The client certificate the stub accepts (CN=gateway.emr-gateway.test): give it to the gateway.
  const cert_files& gateway_client() const { return client_; }
  /// tls_client options that connect as the gateway.
  tls_client_options client_options() const { return {ca_, client_.cert, client_.key}; }
  std::filesystem::path config_path() const { return dir_ / "national-stub.yaml"; }
  /// DSN of the stub's own database.
  std::string dsn() const {
    auto d = server_dsn_;
    if (auto at = d.find("dbname="); at != std::string::npos) {
      auto end = d.find(' ', at);
      d.erase(at, end == std::string::npos ? std::string::npos : end - at);
    }
    return d + " dbname=" + db_name_;
  }
  /// First column of the first row of a query on the stub's database ("" when none).
  std::string db(const std::string& sql) const {
    pqxx::connection c(dsn());
    pqxx::nontransaction tx(c);
    auto r = tx.exec(sql);
    return r.empty() || r[0][0].is_null() ? std::string() : r[0][0].c_str();
  }
  std::string log() const { return read_file(dir_ / "stub.log"); }

  /// Admin calls (plain HTTP on 127.0.0.1).
  http_answer admin(const std::string& method, const std::string& path, const std::string& body = "") const {
    return http_call(admin_port_, method, path, body);
  }
  /// Replaces the faults (JSON as GET /admin/faults shows them); the request counter restarts.
  bool set_faults(const std::string& json) const { return admin("PUT", "/admin/faults", json).status == 200; }
  /// No faults at all.
  bool clear_faults() const { return set_faults("{}"); }
  /// An outage of `seconds` starting now: every FHIR request gets 503 + Retry-After.
  bool outage(int seconds) const {
    return admin("POST", "/admin/outage?seconds=" + std::to_string(seconds)).status == 200;
  }
  /// The receive log as a JSON array (arrival order) of {seq, received_at, batch_id, entry,
  /// patient_id, type, id, source_version, source, stub_version, result}; all patients when empty.
  std::string receive_log(const std::string& patient = "") const {
    return admin("GET", patient.empty() ? "/admin/receive-log" : "/admin/receive-log?patient=" + patient).body;
  }
  /// {"requests":..,"created":..,"updated":..,"unchanged":..,"refused":..,"faults":{...}}
  std::string stats() const { return admin("GET", "/admin/stats").body; }

 private:
  temp_dir dir_;
  stub_options opts_;
  cert_files server_, client_;
  std::filesystem::path ca_;
  std::string server_dsn_, db_name_;
  std::uint16_t port_ = 0, admin_port_ = 0;
  std::unique_ptr<process> proc_;
};

}  // namespace gw::test
