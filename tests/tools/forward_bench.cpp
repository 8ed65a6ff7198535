// gw-forward-bench: how fast a running gateway's forwarder delivers to the national database stub.
//   1. throughput: N resources (people with a Patient and Observations that reference it) are
//      committed to the outbox at once; resources/s = N / time until the backlog is empty again.
//   2. catch-up: resources keep arriving at a steady load; the stub has an outage of S seconds;
//      catch-up time = from the end of the outage until the backlog is back to its normal level.
// The rows are written straight into the gateway's database (resource_history + outbox, as the
// ingest transaction writes them), so the figure is the forwarder's, not ingest's. With --record
// FILE it appends its own row under "## Forwarding". scripts/forward-test.sh starts what it needs.
#include <pqxx/pqxx>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <ctime>
#include <sstream>
#include <string>
#include <thread>

#include "tests/support/benchmark_record.hpp"

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
  std::string dsn;  // the gateway's database
  std::uint16_t stub_admin_port = 0;
  long long resources = 100'000;
  int per_person = 10;  // Patient + 9 Observations
  double load = 250;    // resources/s during the catch-up phase
  int outage = 600;     // seconds; 0 skips the catch-up phase
  std::string record;
  std::string command = "scripts/forward-test.sh bench";
};

/// Writes `people` people (a Patient and per_person-1 Observations each) as new outbox rows in
/// one transaction. Returns the number of resources.
long long add_people(pqxx::connection& c, long long people, int per_person) {
  pqxx::work tx(c);
  tx.exec(
      "CREATE TEMP TABLE IF NOT EXISTS bench_res (pid uuid, type text, id uuid, ord int, content jsonb) "
      "ON COMMIT DELETE ROWS");
  tx.exec_params(R"sql(
INSERT INTO bench_res
SELECT p.pid, 'Patient', p.pid, 0, jsonb_build_object('resourceType', 'Patient', 'id', p.pid::text,
         'identifier', jsonb_build_array(jsonb_build_object('system', 'http://fhir.ehealth.gov.vn/core/sid/national_id',
           'value', lpad((p.g % 1000000000000)::text, 12, '0'))), 'gender', 'female', 'birthDate', '1990-05-12')
FROM (SELECT gen_random_uuid() AS pid, g FROM generate_series(1, $1::bigint) g) p
)sql",
                 people);
  tx.exec_params(R"sql(
INSERT INTO bench_res
SELECT s.pid, 'Observation', s.id, s.k, jsonb_build_object('resourceType', 'Observation', 'id', s.id::text,
         'status', 'final', 'code', jsonb_build_object('coding', jsonb_build_array(jsonb_build_object(
           'system', 'http://loinc.org', 'code', '718-7', 'display', 'Hemoglobin'))),
         'subject', jsonb_build_object('reference', 'Patient/' || s.pid::text),
         'valueQuantity', jsonb_build_object('value', 120 + s.k, 'unit', 'g/L', 'system', 'http://unitsofmeasure.org', 'code', 'g/L'))
FROM (SELECT b.pid, k, gen_random_uuid() AS id  -- volatile in the select list: one per row
      FROM bench_res b CROSS JOIN generate_series(1, $1::int - 1) k WHERE b.type = 'Patient') s
)sql",
                 per_person);
  tx.exec(
      "INSERT INTO resource_history (type, id, version, last_updated, content) "
      "SELECT type, id, 1, now(), content FROM bench_res");
  tx.exec(
      "INSERT INTO outbox (patient_key, resource_type, resource_id, resource_version) "
      "SELECT pid::text, type, id, 1 FROM bench_res ORDER BY pid, ord");
  tx.commit();
  return people * per_person;
}

long long backlog(pqxx::connection& c) {
  pqxx::nontransaction tx(c);
  return tx.exec("SELECT count(*) FROM outbox WHERE state IN ('pending', 'in_flight')")[0][0].as<long long>();
}

