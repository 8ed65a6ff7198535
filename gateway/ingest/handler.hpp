#pragma once
/// The seam between the network listeners and the ingest pipeline.
///
/// A listener authenticates the peer (client certificate → facility) *before* reading any message,
/// frames the bytes (MLLP frame or HTTP body, within the configured limits and deadlines), and
/// hands one message at a time to a `handler`. The handler translates, stores and answers; the
/// listener writes back exactly the answer it returns. Listeners never parse message content.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "gateway/config/config.hpp"

namespace gw::ingest {

struct request {
  const config::facility* facility = nullptr;  ///< the authenticated facility (never null)
  config::transport transport = config::transport::https;
  std::string content_type;  ///< HTTP Content-Type as sent; empty for MLLP
  std::string body;          ///< the message bytes, exactly as received
  std::chrono::system_clock::time_point received_at;
  std::string peer;  ///< remote address:port, for logs
};

struct response {
  std::string body;                        ///< HL7 ACK (MLLP, unframed) or JSON (HTTP)
  int http_status = 200;                   ///< HTTP only
  std::string content_type;                ///< HTTP only
  std::optional<int> retry_after_seconds;  ///< HTTP 503: when to try again
};

/// Handles one message. Implementations are thread-safe; `handle` may be awaited concurrently
/// from many connections.
class handler {
 public:
  virtual ~handler() = default;
  virtual boost::asio::awaitable<response> handle(request req) = 0;
};

}  // namespace gw::ingest
