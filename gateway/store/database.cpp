#include "gateway/store/database.hpp"

#include <future>

#include "gateway/store/detail/session.hpp"

namespace gw::store {

std::string effective_dsn(const db_settings& s) {
  std::string dsn = s.dsn;
  bool uri = dsn.rfind("postgresql://", 0) == 0 || dsn.rfind("postgres://", 0) == 0;
  auto secs = std::max<long long>(1, std::chrono::duration_cast<std::chrono::seconds>(s.connect_timeout).count());
  if (uri) {
    dsn += (dsn.find('?') == std::string::npos ? "?" : "&");
    dsn += "connect_timeout=" + std::to_string(secs) + "&application_name=emr-gateway";
  } else {
    if (dsn.find("dbname") == std::string::npos) dsn += " dbname=emr_gateway";
    dsn += " connect_timeout=" + std::to_string(secs) + " application_name=emr-gateway";
  }
  return dsn;
}

pqxx::connection& session::conn() {
  if (!conn_) {
    try {
      conn_ = std::make_unique<pqxx::connection>(effective_dsn(settings_));
      auto ms = settings_.statement_timeout.count();
      pqxx::nontransaction tx(*conn_);
      tx.exec("SET statement_timeout = " + std::to_string(ms));
      // Large values (raw messages, resource JSON) are compressed with LZ4: several times less
      // CPU than the default pglz for a slightly larger size. A server built without LZ4 keeps pglz.
      try {
        tx.exec("SET default_toast_compression = 'lz4'");
      } catch (const pqxx::sql_error&) {}
    } catch (const pqxx::broken_connection& e) {
      conn_.reset();
      throw unavailable("database unreachable");
    }
  }
  return *conn_;
}

database::database(db_settings settings) : settings_(std::move(settings)) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, settings_.pool_size); ++i)
    threads_.emplace_back([this] { worker(); });
}

database::~database() {
  stop();
}

void database::stop() {
  {
    std::lock_guard lk(mu_);
    if (stopping_ && threads_.empty()) return;
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  threads_.clear();
}

void database::submit(job j) {
  {
    std::lock_guard lk(mu_);
    if (stopping_) {
      auto done = std::move(j.done);
      done(std::make_exception_ptr(unavailable("database pool is stopping")));
      return;
    }
    queue_.push_back(std::move(j));
  }
  cv_.notify_one();
}

void database::worker() {
  session s(settings_);
  for (;;) {
    job j;
    {
      std::unique_lock lk(mu_);
      cv_.wait(lk, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      j = std::move(queue_.front());
      queue_.pop_front();
    }
    std::exception_ptr ep;
    try {
      j.work(s);
    } catch (const pqxx::broken_connection&) {
      s.reset();
      ep = std::make_exception_ptr(unavailable("database connection lost"));
    } catch (const unavailable&) {
      s.reset();
      ep = std::current_exception();
    } catch (...) {
      // A failed statement leaves an open connection usable (its transaction rolled back);
      // one that closed underneath us is replaced on next use.
      if (s.broken()) s.reset();
      ep = std::current_exception();
    }
    j.done(ep);
  }
}

void database::post(std::function<void(session&)> work) {
  submit(job{std::move(work), [](std::exception_ptr) {}});
}

void database::run_sync(const std::function<void(session&)>& work) {
  std::promise<void> p;
  auto f = p.get_future();
  submit(job{work, [&p](std::exception_ptr ep) {
               if (ep)
                 p.set_exception(ep);
               else
                 p.set_value();
             }});
  f.get();
}

boost::asio::awaitable<bool> database::ping() {
  bool ok = false;
  try {
    co_await run([&ok](session& s) {
      // A connection left over from before a database restart fails once: try a fresh one.
      for (int attempt = 0; attempt < 2 && !ok; ++attempt) {
        try {
          pqxx::nontransaction tx(s.conn());
          tx.exec("SELECT 1");
          ok = true;
        } catch (const pqxx::broken_connection&) {
          s.reset();
        }
      }
    });
  } catch (const std::exception&) {
    ok = false;
  }
  co_return ok;
}

}  // namespace gw::store
