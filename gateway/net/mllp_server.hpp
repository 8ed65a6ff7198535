#pragma once
/// The MLLP over TLS listener for hospital systems (HL7 v2).
///
/// After authentication (see `tls_server`: a facility with an MLLP feed; a refused peer is just
/// closed, MLLP has no way to say why), any number of frames per connection, answered one at a
/// time and in order: every complete frame goes to the `ingest::handler`, and its answer is written
/// back, one frame per HL7 message in it (`hl7v2::split_messages`: enhanced mode can owe the commit
/// acknowledgement and then the application acknowledgement); an empty answer writes nothing (the
/// message asked for no acknowledgement, or was one). A frame must arrive whole within `read_timeout` once it started
/// (slow senders are cut off), the next one must start within `idle_timeout` of the last answer; a frame over
/// `max_message_bytes` closes the connection. Nothing of a message is logged.

#include "gateway/net/tls_server.hpp"

namespace gw::ingest {
class handler;
}

namespace gw::net {

class mllp_server final : public tls_server {
 public:
  /// `settings.tls` must be set. `auth` and `handler` must outlive the server and its
  /// connections. Throws `tls_setup_error` when the TLS material cannot be loaded.
  mllp_server(boost::asio::io_context& ioc, const config::listener& settings, const facility_auth& auth,
              ingest::handler& handler);
};

}  // namespace gw::net
