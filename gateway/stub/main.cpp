// national-db-stub: a stand-in for the national health database, for the gateway's forwarder
// (tests, the demo, benchmarks). FHIR over HTTPS with mutual TLS, its own PostgreSQL database,
// deterministic fault injection.
#include <spdlog/spdlog.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <cstdio>
#include <string>

#include "gateway/common/graceful_stop.hpp"
#include "gateway/stub/service.hpp"

namespace {

namespace asio = boost::asio;
using namespace gw;

constexpr const char* k_usage = R"(national-db-stub: stand-in for the national health database (FHIR R4, mutual TLS)

usage: national-db-stub <command> [--config FILE]

commands:
  serve         run the stub in the foreground (SIGTERM/SIGINT: finish requests in flight, exit)
  check-config  validate the configuration without binding or connecting; prints every mistake
                with file, line and key; exit 0 when valid
  help, --help  this text

FILE defaults to config/national-stub.yaml. Environment: GW_NATIONAL_PORT, GW_NATIONAL_ADMIN_PORT,
GW_NATIONAL_DATABASE_URL, GW_CERT_DIR and the other ${NAME} references in the configuration.
)";

std::string config_path(int argc, char** argv) {
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if ((a == "--config" || a == "-c") && i + 1 < argc) return argv[i + 1];
    if (a.rfind("--config=", 0) == 0) return a.substr(9);
    if (!a.empty() && a[0] != '-') return a;
  }
  return "config/national-stub.yaml";
}

std::optional<stub::stub_settings> load(const std::string& path, const char* what) {
  auto r = stub::load_settings(path);
  for (const auto& e : r.errors) std::fprintf(stderr, "%s\n", stub::format_error(e).c_str());
  if (!r.settings)
    std::fprintf(stderr, "%s: %zu mistake%s found%s\n", what, r.errors.size(), r.errors.size() == 1 ? "" : "s",
                 std::string(what) == "serve" ? "; nothing started" : "");
  return std::move(r.settings);
}

/// The database DSN with the stub's default database name.
std::string stub_dsn(std::string dsn) {
  bool uri = dsn.rfind("postgresql://", 0) == 0 || dsn.rfind("postgres://", 0) == 0;
  if (!uri && dsn.find("dbname") == std::string::npos) dsn += " dbname=emr_national";
  return dsn;
}

/// Applies the stub's migrations, retrying while the database is unreachable.
asio::awaitable<void> migrate(store::database& db) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (int attempt = 1;; ++attempt) {
    try {
      int n = co_await db.migrate(stub::stub_schema());
      spdlog::info("event=migrated applied={}", n);
      co_return;
    } catch (const std::exception& e) {
      if (attempt == 1 || attempt % 30 == 0)
        spdlog::warn("event=migrate_failed attempt={} reason=\"{}\"", attempt, e.what());
    }
    timer.expires_after(std::chrono::seconds(2));
    co_await timer.async_wait(asio::use_awaitable);
  }
}

int serve(const stub::stub_settings& s) {
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z level=%l %v");
  spdlog::set_level(spdlog::level::from_str(s.log_level));
  spdlog::flush_on(spdlog::level::info);
  spdlog::info("event=starting program=national-db-stub config={}", s.source_file.string());

  asio::io_context ioc(s.io_threads);
  store::database db({stub_dsn(s.database_dsn), s.pool_size, s.connect_timeout, s.statement_timeout});
  asio::co_spawn(ioc, migrate(db), asio::detached);
  stub::stub_store st(db);
  stub::fault_state faults(s.faults, std::chrono::steady_clock::now());
  stub::stub_stats stats;
  stub::check_settings checks{s.cccd_system, s.record_number_systems, {}};
  checks.limits.max_bytes = s.fhir.limits.max_message_bytes;
  auto started =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  stub::stub_context ctx{s, db, st, faults, stats, checks, std::to_string(started)};

  stub::admin_server admin(ioc, ctx);
  std::optional<stub::fhir_server> fhir;
  try {
    admin.start();
    fhir.emplace(ioc, ctx);
    fhir->start();
  } catch (const std::exception& e) {
    spdlog::critical("event=listener_failed reason=\"{}\"", e.what());
    return 1;
  }

  common::graceful_stop stop(ioc, 2 * s.fhir.limits.read_timeout + s.statement_timeout + std::chrono::seconds(5), [&] {
    admin.stop();
    fhir->stop([&ioc] {
      spdlog::info("event=drained");
      ioc.stop();
    });
  });
  common::run_io_threads(ioc, s.io_threads);
  db.stop();
  spdlog::info("event=stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(k_usage, stderr);
    return 2;
  }
  std::string cmd = argv[1];
  if (cmd == "help" || cmd == "--help" || cmd == "-h") {
    std::fputs(k_usage, stdout);
    return 0;
  }
  if (cmd == "check-config") {
    auto s = load(config_path(argc, argv), "check-config");
    if (!s) return 1;
    std::printf("check-config: %s is valid\n", s->source_file.c_str());
    return 0;
  }
  if (cmd == "serve") {
    auto s = load(config_path(argc, argv), "serve");
    if (!s) return 2;
    return serve(*s);
  }
  std::fprintf(stderr, "national-db-stub: unknown command '%s'\n\n%s", argv[1], k_usage);
  return 2;
}
