#include "gateway/net/admin_server.hpp"

#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "gateway/net/plain_http_listener.hpp"
#include "gateway/store/database.hpp"

namespace gw::net {

namespace asio = boost::asio;
namespace http = boost::beast::http;

struct admin_server::impl {
  config::listener settings;
  store::database& db;
  std::function<asio::awaitable<std::string>()> metrics;
  plain_http_listener listener;

  impl(asio::io_context& c, const config::listener& s, store::database& d)
      : settings(s),
        db(d),
        listener(c, settings, [this](const plain_http_listener::request& r) { return handle(r); }) {}

  asio::awaitable<http::response<http::string_body>> handle(const http::request<http::string_body>& req) {
    http::response<http::string_body> res;
    res.version(req.version());
    res.set(http::field::content_type, "application/json");
    res.set(http::field::cache_control, "no-store");
    res.keep_alive(req.keep_alive());
    auto target = req.target();
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
      res.result(http::status::method_not_allowed);
      res.set(http::field::allow, "GET, HEAD");
      res.body() = R"({"error":"only GET is allowed here"})";
    } else if (target == "/healthz") {
      res.result(http::status::ok);
      res.body() = R"({"status":"ok"})";
    } else if (target == "/readyz") {
      bool db_ok = co_await db.ping();
      bool migrated = db.migrated();
      bool ready = db_ok && migrated;
      res.result(ready ? http::status::ok : http::status::service_unavailable);
      if (!ready) res.set(http::field::retry_after, "5");
      res.body() = std::string(R"({"status":")") + (ready ? "ready" : "not ready") + R"(","database":")" +
                   (db_ok ? "reachable" : "unreachable") + R"(","migrations":")" + (migrated ? "done" : "pending") +
                   "\"}";
    } else if (target == "/metrics" && metrics) {
      std::string text;
      bool ok = true;
      try {
        text = co_await metrics();
      } catch (const std::exception& e) {
        ok = false;
        spdlog::warn("event=metrics_failed reason=\"{}\"", e.what());
      }
      res.result(ok ? http::status::ok : http::status::service_unavailable);
      res.set(http::field::content_type, ok ? "text/plain; version=0.0.4" : "application/json");
      res.body() = ok ? std::move(text) : R"({"error":"metrics unavailable: the database does not answer"})";
    } else {
      res.result(http::status::not_found);
      res.body() = R"({"error":"not found; try /healthz, /readyz or /metrics"})";
    }
    res.prepare_payload();
    co_return res;
  }
};

admin_server::admin_server(asio::io_context& ioc, const config::listener& settings, store::database& db)
    : impl_(std::make_unique<impl>(ioc, settings, db)) {}

admin_server::~admin_server() = default;

void admin_server::start() {
  impl_->listener.start("admin");
}

void admin_server::set_metrics(std::function<asio::awaitable<std::string>()> source) {
  impl_->metrics = std::move(source);
}

void admin_server::stop() {
  impl_->listener.stop();
}

std::uint16_t admin_server::port() const {
  return impl_->listener.port();
}

}  // namespace gw::net
