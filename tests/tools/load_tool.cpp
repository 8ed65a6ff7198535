// gw-load: sustained load from the province's 23 facilities at once, one TLS connection each,
// over MLLP (facilities with an HL7 v2 feed) and HTTPS (the others), against a running gateway.
// Measures answered messages/s and answer latency (p50/p99), then the raw PostgreSQL limit of the
// same machine: batched inserts + commits of the same bytes through the same driver (libpqxx).
// With --record FILE it appends its own row to the benchmarks table (figures are produced, never
// typed in). See scripts/load-test.sh, which starts everything this needs.
#include <openssl/evp.h>

#include <pqxx/pqxx>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/benchmark_record.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/support/tls_client.hpp"

namespace {

using clock_type = std::chrono::steady_clock;
using gw::test::read_file;

struct options {
  std::uint16_t mllp_port = 2575, ingest_port = 8443;
  std::string certs = "var/certs";  // ca.crt + facility-<code>.crt/.key (scripts/gen-dev-certs.sh)
  std::string samples = "../shared/samples";
  std::string own_samples = "tests/samples";  ///< the project's CV 365 and mapped-export samples
  std::string dsn;                            // for the raw PostgreSQL measurement
  int seconds = 20;
  std::string record;  // benchmarks file to append a row to
  std::string command = "scripts/load-test.sh";
};

struct facility_plan {
  std::string code;
  bool mllp = false;
  std::string content_type;  // HTTPS
  /// The facility's own export (CV 365, JSON, delimited text) with the visit and CCCD it names,
  /// replaced per message so every message is a new visit of a new person; empty = QĐ 130.
  std::string body;
  std::string visit_token, cccd_token;
};

std::string base64(std::string_view in) {
  std::string out(4 * ((in.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(in.data()), static_cast<int>(in.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

/// One message of a facility with its own export format: the sample with a fresh visit and CCCD.
std::string own_export(const facility_plan& f, long long n) {
  std::string b = f.body;
  char cccd[16];
  std::snprintf(cccd, sizeof cccd, "%.6s%06lld", f.cccd_token.c_str(), n % 1000000);
  replace_all(b, f.visit_token, f.visit_token.substr(0, 4) + std::to_string(n));
  replace_all(b, f.cccd_token, cccd);
  return b;
}

/// A QĐ 130 envelope for `facility`, episode `n`: the sample episode with its own MA_LK, patient.
std::string qd130_envelope(const std::vector<std::string>& tables, const std::string& facility, long long n) {
  // Each message is a new person: own visit, citizen ID, record number and health-insurance card
  // (one card shared by every person made every message update the same Coverage).
  char lk[16], cccd[16], bn[16], card[32];
  std::snprintf(lk, sizeof lk, "27%08lld", n % 100000000);
  std::snprintf(cccd, sizeof cccd, "042078%06lld", n % 1000000);
  std::snprintf(bn, sizeof bn, "BN%010lld", n);
  std::snprintf(card, sizeof card, "GD44242%08lld", n % 100000000);
  std::string env = "<?xml version=\"1.0\" encoding=\"utf-8\"?><GIAMDINHHS><THONGTINDONVI><MACSKCB>" + facility +
                    "</MACSKCB></THONGTINDONVI><THONGTINHOSO><NGAYLAP>20261125</NGAYLAP><SOLUONGHOSO>1</SOLUONGHOSO>"
                    "<DANHSACHHOSO><HOSO>";
  for (std::size_t i = 0; i < tables.size(); ++i) {
    std::string t = tables[i];
    replace_all(t, "2611200007", lk);
    replace_all(t, "042078000123", cccd);
    replace_all(t, "BN0042001234", bn);
    replace_all(t, "GD4424299990001", card);
    replace_all(t, "<MA_CSKCB>42001</MA_CSKCB>", "<MA_CSKCB>" + facility + "</MA_CSKCB>");
    env += "<FILEHOSO><LOAIHOSO>XML" + std::to_string(i + 1) + "</LOAIHOSO><NOIDUNGFILE>" + base64(t) +
           "</NOIDUNGFILE></FILEHOSO>";
  }
  env += "</HOSO></DANHSACHHOSO></THONGTINHOSO><CHUKYDONVI></CHUKYDONVI></GIAMDINHHS>";
  return env;
}

std::string hl7_admission(const std::string& facility, long long n) {
  auto id = std::to_string(n);
  return "MSH|^~\\&|HIS|" + facility + "|EMRGW|SYT_HATINH|202611210800+0700||ADT^A04^ADT_A01|LOAD-" + id +
         "|P|2.5.1\rEVN|A04|202611210800+0700\rPID|1||MRN" + id + "^^^" + facility +
         "^PI||Thu^Tai^^^^^L||19900512|F\rPV1|1|O|K01^^^" + facility + "||||||||||||||||V" + id + "^^^" + facility +
         "^VN\r";
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

/// Raw PostgreSQL limit: threads inserting the same bytes in batches, one commit per batch.
double raw_pg_rate(const std::string& dsn, const std::vector<std::string>& bodies, int seconds) {
  {
    pqxx::connection c(dsn);
    pqxx::work tx(c);
    tx.exec(
        "CREATE TABLE IF NOT EXISTS load_raw_limit (id bigserial PRIMARY KEY, facility text, sha256 bytea, raw bytea, "
        "received_at timestamptz DEFAULT now())");
    tx.commit();
  }
  std::atomic<long long> rows{0};
  auto until = clock_type::now() + std::chrono::seconds(seconds);
  std::vector<std::thread> ts;
  for (int t = 0; t < 2; ++t)
    ts.emplace_back([&, t] {
      pqxx::connection c(dsn);
      std::size_t i = static_cast<std::size_t>(t);
      while (clock_type::now() < until) {
        pqxx::work tx(c);
        for (int b = 0; b < 64; ++b, ++i) {
          const auto& body = bodies[i % bodies.size()];
          unsigned char md[32];
          EVP_Digest(body.data(), body.size(), md, nullptr, EVP_sha256(), nullptr);
          tx.exec_params("INSERT INTO load_raw_limit (facility, sha256, raw) VALUES ($1, $2, $3)", "42001",
                         pqxx::binarystring(md, 32), pqxx::binarystring(body.data(), body.size()));
        }
        tx.commit();
        rows += 64;
      }
    });
  for (auto& t : ts) t.join();
  pqxx::connection c(dsn);
  pqxx::work tx(c);
  tx.exec("DROP TABLE load_raw_limit");
  tx.commit();
  return static_cast<double>(rows.load()) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--mllp-port")
      o.mllp_port = static_cast<std::uint16_t>(std::stoi(v));
    else if (k == "--ingest-port")
      o.ingest_port = static_cast<std::uint16_t>(std::stoi(v));
    else if (k == "--certs")
      o.certs = v;
    else if (k == "--samples")
      o.samples = v;
    else if (k == "--own-samples")
      o.own_samples = v;
    else if (k == "--dsn")
      o.dsn = v;
    else if (k == "--seconds")
      o.seconds = std::stoi(v);
    else if (k == "--record")
      o.record = v;
    else if (k == "--command")
      o.command = v;
    else {
      std::fprintf(stderr, "gw-load: unknown option %s\n", k.c_str());
      return 2;
    }
  }
  std::vector<std::string> tables;
  for (int t = 1; t <= 5; ++t)
    tables.push_back(read_file(o.samples + "/vn-xml130/inpatient-pneumonia.XML" + std::to_string(t) + ".xml"));
  if (tables[0].empty()) {
    std::fprintf(stderr, "gw-load: samples not found under %s\n", o.samples.c_str());
    return 2;
  }

  // The 23 facilities: HL7 v2 over MLLP where they have it, QĐ 130 over HTTPS otherwise, and
  // the three with their own formats (CV 365, own JSON, pipe-delimited text) send those.
  std::vector<facility_plan> plan;
  const std::vector<std::string> mllp_codes{"42001", "42005", "42007", "42013", "42023"};
  for (int c = 42001; c <= 42023; ++c) {
    auto code = std::to_string(c);
    bool m = std::find(mllp_codes.begin(), mllp_codes.end(), code) != mllp_codes.end();
    plan.push_back({code, m, "application/xml", {}, {}, {}});
  }
  struct own {
    const char* code;
    const char* file;
    const char* content_type;
    const char* visit;
    const char* cccd;
  };
  for (const own& x :
       {own{"42020", "/cv365/hosobenhan-42020-inpatient.json", "application/json", "VV2026-004512", "042190004321"},
        own{"42021", "/mapped/42021/visits-2026-11-22.json", "application/json", "A21-2611-0005", "042088003456"},
        own{"42022", "/mapped/42022/export-20261123.txt", "text/plain", "B22-000311", "042175009876"}}) {
    auto body = read_file(o.own_samples + x.file);
    if (body.empty()) {
      std::fprintf(stderr, "gw-load: sample %s%s not found (--own-samples)\n", o.own_samples.c_str(), x.file);
      return 2;
    }
    auto& f = plan[static_cast<std::size_t>(std::stoi(x.code) - 42001)];
    f.content_type = x.content_type;
    f.body = std::move(body);
    f.visit_token = x.visit;
    f.cccd_token = x.cccd;
  }

  std::mutex mu;
  std::vector<double> latencies_ms;
  std::vector<double> stream_ms[2];  // [0] HTTPS (QĐ 130 and own formats), [1] MLLP/TLS HL7 v2
  double load_before[3] = {0, 0, 0};
  if (getloadavg(load_before, 3) < 1) load_before[0] = -1;
  std::map<std::string, long long> outcomes;
  std::atomic<long long> counter{static_cast<long long>(std::time(nullptr)) % 1000000 * 1000};
  auto until = clock_type::now() + std::chrono::seconds(o.seconds);
  auto t0 = clock_type::now();
  std::vector<std::thread> threads;
  for (const auto& f : plan) {
    threads.emplace_back([&, f] {
      gw::test::tls_client_options opts{o.certs + "/ca.crt", o.certs + "/facility-" + f.code + ".crt",
                                        o.certs + "/facility-" + f.code + ".key"};
      std::unique_ptr<gw::test::tls_client> conn;
      std::vector<double> mine;
      std::map<std::string, long long> my_outcomes;
      while (clock_type::now() < until) {
        if (!conn || !conn->connected())
          conn = std::make_unique<gw::test::tls_client>(f.mllp ? o.mllp_port : o.ingest_port, opts);
        if (!conn->connected()) {
          ++my_outcomes["connect-failed"];
          std::this_thread::sleep_for(std::chrono::milliseconds(100));
          conn.reset();
          continue;
        }
        long long n = ++counter;
        auto start = clock_type::now();
        std::string outcome;
        if (f.mllp) {
          auto msg = hl7_admission(f.code, n);
          std::optional<std::string> ack;
          if (conn->send("\x0b" + msg + "\x1c\x0d")) ack = conn->read_mllp();
          auto at = ack ? ack->find("\rMSA|") : std::string::npos;
          outcome = at == std::string::npos ? "no-answer" : "MSA " + ack->substr(at + 5, 2);
        } else {
          auto a = conn->http("POST", "/ingest", f.content_type,
                              f.body.empty() ? qd130_envelope(tables, f.code, n) : own_export(f, n));
          outcome = a.status == 0 ? "no-answer" : "HTTP " + std::to_string(a.status);
        }
        auto ms = std::chrono::duration<double, std::milli>(clock_type::now() - start).count();
        if (outcome == "no-answer")
          conn.reset();
        else
          mine.push_back(ms);
        ++my_outcomes[outcome];
      }
      std::lock_guard lk(mu);
      latencies_ms.insert(latencies_ms.end(), mine.begin(), mine.end());
      auto& stream = stream_ms[f.mllp ? 1 : 0];
      stream.insert(stream.end(), mine.begin(), mine.end());
      for (auto& [k, v] : my_outcomes) outcomes[k] += v;
    });
  }
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(clock_type::now() - t0).count();
  double rate = static_cast<double>(latencies_ms.size()) / elapsed;
  double p50 = percentile(latencies_ms, 0.50), p99 = percentile(latencies_ms, 0.99);
  std::printf(
      "gw-load: %zu answers in %.1f s from %zu facility connections: %.0f messages/s, p50 %.2f ms, p99 %.2f ms\n",
      latencies_ms.size(), elapsed, plan.size(), rate, p50, p99);
  for (auto& [k, v] : outcomes) std::printf("  %-16s %lld\n", k.c_str(), v);
  const char* stream_name[2] = {"HTTPS", "MLLP/TLS HL7 v2"};
  std::string per_stream;
  for (int i = 0; i < 2; ++i) {
    auto& v = stream_ms[i];
    char line[160];
    std::snprintf(line, sizeof line, "%s %.0f msg/s (p50 %.1f ms, p99 %.1f ms)", stream_name[i],
                  static_cast<double>(v.size()) / elapsed, percentile(v, 0.50), percentile(v, 0.99));
    std::printf("  %s\n", line);
    per_stream += (i ? "; " : "") + std::string(line);
  }
  // The machine may be shared (other builds): its load average is part of the figure.
  std::printf("  load average before the run: %.2f\n", load_before[0]);

  double raw = 0;
  if (!o.dsn.empty()) {
    std::vector<std::string> bodies;
    for (int i = 0; i < 64; ++i)
      bodies.push_back(i % 4 == 0 ? qd130_envelope(tables, "42002", i) : hl7_admission("42001", i));
    raw = raw_pg_rate(o.dsn, bodies, std::min(o.seconds, 10));
    std::printf(
        "gw-load: raw PostgreSQL limit (same bytes, libpqxx, 64 rows per commit, 2 threads): %.0f rows/s; "
        "gateway = %.0f%% of it\n",
        raw, raw > 0 ? 100.0 * rate / raw : 0.0);
  }
  if (!o.record.empty()) {
    char date[32];
    auto now = std::time(nullptr);
    std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
    std::ostringstream row;
    row << "| " << date << " | " << std::thread::hardware_concurrency() << " cores | `" << o.command
        << "` | ingest, 23 facilities (5 MLLP/TLS HL7 ADT, 15 HTTPS QĐ 130 5-table, 3 HTTPS CV 365 / own JSON / "
           "delimited) | "
        << static_cast<long long>(rate) << " msg/s, p50 " << p50 << " ms, p99 " << p99 << " ms; raw PostgreSQL "
        << static_cast<long long>(raw) << " rows/s (" << (raw > 0 ? static_cast<int>(100.0 * rate / raw) : 0) << "%); "
        << per_stream << "; load average before the run " << load_before[0] << " |\n";
    gw::test::add_benchmark_row(
        o.record, "## Load (gw-load)", "Rows written by `tests/tools/gw-load` itself (scripts/load-test.sh).",
        "| date | machine | command | load | result |\n| --- | --- | --- | --- | --- |\n", row.str());
  }
  return 0;
}
