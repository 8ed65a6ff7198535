#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/verify_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <string_view>

#include "fhir/bindings.hpp"
#include "fhir/json.hpp"
#include "fhir/outcome.hpp"
#include "gateway/net/detail/http_session.hpp"
#include "gateway/net/tls_context.hpp"
#include "gateway/stub/service.hpp"

namespace gw::stub {

namespace asio = boost::asio;
using asio::awaitable;
using net::detail::http_reply;
using net::detail::http_request;
using net::detail::io_status;
using net::detail::json_error;
using net::detail::tls_connection;
using steady = std::chrono::steady_clock;

std::string stub_stats::to_json() const {
  auto n = [](const std::atomic<std::uint64_t>& a) { return std::to_string(a.load()); };
  return R"({"requests":)" + n(requests) + R"(,"created":)" + n(created) + R"(,"updated":)" + n(updated) +
         R"(,"unchanged":)" + n(unchanged) + R"(,"refused":)" + n(refused) + R"(,"faults":{"error_500":)" +
         n(error_500) + R"(,"error_503":)" + n(error_503) + R"(,"drop_after_write":)" + n(drop_after_write) +
         R"(,"outage":)" + n(outage) + R"(,"delayed":)" + n(delayed) + "}}";
}

namespace detail {

client_binding::client_binding(const config::certificate_match& clients)
    : facilities{[&] {
        config::facility f;
        f.code = "gateway";
        f.name = "gateway forwarder";
        f.feeds.push_back({config::feed_format::qd130, config::transport::https});
        f.certificates = clients;
        return std::vector<config::facility>{f};
      }()},
      auth(facilities) {}

}  // namespace detail

namespace {

constexpr const char* k_fhir_json = "application/fhir+json";

/// The connection as the router sees it: slow reads and the "lost response" are injected here.
class fault_connection final : public tls_connection {
 public:
  fault_connection(tls_connection& inner, fault_state& faults) : inner_(inner), faults_(faults) {}

  awaitable<std::pair<io_status, std::size_t>> read_some(std::span<char> out,
                                                         net::detail::steady_time deadline) override {
    auto bps = faults_.slow_read_bytes_per_second();
    if (bps == 0) co_return co_await inner_.read_some(out, deadline);
    // About ten reads a second, each followed by the pause that keeps the rate.
    std::size_t cap = std::max<std::size_t>(1, static_cast<std::size_t>(bps / 10));
    auto r = co_await inner_.read_some(out.first(std::min(out.size(), cap)), deadline);
    if (r.first == io_status::ok && r.second > 0) {
      auto pause = std::chrono::milliseconds(static_cast<long long>(r.second * 1000 / bps));
      asio::steady_timer t(co_await asio::this_coro::executor);
      t.expires_at(std::min(steady::now() + pause, deadline));
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    co_return r;
  }
  awaitable<io_status> write(std::string_view bytes, net::detail::steady_time deadline) override {
    if (drop_) {
      // The lost response: the write committed, the answer never leaves.
      inner_.close_abruptly();
      co_return io_status::failed;
    }
    co_return co_await inner_.write(bytes, deadline);
  }
  void set_idle(bool idle) override { inner_.set_idle(idle); }
  bool stopping() const override { return inner_.stopping(); }
  void close_abruptly() override { inner_.close_abruptly(); }
  void linger_on_close() override { inner_.linger_on_close(); }
  const config::facility* facility() const override { return inner_.facility(); }
  const std::string& peer() const override { return inner_.peer(); }
  const std::string& certificate_subject() const override { return inner_.certificate_subject(); }

  void drop_answer() { drop_ = true; }

 private:
  tls_connection& inner_;
  fault_state& faults_;
  bool drop_ = false;
};

http_reply outcome_reply(int status, const fhir::issue_list& issues) {
  http_reply r;
  r.status = status;
  r.content_type = k_fhir_json;
  r.body = fhir::to_json(fhir::to_operation_outcome(issues));
  return r;
}

http_reply fhir_reply(int status, std::string body) {
  http_reply r;
  r.status = status;
  r.content_type = k_fhir_json;
  r.body = std::move(body);
  return r;
}

bool is_type_name(std::string_view s) {
  return !s.empty() && s[0] >= 'A' && s[0] <= 'Z' &&
         std::all_of(s.begin(), s.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; });
}

bool is_id(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.';
  });
}

std::string url_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) != 0 &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2])) != 0) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i] == '+' ? ' ' : s[i];
    }
  }
  return out;
}

