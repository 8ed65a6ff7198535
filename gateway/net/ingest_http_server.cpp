#include "gateway/net/ingest_http_server.hpp"

#include "gateway/ingest/handler.hpp"
#include "gateway/net/detail/http_session.hpp"
#include "gateway/net/detail/tls_listener.hpp"

namespace gw::net {

using boost::asio::awaitable;
using detail::http_reply;
using detail::http_request;
using detail::json_error;
using steady = std::chrono::steady_clock;

namespace {

/// POST /ingest → the ingest handler; everything else is a JSON 404 or 405.
class ingest_router final : public detail::http_router {
 public:
  explicit ingest_router(ingest::handler& h) : handler_(h) {}

  awaitable<http_reply> route(http_request& req, detail::tls_connection& c) override {
    if (req.path() != "/ingest")
      co_return json_error(404, fhir::issue_code::not_found, "not found; messages go to POST /ingest");
    if (req.method != "POST") {
      auto r = json_error(405, fhir::issue_code::not_supported, "only POST is allowed on /ingest");
      r.headers.emplace_back("Allow", "POST");
      co_return r;
    }
    ingest::request in;
    in.facility = c.facility();
    in.transport = config::transport::https;
    in.content_type = std::move(req.content_type);
    in.body = std::move(req.body);
    in.received_at = std::chrono::system_clock::now();
    in.peer = c.peer();
    auto out = co_await handler_.handle(std::move(in));
    http_reply r;
    r.status = out.http_status;
    r.content_type = out.content_type.empty() ? "application/json" : std::move(out.content_type);
    r.body = std::move(out.body);
    r.retry_after_seconds = out.retry_after_seconds;
    co_return r;
  }

 private:
  ingest::handler& handler_;
};

class ingest_session final : public detail::session_handler {
 public:
  ingest_session(const config::limits& limits, ingest::handler& h) : limits_(limits), router_(h) {}

  awaitable<void> serve(detail::tls_connection& c) override {
    co_await detail::serve_http(c, limits_, router_, "ingest");
  }

  awaitable<void> refuse(detail::tls_connection& c, detail::refusal why) override {
    // Answered before reading anything: authentication comes before any byte of the message.
    http_reply r;
    switch (why) {
      case detail::refusal::unknown_certificate:
        r = json_error(403, fhir::issue_code::security, "the client certificate is not bound to any facility");
        break;
      case detail::refusal::transport_not_configured:
        r = json_error(403, fhir::issue_code::security, "this facility is not configured to send over HTTPS");
        break;
      case detail::refusal::facility_connection_limit:
        r = json_error(503, fhir::issue_code::transient, "too many connections for this facility; try again later");
        r.retry_after_seconds = 5;
        break;
    }
    co_await detail::write_http_reply(c, r, false, steady::now() + limits_.read_timeout);
  }

 private:
  config::limits limits_;
  ingest_router router_;
};

}  // namespace

ingest_http_server::ingest_http_server(boost::asio::io_context& ioc, const config::listener& settings,
                                       const facility_auth& auth, ingest::handler& handler)
    : tls_server(ioc, settings, auth, config::transport::https, "ingest",
                 std::make_unique<ingest_session>(settings.limits, handler)) {}

}  // namespace gw::net
