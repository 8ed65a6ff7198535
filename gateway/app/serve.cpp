#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <thread>
#include <vector>

#include "gateway/app/commands.hpp"
#include "gateway/config/config.hpp"
#include "gateway/net/admin_server.hpp"
#include "gateway/store/database.hpp"

namespace gw::app {

namespace asio = boost::asio;

namespace {

void setup_logging(const std::string& level) {
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e%z level=%l %v");
  spdlog::set_level(spdlog::level::from_str(level));
  spdlog::flush_on(spdlog::level::info);
}

/// Applies migrations, retrying while the database is unreachable, so the gateway can start
/// before PostgreSQL and become ready when it appears.
asio::awaitable<void> migrate_until_done(store::database& db) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (int attempt = 1;; ++attempt) {
    try {
      int n = co_await db.migrate();
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
  store::database db({cfg.database.dsn, cfg.database.pool_size, cfg.database.connect_timeout,
                      cfg.database.statement_timeout});
  asio::co_spawn(ioc, migrate_until_done(db), asio::detached);

  net::admin_server admin(ioc, cfg.listeners.admin, db);
  try {
    if (cfg.listeners.admin.enabled) admin.start();
  } catch (const std::exception& e) {
    spdlog::critical("event=bind_failed listener=admin port={} reason=\"{}\"", cfg.listeners.admin.port, e.what());
    return 1;
  }

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("event=stopping signal={}", sig);
    admin.stop();
    ioc.stop();
  });

  std::vector<std::thread> threads;
  for (int i = 1; i < cfg.io_threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
  db.stop();
  spdlog::info("event=stopped");
  return 0;
}

}  // namespace gw::app