/// Query parameters in order (names and values decoded).
std::vector<std::pair<std::string, std::string>> query_params(std::string_view target) {
  std::vector<std::pair<std::string, std::string>> out;
  auto q = target.find('?');
  if (q == std::string_view::npos) return out;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto part = rest.substr(0, amp);
    auto eq = part.find('=');
    out.emplace_back(url_decode(part.substr(0, eq)),
                     eq == std::string_view::npos ? std::string() : url_decode(part.substr(eq + 1)));
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
  }
  return out;
}

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

constexpr const char* k_capability = R"({"resourceType":"CapabilityStatement","status":"active",)"
                                     R"("date":"2026-11-29","kind":"instance",)"
                                     R"("software":{"name":"national-db-stub"},)"
                                     R"("implementation":{"description":"emr-gateway national health database stub"},)"
                                     R"("fhirVersion":"4.0.0","format":["json"],)"
                                     R"("rest":[{"mode":"server","resource":[)";

std::string capability_statement() {
  // Every resource type of the model except those the stub never stores (the gateway forwards
  // clinical resources only): a type added to the model is advertised without another list.
  static constexpr std::string_view not_stored[] = {"AuditEvent", "OperationOutcome", "CapabilityStatement", "Bundle"};
  std::string out = k_capability;
  bool first = true;
  for (const std::string_view t : fhir::vs::resource_types.codes) {
    if (std::find(std::begin(not_stored), std::end(not_stored), t) != std::end(not_stored)) continue;
    if (!first) out += ',';
    first = false;
    out += R"({"type":")";
    out += t;
    out += R"(","interaction":[{"code":"read"},{"code":"update"},{"code":"search-type"},{"code":"history-instance"}],)"
           R"("searchParam":[{"name":"_id","type":"token"},{"name":"patient","type":"reference"},)"
           R"({"name":"subject","type":"reference"},{"name":"identifier","type":"token"}]})";
  }
  out += R"(],"interaction":[{"code":"transaction"}]}]})";
  return out;
}

class fhir_router final : public net::detail::http_router {
 public:
  explicit fhir_router(stub_context& ctx) : ctx_(ctx) {}

