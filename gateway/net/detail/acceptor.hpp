#pragma once
/// Opening a listener's socket, the same way for every listener.

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "gateway/config/config.hpp"

namespace gw::net::detail {

/// Opens, binds (address reuse on) and listens on the listener's address and port. Throws
/// std::system_error when the address cannot be bound.
inline void listen_on(boost::asio::ip::tcp::acceptor& a, const config::listener& settings) {
  const boost::asio::ip::tcp::endpoint ep(boost::asio::ip::make_address(settings.address), settings.port);
  a.open(ep.protocol());
  a.set_option(boost::asio::socket_base::reuse_address(true));
  a.bind(ep);
  a.listen();
}

}  // namespace gw::net::detail
