#include "gateway/forward/national_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <charconv>
#include <stdexcept>

namespace gw::forward {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

std::optional<endpoint> parse_https_url(const std::string& url) {
  constexpr std::string_view scheme = "https://";
  if (url.rfind(scheme, 0) != 0) return std::nullopt;
  auto rest = std::string_view(url).substr(scheme.size());
  auto slash = rest.find('/');
  auto authority = rest.substr(0, slash);
  endpoint ep;
  ep.path = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (authority.empty()) return std::nullopt;
  if (authority.front() == '[') {  // [v6]:port
    auto close = authority.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    ep.host = std::string(authority.substr(1, close - 1));
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return std::nullopt;
      ep.port = std::string(authority.substr(close + 2));
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    ep.host = std::string(authority.substr(0, colon));
    ep.port = std::string(authority.substr(colon + 1));
  } else {
    ep.host = std::string(authority);
  }
  unsigned port = 0;
  auto r = std::from_chars(ep.port.data(), ep.port.data() + ep.port.size(), port);
  if (ep.host.empty() || r.ec != std::errc() || r.ptr != ep.port.data() + ep.port.size() || port == 0 || port > 65535)
    return std::nullopt;
  return ep;
}

namespace {

std::string last_openssl_error() {
  unsigned long last = 0;
  while (unsigned long e = ::ERR_get_error()) last = e;
  if (last == 0) return "unknown OpenSSL error";
  char buf[256];
  ::ERR_error_string_n(last, buf, sizeof buf);
  return buf;
}

}  // namespace

std::shared_ptr<ssl::context> make_client_tls_context(const config::tls_settings& s) {
  ::ERR_clear_error();
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::no_compression);
  ::SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION);
  if (::SSL_CTX_set_min_proto_version(native, s.min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION) != 1)
    throw std::runtime_error("national TLS: cannot set the minimum version: " + last_openssl_error());
  auto need = [](const std::filesystem::path& p, const char* what) {
    if (p.empty()) throw std::runtime_error(std::string("national TLS: ") + what + " is not configured");
  };
  need(s.certificate, "client certificate");
  need(s.private_key, "client private key");
  need(s.ca, "CA bundle for the national server");
  if (::SSL_CTX_use_certificate_chain_file(native, s.certificate.c_str()) != 1)
    throw std::runtime_error("national TLS: cannot load client certificate '" + s.certificate.string() +
                             "': " + last_openssl_error());
  if (::SSL_CTX_use_PrivateKey_file(native, s.private_key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      ::SSL_CTX_check_private_key(native) != 1)
    throw std::runtime_error("national TLS: cannot use client private key '" + s.private_key.string() +
                             "' with certificate '" + s.certificate.string() + "': " + last_openssl_error());
  if (::SSL_CTX_load_verify_locations(native, s.ca.c_str(), nullptr) != 1)
    throw std::runtime_error("national TLS: cannot load CA bundle '" + s.ca.string() + "': " + last_openssl_error());
  ctx->set_verify_mode(ssl::verify_peer);
  ::ERR_clear_error();
  return ctx;
}

struct national_client::impl {
  asio::any_io_executor ex;
  std::shared_ptr<ssl::context> tls;
  endpoint ep;
  std::chrono::milliseconds timeout;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> stream;
  beast::flat_buffer buffer;
  bool connect_timed_out = false;

  impl(asio::any_io_executor e, std::shared_ptr<ssl::context> t, endpoint p, std::chrono::milliseconds to)
      : ex(std::move(e)), tls(std::move(t)), ep(std::move(p)), timeout(to) {}

  void drop() {
    if (stream) {
      beast::error_code ignored;
      beast::get_lowest_layer(*stream).socket().close(ignored);
    }
    stream.reset();
    buffer.clear();
  }

