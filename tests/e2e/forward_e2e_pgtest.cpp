// Facilities → gateway → national database stub, all real processes over real TLS: every sample
// and a stream of generated admissions and updates go in; the stub injects errors, lost answers
// and an outage; once the backlog is empty the stub holds exactly the gateway's store, no
// resource has an extra version, and the receive log shows each person's changes in outbox
// order. Then two gateway processes forward from one database: both deliver, none twice at once.
#include <gtest/gtest.h>

#include <pqxx/pqxx>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "tests/support/http_client.hpp"
#include "tests/support/pg_database.hpp"
#include "tests/support/process.hpp"
#include "tests/support/stub_process.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/test_certs.hpp"
#include "tests/support/tls_client.hpp"

namespace gw::test {
namespace {

/// The value of the Prometheus sample `name` (labels included) in the exposition `text`; -1 when
/// there is no such sample.
double metric_value(const std::string& text, const std::string& name) {
  for (std::size_t at = text.find(name); at != std::string::npos; at = text.find(name, at + 1))
    if ((at == 0 || text[at - 1] == '\n') && text.compare(at + name.size(), 1, " ") == 0)
      return std::stod(text.substr(at + name.size() + 1));
  return -1;
}

std::string sample(const std::string& rel) {
  return read_file(std::string(GW_SHARED_DIR) + "/samples/" + rel);
}

/// One emr-gateway process with forwarding on, on a database it may share with another.
class forwarding_gateway {
 public:
  forwarding_gateway(const std::string& name, test_certs& certs, const stub_process& stub, const std::string& dsn,
                     const std::string& forwarding_yaml)
      : name_(name), dir_("gw-" + name), certs_(certs) {
    mllp_ = free_port();
    ingest_ = free_port();
    admin_ = free_port();
    auto tls = "{certificate: " + certs.server().cert.string() + ", private_key: " + certs.server().key.string() +
               ", ca: " + certs.ca().string() + "}";
    auto client = stub.gateway_client();
    write_file(dir_ / "gateway.yaml",
               "facilities_dir: " GW_SOURCE_DIR "/config/facilities\ncodemaps_dir: " GW_SOURCE_DIR
               "/config/codemaps\nlisteners:\n  mllp: {port: " +
                   std::to_string(mllp_) + ", address: 127.0.0.1, tls: " + tls +
                   "}\n  ingest: {port: " + std::to_string(ingest_) + ", address: 127.0.0.1, tls: " + tls +
                   "}\n  api: {enabled: false, port: 3}\n  admin: {port: " + std::to_string(admin_) +
                   "}\ndatabase: {dsn: \"" + dsn + "\", connect_timeout: 2s}\nnational: {enabled: true, base_url: " +
                   stub.base_url() + ", request_timeout: 5s, tls: {certificate: " + client.cert.string() +
                   ", private_key: " + client.key.string() + ", ca: " + stub.ca().string() +
                   "}}\nforwarding: " + forwarding_yaml + "\n");
  }
  bool start() {
    proc_ = std::make_unique<process>(
        std::vector<std::string>{GW_GATEWAY_BIN, "serve", "--config", (dir_ / "gateway.yaml").string()},
        std::vector<std::string>{"GW_INSTANCE_NAME=" + name_}, (dir_ / "gateway.log").string());
    return eventually([&] { return http_get(admin_, "/readyz").status == 200; }, std::chrono::seconds(60));
  }
  tls_client_options as_facility(const std::string& code) {
    auto files = certs_.client("facility-" + code, "facility-" + code + ".emr-gateway.test");
    return {certs_.ca(), files.cert, files.key};
  }
  std::string metrics() const { return http_get(admin_, "/metrics").body; }
  std::string log() const { return read_file(dir_ / "gateway.log"); }
  process& proc() { return *proc_; }
  std::uint16_t mllp_port() const { return mllp_; }
  std::uint16_t ingest_port() const { return ingest_; }

