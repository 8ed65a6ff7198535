#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <memory>
#include <optional>

#include "gateway/app/commands.hpp"
#include "gateway/common/graceful_stop.hpp"
#include "gateway/config/config.hpp"
#include "gateway/forward/forwarder.hpp"
#include "gateway/ingest/pipeline.hpp"
#include "gateway/ingest/translators.hpp"
#include "gateway/net/admin_server.hpp"
#include "gateway/net/facility_auth.hpp"
#include "gateway/net/ingest_http_server.hpp"
#include "gateway/net/mllp_server.hpp"
#include "gateway/store/database.hpp"
#include "gateway/store/ingest_store.hpp"
#include "gateway/store/outbox_store.hpp"

namespace gw::app {

namespace asio = boost::asio;

namespace {

void setup_logging(const std::string& level) {
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z level=%l %v");
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::flush_on(spdlog::level::info);
}

/// Applies migrations, retrying while the database is unreachable, so the gateway can start
/// before PostgreSQL and become ready when it appears; then keeps the monthly partitions of raw
/// messages made ahead of need and applies retention, at start-up and daily.
asio::awaitable<void> maintain_database(store::database& db, std::shared_ptr<store::ingest_store> st,
                                        const config::database& settings) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (int attempt = 1;; ++attempt) {
    try {
      int n = co_await db.migrate();
      spdlog::info("event=migrated applied={}", n);
      break;
    } catch (const std::exception& e) {
      if (attempt == 1 || attempt % 30 == 0)
        spdlog::warn("event=migrate_failed attempt={} reason=\"{}\"", attempt, e.what());
    }
    timer.expires_after(std::chrono::seconds(2));
    co_await timer.async_wait(asio::use_awaitable);
  }
  for (;;) {
    std::chrono::minutes next = std::chrono::hours(24);
    try {
      int made = co_await st->maintain_partitions(settings.partitions_ahead_months, settings.raw_retention_months);
      spdlog::info("event=partitions_maintained created={}", made);
    } catch (const std::exception& e) {
      spdlog::warn("event=partition_maintenance_failed reason=\"{}\"", e.what());
      next = std::chrono::minutes(1);
    }
    timer.expires_after(next);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

/// Starts the forwarder once the schema is in place (its claims need migration 4).
asio::awaitable<void> start_forwarder_when_migrated(store::database& db, forward::forwarder& fwd) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  while (!db.migrated()) {
    timer.expires_after(std::chrono::milliseconds(200));
    co_await timer.async_wait(asio::use_awaitable);
  }
  fwd.start();
}

/// GET /metrics: the database-wide outbox figures, then this process's forwarder counters.
asio::awaitable<std::string> metrics_text(store::outbox_store& outbox, const forward::forwarder* fwd) {
  auto text = forward::outbox_metrics_text(co_await outbox.stats());
  if (fwd) text += fwd->metrics_text();
  co_return text;
}

/// How long SIGTERM waits for connections to finish their message in flight: a frame may still
/// be arriving (read_timeout), then be handled (bounded by the database statement timeout) and
/// answered (read_timeout again for the write).
std::chrono::milliseconds drain_grace(const config::gateway_config& cfg) {
  auto longest = std::max(cfg.listeners.mllp.limits.read_timeout, cfg.listeners.ingest.limits.read_timeout);
  return 2 * longest + cfg.database.statement_timeout + std::chrono::seconds(5);
}

}  // namespace

int cmd_serve(const args& a) {
  auto loaded = config::load_config(config_path(a, false));
  if (!loaded.config) {
    for (const auto& e : loaded.errors) std::fprintf(stderr, "%s\n", config::format_error(e).c_str());
    std::fprintf(stderr, "serve: configuration has %zu mistake(s); nothing started\n", loaded.errors.size());
    return 2;
  }
  const auto& cfg = *loaded.config;
  setup_logging(cfg.log_level);
  spdlog::info("event=starting config={} facilities={}", cfg.source_file.string(), cfg.facilities.size());

  asio::io_context ioc(cfg.io_threads);
  store::database db(
      {cfg.database.dsn, cfg.database.pool_size, cfg.database.connect_timeout, cfg.database.statement_timeout});
  auto ingest_store = std::make_shared<store::ingest_store>(db);
  asio::co_spawn(ioc, maintain_database(db, ingest_store, cfg.database), asio::detached);
  ingest::pipeline pipeline(cfg, ingest_store, ingest::default_translators(cfg));

  // Forwarder to the national database (gateway/forward/forwarder.hpp), on connections of its own
  // (one per worker and one for the lease reclaimer and metrics): claims never queue behind
  // ingest commits, nor hospitals' answers behind claims.
  store::database forward_db({cfg.database.dsn, cfg.national.enabled ? cfg.forwarding.concurrency + 1 : 1,
                              cfg.database.connect_timeout, cfg.database.statement_timeout});
  store::outbox_store outbox(forward_db);
  std::optional<forward::forwarder> forwarder;
  if (cfg.national.enabled) {
    try {
      forwarder.emplace(ioc, outbox, forward::forwarder_settings::from(cfg.national, cfg.forwarding));
    } catch (const std::exception& e) {
      spdlog::critical("event=forwarder_failed reason=\"{}\"", e.what());
      return 1;
    }
    asio::co_spawn(ioc, start_forwarder_when_migrated(db, *forwarder), asio::detached);
  }

  net::admin_server admin(ioc, cfg.listeners.admin, db);
  admin.set_metrics([&outbox, &forwarder] { return metrics_text(outbox, forwarder ? &*forwarder : nullptr); });
  try {
    if (cfg.listeners.admin.enabled) admin.start();
  } catch (const std::exception& e) {
    spdlog::critical("event=bind_failed listener=admin port={} reason=\"{}\"", cfg.listeners.admin.port, e.what());
    return 1;
  }

  // Hospital listeners: client certificate → facility, built once from the configuration.
  net::facility_auth auth(cfg.facilities);
  ingest::handler& handler = pipeline;
  std::optional<net::mllp_server> mllp;
  std::optional<net::ingest_http_server> ingest_http;
  try {
    if (cfg.listeners.mllp.enabled) {
      mllp.emplace(ioc, cfg.listeners.mllp, auth, handler);
      mllp->start();
    }
    if (cfg.listeners.ingest.enabled) {
      ingest_http.emplace(ioc, cfg.listeners.ingest, auth, handler);
      ingest_http->start();
    }
  } catch (const std::exception& e) {
    spdlog::critical("event=listener_failed reason=\"{}\"", e.what());
    return 1;
  }

  // SIGTERM / SIGINT: stop accepting everywhere, let every connection answer its message in
  // flight, then stop. A second signal, or the grace period running out, stops at once.
  common::graceful_stop stop(ioc, drain_grace(cfg), [&] {
    admin.stop();
    auto listeners = std::make_shared<std::atomic<int>>(int(mllp.has_value()) + int(ingest_http.has_value()) +
                                                        int(forwarder.has_value()));
    auto one_drained = [&ioc, listeners] {
      if (--*listeners == 0) {
        spdlog::info("event=drained");
        ioc.stop();
      }
    };
    if (*listeners == 0) {
      ioc.stop();
      return;
    }
    if (mllp) mllp->stop(one_drained);
    if (ingest_http) ingest_http->stop(one_drained);
    if (forwarder) forwarder->stop(one_drained);
  });
  common::run_io_threads(ioc, cfg.io_threads);
  db.stop();
  spdlog::info("event=stopped");
  return 0;
}

}  // namespace gw::app
