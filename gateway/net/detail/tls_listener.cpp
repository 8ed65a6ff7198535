#include "gateway/net/detail/tls_listener.hpp"

#include <openssl/ssl.h>
#include <spdlog/spdlog.h>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <exception>
#include <mutex>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "gateway/net/facility_auth.hpp"
#include "gateway/net/tls_context.hpp"
#include "gateway/net/detail/acceptor.hpp"

namespace gw::net::detail {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using stream_type = beast::ssl_stream<beast::tcp_stream>;

std::string_view to_string(io_status s) {
  switch (s) {
    case io_status::ok: return "ok";
    case io_status::closed: return "closed";
    case io_status::timeout: return "timeout";
    case io_status::cancelled: return "cancelled";
    case io_status::failed: return "failed";
  }
  return "?";
}

std::string_view to_string(refusal r) {
  switch (r) {
    case refusal::unknown_certificate: return "unknown_certificate";
    case refusal::transport_not_configured: return "transport_not_configured";
    case refusal::facility_connection_limit: return "facility_connection_limit";
  }
  return "?";
}

namespace {

/// What the listener knows about one connection. `strand` is fixed; the fields marked "strand"
/// are only touched on it, `facility` only under the listener's mutex.
struct conn_entry {
  explicit conn_entry(asio::any_io_executor ex) : strand(std::move(ex)) {}
  asio::any_io_executor strand;
  bool idle = true;                            // strand: handshake or between messages
  bool stopping = false;                       // strand
  beast::tcp_stream* tcp = nullptr;            // strand: set while the stream exists
  const config::facility* facility = nullptr;  // mutex: counted against its per-facility limit
};

io_status classify(const beast::error_code& ec, bool& abrupt) {
  if (!ec) return io_status::ok;
  if (ec == asio::error::operation_aborted) return io_status::cancelled;
  if (ec == asio::error::eof) return io_status::closed;  // TLS close_notify received
  abrupt = true;
  if (ec == beast::error::timeout) return io_status::timeout;
  if (ec == ssl::error::stream_truncated || ec == asio::error::connection_reset || ec == asio::error::broken_pipe)
    return io_status::closed;
  return io_status::failed;
}

class connection final : public tls_connection {
 public:
  connection(stream_type& s, conn_entry& e, const std::string& peer, const std::string& subject,
             const config::facility* f)
      : stream_(s), entry_(e), peer_(peer), subject_(subject), facility_(f) {}

  asio::awaitable<std::pair<io_status, std::size_t>> read_some(std::span<char> out, steady_time deadline) override {
    beast::get_lowest_layer(stream_).expires_at(deadline);
    auto [ec, n] =
        co_await stream_.async_read_some(asio::buffer(out.data(), out.size()), asio::as_tuple(asio::use_awaitable));
    co_return std::pair{classify(ec, abrupt_), n};
  }

  asio::awaitable<io_status> write(std::string_view bytes, steady_time deadline) override {
    beast::get_lowest_layer(stream_).expires_at(deadline);
    auto [ec, n] = co_await asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()),
                                              asio::as_tuple(asio::use_awaitable));
    co_return classify(ec, abrupt_);
  }

  void set_idle(bool idle) override { entry_.idle = idle; }
  bool stopping() const override { return entry_.stopping; }
  void close_abruptly() override { abrupt_ = true; }
  void linger_on_close() override { linger_ = true; }
  const config::facility* facility() const override { return facility_; }
  const std::string& peer() const override { return peer_; }
  const std::string& certificate_subject() const override { return subject_; }
  bool abrupt() const { return abrupt_; }
  bool linger() const { return linger_; }

 private:
  stream_type& stream_;
  conn_entry& entry_;
  const std::string& peer_;
  const std::string& subject_;
  const config::facility* facility_;
  bool abrupt_ = false;
  bool linger_ = false;
};

std::string endpoint_text(const tcp::socket& s) {
  beast::error_code ec;
  auto ep = s.remote_endpoint(ec);
  if (ec) return "unknown";
  return ep.address().to_string() + ":" + std::to_string(ep.port());
}

}  // namespace

struct tls_listener::impl : std::enable_shared_from_this<impl> {
  asio::io_context& ioc;
  config::listener settings;
  const facility_auth& auth;
  config::transport transport;
  std::string name;
  session_handler& handler;
  std::shared_ptr<ssl::context> tls;
  asio::strand<asio::io_context::executor_type> accept_strand;
  tcp::acceptor acceptor;
  std::uint16_t bound_port = 0;

