#include "gateway/net/tls_server.hpp"

#include "gateway/net/detail/tls_listener.hpp"

namespace gw::net {

tls_server::tls_server(boost::asio::io_context& ioc, const config::listener& settings, const facility_auth& auth,
                       config::transport transport, std::string name, std::unique_ptr<detail::session_handler> session,
                       std::shared_ptr<boost::asio::ssl::context> tls)
    : session_(std::move(session)),
      listener_(std::make_unique<detail::tls_listener>(ioc, settings, auth, transport, std::move(name), *session_,
                                                       std::move(tls))) {}

tls_server::~tls_server() = default;

void tls_server::start() {
  listener_->start();
}
void tls_server::stop(std::function<void()> drained) {
  listener_->stop(std::move(drained));
}
std::uint16_t tls_server::port() const {
  return listener_->port();
}
std::size_t tls_server::connections() const {
  return listener_->connections();
}

}  // namespace gw::net