/// Whether any row is still to deliver: cheap enough to ask often (a count of a large backlog is
/// not, and would take CPU from what is being measured).
bool any_open(pqxx::connection& c) {
  pqxx::nontransaction tx(c);
  return tx.exec("SELECT EXISTS (SELECT 1 FROM outbox WHERE state IN ('pending', 'in_flight'))")[0][0].as<bool>();
}

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--dsn")
      o.dsn = v;
    else if (k == "--stub-admin-port")
      o.stub_admin_port = static_cast<std::uint16_t>(std::stoi(v));
    else if (k == "--resources")
      o.resources = std::stoll(v);
    else if (k == "--load")
      o.load = std::stod(v);
    else if (k == "--outage")
      o.outage = std::stoi(v);
    else if (k == "--record")
      o.record = v;
    else if (k == "--command")
      o.command = v;
    else {
      std::fprintf(stderr, "gw-forward-bench: unknown option %s\n", k.c_str());
      return 2;
    }
  }
  if (o.dsn.empty()) {
    std::fprintf(stderr,
                 "usage: gw-forward-bench --dsn DSN --stub-admin-port PORT [--resources N] [--load R/s]\n"
                 "       [--outage SECONDS] [--record docs/benchmarks.md] [--command TEXT]\n");
    return 2;
  }
  pqxx::connection c(o.dsn), writer(o.dsn);
  if (backlog(c) != 0) {
    std::fprintf(stderr, "gw-forward-bench: the outbox is not empty; start from an empty database\n");
    return 1;
  }

  // 1. Throughput from a standing backlog.
  auto t0 = clock_type::now();
  long long n = 0;
  for (long long left = o.resources / o.per_person; left > 0; left -= 10'000)
    n += add_people(writer, std::min<long long>(left, 10'000), o.per_person);
  auto committed = clock_type::now();
  std::printf("gw-forward-bench: %lld resources committed to the outbox in %.1f s\n", n, seconds_since(t0));
  while (any_open(c)) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  double drain = seconds_since(committed);
  double rate = static_cast<double>(n) / drain;
  std::printf("gw-forward-bench: delivered %lld resources in %.1f s: %.0f resources/s (goal 5000)\n", n, drain, rate);

  // 2. Catch-up after an outage, under a steady load.
  double catch_up = -1;
  long long peak = 0;
  if (o.outage > 0 && o.stub_admin_port != 0) {
    auto people_per_tick = [&](double dt) { return o.load * dt / o.per_person; };
    double owed = 0;
    auto tick = [&](double dt) {
      owed += people_per_tick(dt);
      auto whole = static_cast<long long>(owed);
      if (whole > 0) {
        add_people(writer, whole, o.per_person);
        owed -= static_cast<double>(whole);
      }
    };
    // A few seconds of steady state first, so the normal backlog under this load is known.
    auto last = clock_type::now();
    auto warm_until = last + std::chrono::seconds(5);
    long long normal = 0;
    while (clock_type::now() < warm_until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      auto now = clock_type::now();
      tick(std::chrono::duration<double>(now - last).count());
      last = now;
      normal = std::max(normal, backlog(c));
    }
    auto outage_cmd = "curl -sf -X POST 'http://127.0.0.1:" + std::to_string(o.stub_admin_port) +
                      "/admin/outage?seconds=" + std::to_string(o.outage) + "' >/dev/null";
    if (std::system(outage_cmd.c_str()) != 0) {
      std::fprintf(stderr, "gw-forward-bench: the stub did not start an outage\n");
      return 1;
    }
    auto outage_end = clock_type::now() + std::chrono::seconds(o.outage);
    std::printf("gw-forward-bench: outage of %d s at %.0f resources/s (normal backlog <= %lld)\n", o.outage, o.load,
                normal);
    auto threshold = std::max<long long>(normal * 2, static_cast<long long>(o.load));
    for (;;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(500));  // a count per half second: its cost stays small
      auto now = clock_type::now();
      tick(std::chrono::duration<double>(now - last).count());
      last = now;
      auto b = backlog(c);
      peak = std::max(peak, b);
      if (now > outage_end && b <= threshold) {
        catch_up = std::chrono::duration<double>(now - outage_end).count();
        break;
      }
      if (now > outage_end + std::chrono::hours(2)) break;
    }
    std::printf("gw-forward-bench: backlog peaked at %lld; back to normal %.1f s after the outage ended\n", peak,
                catch_up);
  }

  if (!o.record.empty()) {
    char date[32];
    auto now = std::time(nullptr);
    std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
    char delivered[128], catch_text[200];
    std::snprintf(delivered, sizeof delivered, "**%.0f resources/s** (%lld in %.1f s; goal 5,000/s %s)", rate, n, drain,
                  rate >= 5000 ? "met" : "not met");
    if (catch_up >= 0)
      std::snprintf(catch_text, sizeof catch_text,
                    "%d s outage at %.0f resources/s: backlog peak %lld, caught up in %.1f s", o.outage, o.load, peak,
                    catch_up);
    else
      std::snprintf(catch_text, sizeof catch_text, "not measured");
    std::ostringstream row;
    row << "| " << date << " | " << std::thread::hardware_concurrency() << " cores | `" << o.command << "` | " << n
        << " resources (Patient + " << (o.per_person - 1) << " Observations per person) | " << delivered << " | "
        << catch_text << " |\n";
    gw::test::add_benchmark_row(
        o.record, "## Forwarding",
        "Rows written by `tests/tools/gw-forward-bench` itself (scripts/forward-test.sh bench): the gateway "
        "forwarding to the national database stub (same machine, mutual TLS), both on one private PostgreSQL.",
        "| date | machine | command | workload | delivered | catch-up after outage |\n"
        "| --- | --- | --- | --- | --- | --- |\n",
        row.str());
  }
  return 0;
}
