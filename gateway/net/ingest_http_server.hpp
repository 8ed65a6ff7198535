#pragma once
/// The HTTPS ingest listener for hospital systems: `POST /ingest` with the message as the body
/// (QĐ 130 XML, HL7 v2, CV 365 JSON, vendor exports; the handler chooses by facility and
/// Content-Type).
///
/// After authentication (see `tls_server`: a facility with an HTTPS feed, else one 403 JSON answer
/// and close, sent before anything is read), HTTP/1.1 with keep-alive: a request must arrive whole
/// within `read_timeout` once its first byte arrived, the next must start within `idle_timeout`;
/// header over `max_header_bytes` → 431, body over `max_message_bytes` → 413 (answered from the
/// header when Content-Length says so), other paths 404, other methods on /ingest 405, all with
/// OperationOutcome-style JSON bodies. The handler's answer is written as it is (status,
/// Content-Type, body, Retry-After). While stopping, the answer in flight says `Connection: close`.

#include "gateway/net/tls_server.hpp"

namespace gw::ingest {
class handler;
}

namespace gw::net {

class ingest_http_server final : public tls_server {
 public:
  /// `settings.tls` must be set. `auth` and `handler` must outlive the server and its
  /// connections. Throws `tls_setup_error` when the TLS material cannot be loaded.
  ingest_http_server(boost::asio::io_context& ioc, const config::listener& settings, const facility_auth& auth,
                     ingest::handler& handler);
};

}  // namespace gw::net
