#pragma once
/// PostgreSQL access for the gateway: a small pool of threads, each owning one libpq connection,
/// so that blocking database calls never run on an I/O thread. Coroutines `co_await run(...)`.
/// libpqxx stays inside gateway/store/: callers use the store's typed operations.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "gateway/store/migration.hpp"

namespace gw::store {

struct db_settings {
  std::string dsn;  ///< libpq connection string; empty = libpq defaults + dbname emr_gateway
  std::size_t pool_size = 4;
  std::chrono::milliseconds connect_timeout{3'000};
  std::chrono::milliseconds statement_timeout{15'000};
};

/// One pool thread's connection. Defined in store/detail; only store code looks inside.
class session;

/// Thrown (as a value of the awaitable) when the database cannot be reached or fails in a way a
/// retry may fix. Callers answer AR / 503 for it.
struct unavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The full DSN used for connections: settings.dsn plus connect_timeout and application_name.
std::string effective_dsn(const db_settings& s);

/// Thread pool of database sessions. Thread-safe. Jobs run in FIFO order on any free thread.
class database {
 public:
  explicit database(db_settings settings);
  ~database();
  database(const database&) = delete;
  database& operator=(const database&) = delete;

  /// Runs `work` on a pool thread with that thread's session (connecting first if needed) and
  /// resumes the awaiting coroutine on its own executor. Exceptions thrown by `work` propagate;
  /// a broken connection is dropped (reconnected on next use) and surfaces as `unavailable`.
  boost::asio::awaitable<void> run(std::function<void(session&)> work);

  /// Runs `work` on a pool thread without waiting for it; `work` handles its own errors.
  void post(std::function<void(session&)> work);

  /// Same as run, from a plain thread (tests, command-line tools): blocks until done.
  void run_sync(const std::function<void(session&)>& work);

  /// True when a connection can be made and `SELECT 1` answers.
  boost::asio::awaitable<bool> ping();

  /// Applies pending numbered migrations, each in its own transaction, serialised across
  /// processes with an advisory lock. Returns the number applied. Sets `migrated()` on success.
  boost::asio::awaitable<int> migrate(schema sc = gateway_schema());
  int migrate_sync(schema sc = gateway_schema());
  bool migrated() const { return migrated_.load(); }

  /// Stops accepting work, finishes queued jobs and joins the threads.
  void stop();

  const db_settings& settings() const { return settings_; }

 private:
  struct job {
    std::function<void(session&)> work;
    std::function<void(std::exception_ptr)> done;
  };
  void submit(job j);
  void worker();

  db_settings settings_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<job> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
  std::atomic<bool> migrated_{false};
};

inline boost::asio::awaitable<void> database::run(std::function<void(session&)> work) {
  namespace asio = boost::asio;
  co_await asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr)>(
      [this, &work](auto handler) {
        using handler_t = decltype(handler);
        auto h = std::make_shared<handler_t>(std::move(handler));
        submit(job{std::move(work), [h](std::exception_ptr ep) {
                     auto ex = asio::get_associated_executor(*h);
                     asio::post(ex, [h, ep]() mutable { std::move (*h)(ep); });
                   }});
      },
      asio::use_awaitable);
}

}  // namespace gw::store
