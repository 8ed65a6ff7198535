#pragma once
/// The ingest pipeline: one message from an authenticated facility → dedupe → translate →
/// one durable write → the answer (ARCHITECTURE.md, "One message, end to end").
///
/// Answers (the HTTP mapping lives here, the HL7 one in adapters/hl7v2/ack.hpp):
///   accepted                      AA (CA in enhanced mode) / 200
///   content errors                AE / 422  (raw stored with its issues)
///   facility mismatch             AE / 403  (raw stored with its issues)
///   same HL7 control id, new body AE 205 / 409 (raw stored as rejected)
///   unsupported content type      415 (raw stored as rejected)
///   database down, shutting down  AR / 503 + Retry-After (nothing stored)
///   duplicate (same key and body) the stored answer; nothing written

#include <atomic>
#include <memory>

#include "gateway/config/config.hpp"
#include "gateway/ingest/handler.hpp"
#include "gateway/ingest/translators.hpp"
#include "gateway/store/ingest_store.hpp"

namespace gw::ingest {

class pipeline final : public handler {
 public:
  pipeline(const config::gateway_config& cfg, std::shared_ptr<store::ingest_store> store,
           translator_registry translators);

  boost::asio::awaitable<response> handle(request req) override;

  /// From now on every message is answered AR / 503 (the process is stopping).
  void begin_shutdown() { stopping_ = true; }

 private:
  const config::gateway_config& cfg_;
  std::shared_ptr<store::ingest_store> store_;
  translator_registry translators_;
  std::atomic<bool> stopping_{false};
};

/// The feed format of an HTTPS body from its Content-Type and the facility's feeds; nothing when
/// the content type does not name a format the facility sends.
std::optional<config::feed_format> format_of(std::string_view content_type, const config::facility& f);

/// JSON array of issues as stored with a message and returned in answers.
std::string issues_json(const fhir::issue_list& issues);

/// The HTTP answer body: an OperationOutcome naming the message and listing the issues.
std::string outcome_json(std::string_view message_id, std::string_view summary_severity, std::string_view summary,
                         const fhir::issue_list& issues);

}  // namespace gw::ingest
