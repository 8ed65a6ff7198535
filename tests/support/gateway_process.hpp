#pragma once
// An emr-gateway process for end-to-end tests: its own certificates (made now), configuration
// (the shipped facilities, test ports), PostgreSQL cluster and log file. Start, kill -9, restart.
#include <pqxx/pqxx>

#include <memory>
#include <string>
#include <vector>

#include "tests/support/http_client.hpp"
#include "tests/support/pg_cluster.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certs.hpp"
#include "tests/support/tls_client.hpp"

#ifndef GW_GATEWAY_BIN
#error "GW_GATEWAY_BIN must name the emr-gateway executable"
#endif

namespace gw::test {

class gateway_process {
 public:
  gateway_process() : dir_("gw"), certs_(dir_ / "certs") {
    mllp_port_ = free_port();
    ingest_port_ = free_port();
    admin_port_ = free_port();
    {
      pqxx::connection c(pg_.dsn());
      pqxx::nontransaction tx(c);
      tx.exec("CREATE DATABASE emr_gateway");
    }
    auto tls = "{certificate: " + certs_.server().cert.string() + ", private_key: " + certs_.server().key.string() +
               ", ca: " + certs_.ca().string() + "}";
    write_file(dir_ / "gateway.yaml", "facilities_dir: " GW_SOURCE_DIR
                                      "/config/facilities\n"
                                      "codemaps_dir: " GW_SOURCE_DIR
                                      "/config/codemaps\n"
                                      "listeners:\n"
                                      "  mllp: {port: " +
                                          std::to_string(mllp_port_) + ", address: 127.0.0.1, tls: " + tls +
                                          "}\n"
                                          "  ingest: {port: " +
                                          std::to_string(ingest_port_) + ", address: 127.0.0.1, tls: " + tls +
                                          "}\n"
                                          "  api: {enabled: false, port: 3}\n"
                                          "  admin: {port: " +
                                          std::to_string(admin_port_) +
                                          "}\n"
                                          "database: {dsn: \"" +
                                          pg_.dsn("emr_gateway") + "\", connect_timeout: 1s}\n");
  }

  /// Starts the process and waits until /readyz answers 200. False when it did not.
  bool start() {
    proc_ = std::make_unique<process>(
        std::vector<std::string>{GW_GATEWAY_BIN, "serve", "--config", (dir_ / "gateway.yaml").string()},
        std::vector<std::string>{}, (dir_ / "gateway.log").string());
    return eventually([&] { return http_get(admin_port_, "/readyz").status == 200; }, std::chrono::seconds(60));
  }
  /// kill -9: no chance to finish anything.
  void kill_hard() {
    if (proc_) {
      proc_->signal(SIGKILL);
      proc_->wait_for(std::chrono::seconds(30));
    }
  }
  process& proc() { return *proc_; }

  tls_client_options as_facility(const std::string& code) {
    auto files = certs_.client("facility-" + code, "facility-" + code + ".emr-gateway.test");
    return {certs_.ca(), files.cert, files.key};
  }
  /// First column of the first row of a query on the gateway's database ("" when none).
  std::string db(const std::string& sql) {
    pqxx::connection c(pg_.dsn("emr_gateway"));
    pqxx::nontransaction tx(c);
    auto r = tx.exec(sql);
    return r.empty() || r[0][0].is_null() ? std::string() : r[0][0].c_str();
  }
  std::string log() const { return read_file(dir_ / "gateway.log"); }

  pg_cluster& pg() { return pg_; }
  test_certs& certs() { return certs_; }
  std::uint16_t mllp_port() const { return mllp_port_; }
  std::uint16_t ingest_port() const { return ingest_port_; }
  std::uint16_t admin_port() const { return admin_port_; }

 private:
  temp_dir dir_;
  test_certs certs_;
  pg_cluster pg_;
  std::uint16_t mllp_port_ = 0, ingest_port_ = 0, admin_port_ = 0;
  std::unique_ptr<process> proc_;
};

inline std::string mllp_frame(const std::string& m) {
  return "\x0b" + m + "\x1c\x0d";
}

/// MSA-1 of an ACK ("" when none).
inline std::string msa_code(const std::string& ack) {
  auto at = ack.find("\rMSA|");
  return at == std::string::npos ? std::string() : ack.substr(at + 5, 2);
}

}  // namespace gw::test