  awaitable<http_reply> route(http_request& req, tls_connection& c) override {
    std::string_view path = req.path();
    if (path != "/fhir" && !path.starts_with("/fhir/"))
      co_return json_error(404, fhir::issue_code::not_found, "not found; the FHIR base is /fhir");
    auto verdict = ctx_.faults.next(steady::now());
    ++ctx_.stats.requests;
    if (verdict.outage_left) {
      ++ctx_.stats.outage;
      auto r = json_error(503, fhir::issue_code::transient, "the national database is unavailable (outage)");
      r.retry_after_seconds = static_cast<int>(std::max<long long>(1, (verdict.outage_left->count() + 999) / 1000));
      co_return r;
    }
    if (verdict.decision.delay.count() > 0) {
      ++ctx_.stats.delayed;
      asio::steady_timer t(co_await asio::this_coro::executor);
      t.expires_after(verdict.decision.delay);
      co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    switch (verdict.decision.kind) {
      case fault_kind::error_500:
        ++ctx_.stats.error_500;
        co_return json_error(500, fhir::issue_code::exception, "injected internal error; nothing was stored");
      case fault_kind::error_503: {
        ++ctx_.stats.error_503;
        auto r = json_error(503, fhir::issue_code::transient, "injected unavailability; nothing was stored");
        r.retry_after_seconds = 1;
        co_return r;
      }
      default: break;
    }
    bool drop = verdict.decision.kind == fault_kind::drop_after_write;
    std::string batch_id = ctx_.instance + "-" + std::to_string(verdict.n);

    std::string_view rest = path.substr(5);
    if (!rest.empty()) rest.remove_prefix(1);  // the '/'
    std::vector<std::string_view> seg;
    while (!rest.empty()) {
      auto slash = rest.find('/');
      seg.push_back(rest.substr(0, slash));
      rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    }
    http_reply reply;
    bool stored = false;
    if (seg.empty()) {
      if (req.method != "POST") co_return method_not_allowed("POST");
      reply = co_await transaction(req, batch_id, stored);
    } else if (seg.size() == 1 && seg[0] == "metadata") {
      if (req.method != "GET") co_return method_not_allowed("GET");
      reply = fhir_reply(200, capability_statement());
    } else if (!is_type_name(seg[0])) {
      co_return json_error(404, fhir::issue_code::not_found, "unknown resource type in the URL");
    } else if (seg.size() == 1) {
      if (req.method != "GET") co_return method_not_allowed("GET");
      reply = co_await search(std::string(seg[0]), req.target);
    } else if (!is_id(seg[1])) {
      co_return json_error(400, fhir::issue_code::value, "the id in the URL is not a FHIR id");
    } else if (seg.size() == 2) {
      if (req.method == "PUT")
        reply = co_await put(req, std::string(seg[0]), std::string(seg[1]), batch_id, stored);
      else if (req.method == "GET")
        reply = co_await read(std::string(seg[0]), std::string(seg[1]));
      else
        co_return method_not_allowed("GET, PUT");
    } else if (seg.size() == 3 && seg[2] == "_history") {
      if (req.method != "GET") co_return method_not_allowed("GET");
      reply = co_await history(std::string(seg[0]), std::string(seg[1]));
    } else {
      co_return json_error(404, fhir::issue_code::not_found, "not found");
    }
    if (drop && stored) {
      ++ctx_.stats.drop_after_write;
      static_cast<fault_connection&>(c).drop_answer();
    }
    co_return reply;
  }

 private:
  static http_reply method_not_allowed(const char* allow) {
    auto r = json_error(405, fhir::issue_code::not_supported, std::string("allowed methods: ") + allow);
    r.headers.emplace_back("Allow", allow);
    return r;
  }

  http_reply refused(const checked_request& chk) {
    ++ctx_.stats.refused;
    return outcome_reply(chk.what == checked_request::verdict::malformed ? 400 : 422, chk.issues);
  }

  /// Stores a checked request; a missing reference refuses the whole request (422).
  awaitable<std::optional<write_outcome>> store(checked_request& chk, const std::string& batch_id, bool first,
                                                http_reply& reply) {
    chk.batch.batch_id = batch_id;
    auto out = co_await ctx_.store.write(chk.batch, first);
    if (!out.missing.empty()) {
      fhir::issue_list issues;
      for (const auto& m : out.missing)
        issues.push_back({fhir::severity::error, fhir::issue_code::not_found, m.location,
                          "reference " + m.type + "/" + m.id + " does not resolve: not in this request and not stored",
                          fhir::hl7_error::none});
      ++ctx_.stats.refused;
      reply = outcome_reply(422, issues);
      co_return std::nullopt;
    }
    for (const auto& e : out.entries) {
      if (e.result == write_result::created)
        ++ctx_.stats.created;
      else if (e.result == write_result::updated)
        ++ctx_.stats.updated;
      else
        ++ctx_.stats.unchanged;
    }
    co_return out;
  }

  awaitable<http_reply> transaction(http_request& req, const std::string& batch_id, bool& stored) {
    auto chk = check_transaction(req.body, ctx_.checks);
    if (chk.what != checked_request::verdict::ok) co_return refused(chk);
    http_reply reply;
    auto out = co_await store(chk, batch_id, false, reply);
    if (!out) co_return reply;
    stored = true;
    std::string body = R"({"resourceType":"Bundle","type":"transaction-response","entry":[)";
    for (std::size_t i = 0; i < out->entries.size(); ++i) {
      const auto& e = out->entries[i];
      auto v = std::to_string(e.version);
      if (i > 0) body += ',';
      body += R"({"response":{"status":")";
      body += e.result == write_result::created ? "201 Created" : "200 OK";
      body += R"(","location":)" + json_string(chk.keys[i] + "/_history/" + v) + R"(,"etag":"W/\")" + v + R"(\""}})";
    }
    body += "]}";
    co_return fhir_reply(200, std::move(body));
  }

  awaitable<http_reply> put(http_request& req, const std::string& type, const std::string& id,
                            const std::string& batch_id, bool& stored) {
    auto chk = check_put(req.body, type, id, ctx_.checks);
    if (chk.what != checked_request::verdict::ok) co_return refused(chk);
    http_reply reply;
    auto out = co_await store(chk, batch_id, true, reply);
    if (!out) co_return reply;
    stored = true;
    const auto& e = out->entries.at(0);
    auto v = std::to_string(e.version);
    reply = fhir_reply(e.result == write_result::created ? 201 : 200, std::move(out->first_served));
    reply.headers.emplace_back("ETag", "W/\"" + v + "\"");
    reply.headers.emplace_back("Location", "/fhir/" + type + "/" + id + "/_history/" + v);
    co_return reply;
  }

  awaitable<http_reply> read(const std::string& type, const std::string& id) {
    auto r = co_await ctx_.store.read(type, id);
    if (!r) co_return json_error(404, fhir::issue_code::not_found, "no " + type + " with this id");
    co_return fhir_reply(200, std::move(*r));
  }

  awaitable<http_reply> search(const std::string& type, std::string_view target) {
    search_query q;
    q.type = type;
    for (auto& [name, value] : query_params(target)) {
      if (name == "_id") {
        q.id = value;
      } else if (name == "patient" || name == "subject") {
        q.patient = value.starts_with("Patient/") ? value.substr(8) : value;
      } else if (name == "identifier") {
        auto bar = value.find('|');
        if (bar == std::string::npos) {
          q.identifier_value = value;
        } else {
          q.identifier_system = value.substr(0, bar);
          q.identifier_value = value.substr(bar + 1);
        }
      } else if (name == "_count") {
        char* end = nullptr;
        long n = std::strtol(value.c_str(), &end, 10);
        if (value.empty() || *end != 0 || n < 0)
          co_return json_error(400, fhir::issue_code::value, "_count must be a non-negative whole number");
        q.count = std::min<std::size_t>(static_cast<std::size_t>(n), ctx_.settings.max_search_count);
      } else if (name != "_format") {
        co_return json_error(400, fhir::issue_code::not_supported,
                             "unsupported search parameter; supported: _id, patient, subject, identifier, _count");
      }
    }
    auto found = co_await ctx_.store.search(q);
    std::string body = R"({"resourceType":"Bundle","type":"searchset","total":)" + std::to_string(found.total);
    for (std::size_t i = 0; i < found.resources.size(); ++i) {
      body += i == 0 ? R"(,"entry":[)" : ",";
      body += R"({"resource":)" + found.resources[i] + R"(,"search":{"mode":"match"}})";
    }
    body += found.resources.empty() ? "}" : "]}";
    co_return fhir_reply(200, std::move(body));
  }

  awaitable<http_reply> history(const std::string& type, const std::string& id) {
    auto versions = co_await ctx_.store.history(type, id);
    if (versions.empty()) co_return json_error(404, fhir::issue_code::not_found, "no " + type + " with this id");
    std::string body =
        R"({"resourceType":"Bundle","type":"history","total":)" + std::to_string(versions.size()) + R"(,"entry":[)";
    for (std::size_t i = 0; i < versions.size(); ++i) {
      if (i > 0) body += ',';
      bool first_version = i + 1 == versions.size();
      body += R"({"resource":)" + versions[i] + R"(,"request":{"method":"PUT","url":)" + json_string(type + "/" + id) +
              R"(},"response":{"status":")" + (first_version ? "201" : "200") + R"("}})";
    }
    body += "]}";
    co_return fhir_reply(200, std::move(body));
  }

  stub_context& ctx_;
};