  mutable std::mutex mu;
  std::unordered_set<std::shared_ptr<conn_entry>> conns;
  std::unordered_map<const config::facility*, std::size_t> per_facility;
  bool stopping = false;
  std::vector<std::function<void()>> on_drained;

  impl(asio::io_context& c, const config::listener& s, const facility_auth& a, config::transport t, std::string n,
       session_handler& h, std::shared_ptr<ssl::context> context)
      : ioc(c),
        settings(s),
        auth(a),
        transport(t),
        name(std::move(n)),
        handler(h),
        tls(context ? std::move(context)
                    : make_server_tls_context(s.tls.value_or(config::tls_settings{}), client_certificates::required)),
        accept_strand(asio::make_strand(c)),
        acceptor(accept_strand) {}

  /// Removes a finished connection; runs the drained callbacks after the last one.
  void unregister(const std::shared_ptr<conn_entry>& e) {
    std::vector<std::function<void()>> ready;
    {
      std::lock_guard lock(mu);
      conns.erase(e);
      if (e->facility != nullptr) {
        auto it = per_facility.find(e->facility);
        if (it != per_facility.end() && --it->second == 0) per_facility.erase(it);
      }
      if (stopping && conns.empty()) ready.swap(on_drained);
    }
    for (auto& f : ready) asio::post(ioc, std::move(f));
  }

  bool claim(conn_entry& e, const config::facility* f) {
    std::lock_guard lock(mu);
    auto& n = per_facility[f];
    if (n >= settings.limits.max_connections_per_facility) {
      if (n == 0) per_facility.erase(f);
      return false;
    }
    ++n;
    e.facility = f;
    return true;
  }

  /// Unregisters when the connection coroutine ends, however it ends.
  struct registration {
    impl& l;
    std::shared_ptr<conn_entry> e;
    ~registration() { l.unregister(e); }
  };
  /// Forgets the stream before it is destroyed, so a stop posted later does not touch it.
  struct stream_binding {
    conn_entry& e;
    ~stream_binding() { e.tcp = nullptr; }
  };

  asio::awaitable<void> close(stream_type& stream, const connection& conn) {
    auto& tcp_layer = beast::get_lowest_layer(stream);
    if (!conn.abrupt()) {
      // Send close_notify. Unless lingering, do not wait for the peer's: pretend it was received,
      // so SSL_shutdown completes once ours is written. Lingering waits (bounded) for the peer's
      // and OpenSSL discards what the peer still sends meanwhile.
      if (!conn.linger()) ::SSL_set_shutdown(stream.native_handle(), SSL_RECEIVED_SHUTDOWN);
      tcp_layer.expires_after(settings.limits.handshake_timeout);
      co_await stream.async_shutdown(asio::as_tuple(asio::use_awaitable));
    }
    beast::error_code ignored;
    tcp_layer.socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp_layer.close();
  }

  asio::awaitable<void> run_connection(std::shared_ptr<impl> self, std::shared_ptr<conn_entry> entry,
                                       tcp::socket socket, std::string peer) {
    registration reg{*self, entry};
    stream_type stream(std::move(socket), *tls);
    entry->tcp = &beast::get_lowest_layer(stream);
    stream_binding binding{*entry};
    if (entry->stopping) co_return;

    beast::get_lowest_layer(stream).expires_after(settings.limits.handshake_timeout);
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
    if (hec) {
      // Unknown CA, expired or missing client certificate, old TLS version, timeout.
      long verify = ::SSL_get_verify_result(stream.native_handle());
      spdlog::warn("event=tls_handshake_failed listener={} peer={} reason=\"{}\" certificate=\"{}\"", name, peer,
                   hec.message(), verify == X509_V_OK ? "-" : ::X509_verify_cert_error_string(verify));
      co_return;
    }
    entry->idle = false;

    const X509* cert = ::SSL_get0_peer_certificate(stream.native_handle());
    auto who = auth.authenticate(cert, transport);
    std::string code = who.facility ? who.facility->code : "-";
    connection conn(stream, *entry, peer, who.certificate.subject, who.facility);

    std::optional<refusal> refused;
    if (who.what == auth_result::status::transport_not_configured)
      refused = refusal::transport_not_configured;
    else if (!who.ok())
      refused = refusal::unknown_certificate;
    else if (!claim(*entry, who.facility))
      refused = refusal::facility_connection_limit;

    if (refused) {
      spdlog::warn("event=connection_refused listener={} peer={} facility={} subject=\"{}\" reason={}", name, peer,
                   code, who.certificate.subject, to_string(*refused));
      conn.linger_on_close();
      if (!entry->stopping) co_await handler.refuse(conn, *refused);
      co_await close(stream, conn);
      co_return;
    }

    spdlog::info("event=connection_open listener={} peer={} facility={} subject=\"{}\"", name, peer, code,
                 who.certificate.subject);
    if (!entry->stopping) co_await handler.serve(conn);
    co_await close(stream, conn);
    spdlog::info("event=connection_closed listener={} peer={} facility={}", name, peer, code);
  }