 private:
  std::string name_;
  temp_dir dir_;
  test_certs& certs_;
  std::uint16_t mllp_ = 0, ingest_ = 0, admin_ = 0;
  std::unique_ptr<process> proc_;
};

std::string msa(const std::string& ack) {
  auto at = ack.find("\rMSA|");
  return at == std::string::npos ? std::string() : ack.substr(at + 5, 2);
}

/// An admission (A04) or update (A08) of patient `p` at 42001 whose phone number changes with
/// `n`, so every message makes a new Patient version (and a new Encounter per admission).
std::string adt(int p, int n, bool update) {
  auto id = std::to_string(n);
  auto mrn = "FWD" + std::to_string(p);
  return std::string("MSH|^~\\&|HIS|42001|EMRGW|SYT_HATINH|202611210800+0700||ADT^") + (update ? "A08" : "A04") +
         "^ADT_A01|FWD-" + id + "|P|2.5.1\rEVN|A04|202611210800+0700\rPID|1||" + mrn +
         "^^^42001^PI||Nguyen^Van^^^^^L||19900512|M|||||09120" + std::to_string(10000 + n) +
         "\rPV1|1|O|K01^^^42001||||||||||||||||V" + std::to_string(p * 1000 + (update ? 0 : n)) + "^^^42001^VN\r";
}

std::map<std::string, std::string> rows(const std::string& dsn, const std::string& sql) {
  pqxx::connection c(dsn);
  pqxx::nontransaction tx(c);
  std::map<std::string, std::string> out;
  for (const auto& r : tx.exec(sql)) out[r[0].c_str()] = r[1].is_null() ? "" : r[1].c_str();
  return out;
}

/// Everything the issue asks of the stub's content and receive log, against the gateway's store.
void expect_stub_equals_gateway(const std::string& gw_dsn, const stub_process& stub) {
  // Current content per resource, meta aside.
  auto gw = rows(gw_dsn, "SELECT type || '/' || id, (content - 'meta')::text FROM resource");
  auto st = rows(stub.dsn(), "SELECT type || '/' || id, (content - 'meta')::text FROM resource");
  EXPECT_EQ(gw.size(), st.size());
  int differ = 0;
  for (const auto& [k, v] : gw) {
    auto it = st.find(k);
    if (it == st.end() || it->second != v) {
      if (++differ <= 3) ADD_FAILURE() << "stub differs for " << k;
    }
  }
  EXPECT_EQ(differ, 0);
  // One stub version per gateway version delivered: no extra version anywhere.
  auto gv = rows(gw_dsn,
                 "SELECT resource_type || '/' || resource_id, count(DISTINCT resource_version)::text FROM outbox "
                 "WHERE state = 'delivered' GROUP BY 1");
  auto sv = rows(stub.dsn(), "SELECT type || '/' || id, count(*)::text FROM resource_history GROUP BY 1");
  EXPECT_EQ(gv, sv);
  // Per resource, source versions never go back in the receive log.
  EXPECT_EQ(stub.db("SELECT count(*) FROM (SELECT source_version::int AS v, lag(source_version::int) OVER "
                    "(PARTITION BY type, id ORDER BY seq) AS prev FROM receive_log) x WHERE v < prev"),
            "0");
  // Per person, first arrivals in outbox order.
  pqxx::connection gc(gw_dsn), sc(stub.dsn());
  pqxx::nontransaction gt(gc), stx(sc);
  std::map<std::string, std::vector<std::string>> expected, got;
  for (const auto& r : gt.exec("SELECT patient_key, resource_type || '/' || resource_id || '/' || resource_version "
                               "FROM outbox WHERE state = 'delivered' AND patient_key !~ '/' ORDER BY seq"))
    expected[r[0].c_str()].push_back(r[1].c_str());
  std::set<std::string> seen;
  for (const auto& r : stx.exec("SELECT patient_id, type || '/' || id || '/' || source_version FROM receive_log "
                                "WHERE patient_id IS NOT NULL ORDER BY seq"))
    if (seen.insert(r[1].c_str()).second) got[r[0].c_str()].push_back(r[1].c_str());
  EXPECT_EQ(expected.size(), got.size());
  int out_of_order = 0;
  for (const auto& [p, seq] : expected)
    if (got[p] != seq && ++out_of_order <= 3) ADD_FAILURE() << "order differs for patient " << p;
  EXPECT_EQ(out_of_order, 0);
}

TEST(forward_e2e, through_errors_lost_answers_and_an_outage_the_stub_ends_equal_to_the_store) {
  temp_dir dir("fwd");
  test_certs certs(dir / "certs");
  pg_database pg;
  stub_options so;
  so.faults_yaml = "{seed: 7, error_rate: 0.2, drop_after_write_rate: 0.1}";
  stub_process stub(certs, so);
  ASSERT_TRUE(stub.start()) << stub.log();
  forwarding_gateway gw("gw-a", certs, stub, pg.dsn(),
                        "{batch_max_resources: 20, batch_max_delay: 50ms, max_attempts: 12, backoff_initial: 100ms, "
                        "backoff_max: 2s, lease: 20s}");
  ASSERT_TRUE(gw.start()) << gw.log();

  // Every sample, over the transport its facility uses.
  {
    tls_client c(gw.mllp_port(), gw.as_facility("42001"));
    ASSERT_TRUE(c.connected());
    for (auto name : {"adt-a01-admit-42001.hl7", "adt-a08-update-42001.hl7", "oru-r01-cbc-42001.hl7",
                      "oru-r01-xray-report-42001.hl7", "adt-a03-discharge-42001.hl7"}) {
      ASSERT_TRUE(c.send("\x0b" + sample(std::string("hl7v2/") + name) + "\x1c\x0d"));
      auto ack = c.read_mllp();
      ASSERT_TRUE(ack) << name;
      EXPECT_EQ(msa(*ack), "AA") << name;
    }
    tls_client c5(gw.mllp_port(), gw.as_facility("42005"));
    ASSERT_TRUE(c5.send("\x0b" + sample("hl7v2/adt-a04-enhanced-ack-42005.hl7") + "\x1c\x0d"));
    EXPECT_EQ(msa(c5.read_mllp().value_or("")), "CA");
    tls_client c7(gw.mllp_port(), gw.as_facility("42007"));
    ASSERT_TRUE(c7.send("\x0b" + sample("hl7v2/adt-a40-merge-42007.hl7") + "\x1c\x0d"));
    EXPECT_EQ(msa(c7.read_mllp().value_or("")), "AA");
    tls_client h(gw.ingest_port(), gw.as_facility("42001"));
    EXPECT_EQ(
        h.http("POST", "/ingest", "application/xml", sample("vn-xml130/giamdinhhs-inpatient-pneumonia.xml")).status,
        200);
  }
  // A stream of changes to a few people, with an outage of the national database in the middle
  // (a few seconds here; scripts/forward-test.sh sets GW_FORWARD_OUTAGE_SECONDS to 60 and more).
  const char* outage_env = std::getenv("GW_FORWARD_OUTAGE_SECONDS");
  const int outage = outage_env && *outage_env ? std::atoi(outage_env) : 3;
  {
    tls_client c(gw.mllp_port(), gw.as_facility("42001"));
    ASSERT_TRUE(c.connected());
    for (int n = 0; n < 240; ++n) {
      if (n == 80) {
        ASSERT_TRUE(stub.outage(outage));
      }
      ASSERT_TRUE(c.send("\x0b" + adt(n % 12, n, n % 3 == 2) + "\x1c\x0d"));
      auto ack = c.read_mllp();
      ASSERT_TRUE(ack);
      ASSERT_EQ(msa(*ack), "AA") << *ack;
    }
  }
  pqxx::connection c(pg.dsn());
  auto open_rows = [&] {
    pqxx::nontransaction tx(c);
    return tx.exec("SELECT count(*) FROM outbox WHERE state IN ('pending', 'in_flight')")[0][0].as<long long>();
  };
  EXPECT_TRUE(eventually([&] { return open_rows() == 0; }, std::chrono::seconds(240 + 2 * outage)))
      << open_rows() << " rows still open\n"
      << gw.metrics();
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM outbox WHERE state = 'dead'"), "0")
      << pg.scalar("SELECT string_agg(resource_type || ': ' || last_error, E'\\n') FROM outbox WHERE state = 'dead'");
  // The faults really happened.
  auto stats = stub.stats();
  EXPECT_NE(pg.scalar("SELECT count(*) FROM outbox"), "0");
  EXPECT_EQ(metric_value(gw.metrics(), "gw_outbox_backlog"), 0.0) << gw.metrics();
  EXPECT_GT(metric_value(gw.metrics(), "gw_forward_failures_total{kind=\"transient\"}"), 0.0) << gw.metrics() << stats;
  EXPECT_NE(stub.db("SELECT count(*) FROM receive_log WHERE result = 'unchanged'"), "0") << stats;
  expect_stub_equals_gateway(pg.dsn(), stub);
}

TEST(forward_e2e, two_gateway_processes_on_one_database_share_the_work_and_deliver_each_row_once) {
  temp_dir dir("fwd2");
  test_certs certs(dir / "certs");
  pg_database pg;
  stub_options so;
  so.faults_yaml = "{seed: 11, error_rate: 0.1}";
  stub_process stub(certs, so);
  ASSERT_TRUE(stub.start()) << stub.log();
  const std::string fwd =
      "{batch_max_resources: 10, batch_max_delay: 20ms, max_attempts: 12, backoff_initial: 100ms, backoff_max: 1s, "
      "lease: 20s}";
  forwarding_gateway a("gw-a", certs, stub, pg.dsn(), fwd), b("gw-b", certs, stub, pg.dsn(), fwd);
  ASSERT_TRUE(a.start()) << a.log();
  ASSERT_TRUE(b.start()) << b.log();
  // N known messages, half through each process.
  constexpr int messages = 300;
  {
    tls_client ca(a.mllp_port(), a.as_facility("42001")), cb(b.mllp_port(), b.as_facility("42001"));
    ASSERT_TRUE(ca.connected() && cb.connected());
    for (int n = 0; n < messages; ++n) {
      auto& c = n % 2 ? cb : ca;
      ASSERT_TRUE(c.send("\x0b" + adt(n % 40, n, n % 4 == 3) + "\x1c\x0d"));
      ASSERT_EQ(msa(c.read_mllp().value_or("")), "AA");
    }
  }
  pqxx::connection c(pg.dsn());
  EXPECT_TRUE(eventually(
      [&] {
        pqxx::nontransaction tx(c);
        return tx.exec("SELECT count(*) FROM outbox WHERE state IN ('pending', 'in_flight')")[0][0].as<long long>() ==
               0;
      },
      std::chrono::seconds(240)));
  EXPECT_EQ(pg.scalar("SELECT count(*) FROM outbox WHERE state <> 'delivered'"), "0");
  EXPECT_NE(pg.scalar("SELECT count(*) FROM outbox WHERE delivered_by = 'gw-a'"), "0");
  EXPECT_NE(pg.scalar("SELECT count(*) FROM outbox WHERE delivered_by = 'gw-b'"), "0");
  // Every entry the stub logged for a row came from the process that holds it as delivered: no
  // row was sent by both.
  auto holder =
      rows(pg.dsn(), "SELECT resource_type || '/' || resource_id || '/' || resource_version, delivered_by FROM outbox");
  pqxx::connection sc(stub.dsn());
  pqxx::nontransaction stx(sc);
  int foreign = 0;
  for (const auto& r : stx.exec("SELECT type || '/' || id || '/' || source_version, source FROM receive_log"))
    if ("urn:emr-gateway:" + holder[r[0].c_str()] != r[1].c_str() && ++foreign <= 3)
      ADD_FAILURE() << r[0].c_str() << " also sent by " << r[1].c_str();
  EXPECT_EQ(foreign, 0);
  expect_stub_equals_gateway(pg.dsn(), stub);
}

}  // namespace
}  // namespace gw::test