class fhir_session final : public net::detail::session_handler {
 public:
  explicit fhir_session(stub_context& ctx) : ctx_(ctx), router_(ctx) {}

  awaitable<void> serve(tls_connection& c) override {
    fault_connection fc(c, ctx_.faults);
    co_await net::detail::serve_http(fc, ctx_.settings.fhir.limits, router_, "national");
  }

  awaitable<void> refuse(tls_connection& c, net::detail::refusal why) override {
    // Unknown certificates fail the handshake already; what is left is the connection limit.
    auto r = json_error(503, fhir::issue_code::transient, "too many connections; try again later");
    if (why != net::detail::refusal::facility_connection_limit)
      r = json_error(403, fhir::issue_code::security, "this client certificate is not accepted");
    r.retry_after_seconds = 1;
    co_await net::detail::write_http_reply(c, r, false, steady::now() + ctx_.settings.fhir.limits.read_timeout);
  }

 private:
  stub_context& ctx_;
  fhir_router router_;
};

/// The server context with the accepted-client check in the handshake: a verified chain whose
/// leaf is not listed fails the handshake (alert "certificate unknown"), nothing is read.
std::shared_ptr<asio::ssl::context> make_context(const stub_settings& s, const net::facility_auth& auth) {
  auto ctx =
      net::make_server_tls_context(s.fhir.tls.value_or(config::tls_settings{}), net::client_certificates::required);
  ctx->set_verify_callback([&auth](bool preverified, asio::ssl::verify_context& vc) {
    if (!preverified) return false;
    X509_STORE_CTX* store = vc.native_handle();
    if (::X509_STORE_CTX_get_error_depth(store) != 0) return true;
    const X509* cert = ::X509_STORE_CTX_get_current_cert(store);
    if (cert != nullptr && auth.find(net::identify_certificate(cert)) != nullptr) return true;
    ::X509_STORE_CTX_set_error(store, X509_V_ERR_APPLICATION_VERIFICATION);
    return false;
  });
  return ctx;
}

}  // namespace

fhir_server::fhir_server(asio::io_context& ioc, stub_context& ctx)
    : detail::client_binding(ctx.settings.clients),
      net::tls_server(ioc, ctx.settings.fhir, auth, config::transport::https, "national",
                      std::make_unique<fhir_session>(ctx), make_context(ctx.settings, auth)) {}

}  // namespace gw::stub