  asio::awaitable<void> accept_loop(std::shared_ptr<impl> self) {
    asio::steady_timer backoff(accept_strand);
    for (;;) {
      auto [ec, accepted] = co_await acceptor.async_accept(asio::make_strand(ioc), asio::as_tuple(asio::use_awaitable));
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      if (ec) {
        // Out of descriptors and the like: do not spin; try again shortly.
        spdlog::warn("event=accept_failed listener={} reason=\"{}\"", name, ec.message());
        backoff.expires_after(std::chrono::milliseconds(100));
        co_await backoff.async_wait(asio::as_tuple(asio::use_awaitable));
        continue;
      }
      tcp::socket socket(std::move(accepted));
      // Answers go out at once: with Nagle, a reply written in more than one piece (TLS records,
      // HTTP header and body) waits for the peer's delayed ACK, ~40 ms per exchange.
      boost::system::error_code nodelay_ec;
      socket.set_option(tcp::no_delay(true), nodelay_ec);
      std::string peer = endpoint_text(socket);
      auto entry = std::make_shared<conn_entry>(socket.get_executor());
      bool over = false;
      {
        std::lock_guard lock(mu);
        if (stopping) co_return;
        over = conns.size() >= settings.limits.max_connections;
        if (!over) conns.insert(entry);
      }
      if (over) {
        // Refused before the handshake: a flood must not cost us TLS handshakes.
        spdlog::warn("event=connection_refused listener={} peer={} reason=max_connections limit={}", name, peer,
                     settings.limits.max_connections);
        beast::error_code ignored;
        socket.close(ignored);
        continue;
      }
      auto exec = socket.get_executor();
      asio::co_spawn(
          exec, run_connection(self, entry, std::move(socket), peer), [listener = name, peer](std::exception_ptr e) {
            if (!e) return;
            try {
              std::rethrow_exception(e);
            } catch (const std::exception& x) {
              spdlog::error("event=connection_failed listener={} peer={} reason=\"{}\"", listener, peer, x.what());
            }
          });
    }
  }
};

tls_listener::tls_listener(asio::io_context& ioc, const config::listener& settings, const facility_auth& auth,
                           config::transport transport, std::string name, session_handler& handler,
                           std::shared_ptr<ssl::context> tls)
    : impl_(std::make_shared<impl>(ioc, settings, auth, transport, std::move(name), handler, std::move(tls))) {}

tls_listener::~tls_listener() {
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
}

void tls_listener::start() {
  auto& a = impl_->acceptor;
  detail::listen_on(a, impl_->settings);
  impl_->bound_port = a.local_endpoint().port();
  spdlog::info("event=listening listener={} address={} port={}", impl_->name, impl_->settings.address,
               impl_->bound_port);
  asio::co_spawn(impl_->accept_strand, impl_->accept_loop(impl_), [name = impl_->name](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      spdlog::critical("event=accept_loop_failed listener={} reason=\"{}\"", name, x.what());
    }
  });
}

void tls_listener::stop(std::function<void()> drained) {
  auto self = impl_;
  std::vector<std::shared_ptr<conn_entry>> open;
  bool already_empty = false;
  {
    std::lock_guard lock(self->mu);
    self->stopping = true;
    open.assign(self->conns.begin(), self->conns.end());
    already_empty = self->conns.empty();
    if (drained && !already_empty) self->on_drained.push_back(std::move(drained));
  }
  spdlog::info("event=listener_stopping listener={} open_connections={}", self->name, open.size());
  asio::post(self->accept_strand, [self] {
    beast::error_code ignored;
    self->acceptor.close(ignored);
  });
  for (auto& e : open) {
    asio::post(e->strand, [e] {
      e->stopping = true;
      if (e->idle && e->tcp != nullptr) e->tcp->cancel();
    });
  }
  if (drained && already_empty) asio::post(self->ioc, std::move(drained));
}

std::uint16_t tls_listener::port() const {
  return impl_->bound_port;
}

std::size_t tls_listener::connections() const {
  std::lock_guard lock(impl_->mu);
  return impl_->conns.size();
}

}  // namespace gw::net::detail