  /// Opens a TCP connection and runs the TLS handshake; "" on success, else what failed.
  asio::awaitable<std::string> connect() {
    drop();
    connect_timed_out = false;
    auto s = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(ex, *tls);
    beast::get_lowest_layer(*s).expires_after(timeout);  // one deadline: connect to answer
    if (!::SSL_set_tlsext_host_name(s->native_handle(), ep.host.c_str())) co_return "cannot set the TLS server name";
    s->set_verify_callback(ssl::host_name_verification(ep.host));
    tcp::resolver resolver(ex);
    auto [rec, results] = co_await resolver.async_resolve(ep.host, ep.port, asio::as_tuple(asio::use_awaitable));
    if (rec) co_return "cannot resolve " + ep.host + ": " + rec.message();
    auto& lowest = beast::get_lowest_layer(*s);
    auto [cec, where] = co_await lowest.async_connect(results, asio::as_tuple(asio::use_awaitable));
    connect_timed_out = cec == beast::error::timeout;
    if (cec) co_return "cannot connect to " + ep.host + ":" + ep.port + ": " + cec.message();
    // A request written in more than one piece must not wait for the server's delayed ACK.
    boost::system::error_code nodelay_ec;
    lowest.socket().set_option(tcp::no_delay(true), nodelay_ec);
    auto [hec] = co_await s->async_handshake(ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
    connect_timed_out = hec == beast::error::timeout;
    if (hec) co_return "TLS handshake with " + ep.host + ":" + ep.port + " failed: " + hec.message();
    stream = std::move(s);
    co_return std::string();
  }

  asio::awaitable<http_result> exchange(const http::request<http::string_body>& req) {
    http_result out;
    auto [wec, wn] = co_await http::async_write(*stream, req, asio::as_tuple(asio::use_awaitable));
    if (wec) {
      out.timed_out = wec == beast::error::timeout;
      out.error = "sending the request failed: " + wec.message();
      co_return out;
    }
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    auto [rec, rn] = co_await http::async_read(*stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (rec) {
      out.timed_out = rec == beast::error::timeout;
      out.error = "no answer: " + rec.message();
      co_return out;
    }
    auto& res = parser.get();
    out.status = static_cast<int>(res.result_int());
    auto ra = res[http::field::retry_after];
    long long secs = 0;
    if (!ra.empty() && std::from_chars(ra.data(), ra.data() + ra.size(), secs).ec == std::errc())
      out.retry_after = std::chrono::seconds(secs);
    out.body = std::move(res.body());
    if (!res.keep_alive()) drop();
    co_return out;
  }
};

national_client::national_client(asio::any_io_executor ex, std::shared_ptr<ssl::context> tls, endpoint ep,
                                 std::chrono::milliseconds timeout)
    : impl_(std::make_unique<impl>(std::move(ex), std::move(tls), std::move(ep), timeout)) {}

national_client::~national_client() {
  impl_->drop();
}

void national_client::close() {
  impl_->drop();
}

asio::awaitable<http_result> national_client::post(std::string body) {
  auto& m = *impl_;
  http::request<http::string_body> req{http::verb::post, m.ep.path, 11};
  req.set(http::field::host, m.ep.host);
  req.set(http::field::content_type, "application/fhir+json");
  req.set(http::field::accept, "application/fhir+json");
  req.keep_alive(true);
  req.body() = std::move(body);
  req.prepare_payload();
  for (int round = 0; round < 2; ++round) {
    bool reused = m.stream != nullptr;
    http_result r;
    if (!reused) {
      auto err = co_await m.connect();
      if (!err.empty()) {
        r.error = err;
        r.timed_out = m.connect_timed_out;
        m.drop();
        co_return r;
      }
    } else {
      beast::get_lowest_layer(*m.stream).expires_after(m.timeout);
    }
    r = co_await m.exchange(req);
    if (r.status != 0) co_return r;
    m.drop();
    // A kept-alive connection the server closed meanwhile fails before any answer: try once on a
    // fresh one. (Had the server processed it, the repeat is an identical PUT: no new version.)
    if (!reused || r.timed_out) co_return r;
  }
  co_return http_result{0, false, {}, {}, "no answer"};
}

}  // namespace gw::forward
