#pragma once
/// Adapters as the ingest pipeline sees them: bytes of one format in, the resources to store and
/// the issues out. Adapters are pure (no I/O, no clock): everything they need is in the input.

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "adapters/mapped/translate.hpp"
#include "fhir/identifiers.hpp"
#include "fhir/issue.hpp"
#include "fhir/model.hpp"
#include "gateway/config/config.hpp"
#include "gateway/store/ingest_store.hpp"

namespace gw::hl7v2 {
struct parse_result;
}

namespace gw::ingest {

struct translate_input {
  std::string_view body;
  const config::facility* facility = nullptr;  ///< the authenticated facility
  std::chrono::system_clock::time_point received_at;
  std::string sha256_hex;        ///< of the body (for Provenance)
  std::string default_timezone;  ///< "+07:00"
  /// HL7 v2 only: the pipeline's parse of `body` (it parses once, for the key and the answer).
  const hl7v2::parse_result* hl7_parsed = nullptr;
  /// The listener's `max_message_bytes`, which the body has passed: the adapters' own size
  /// limits are raised to it (0: their defaults), so the configured limit is the one that holds.
  std::size_t max_message_bytes = 0;
};

struct translation {
  fhir::issue_list issues;
  std::vector<store::resource_write> resources;  ///< in dependency order (Patient first)
  std::vector<store::patient_link_write> links;
};

/// What an adapter made of one message, before it becomes rows.
struct bundle_translation {
  fhir::Bundle bundle;
  fhir::issue_list issues;
  std::optional<mapped::report> report;  ///< cv365 and mapped: the onboarding report
  fhir::identifier_systems systems;      ///< the systems the adapter used (for the rows)
};

/// Runs the adapter of `format` on `in.body` with the settings of `in.facility` (identifier-system
/// overrides, time zone, facility name, mapping). The one place where adapter settings are made
/// from configuration: the ingest pipeline and `emr-gateway translate` both come here.
/// Precondition: `in.facility` is set.
bundle_translation translate_bundle(config::feed_format format, const translate_input& in);

using translator = std::function<translation(const translate_input&)>;

/// Which translator serves which feed format.
class translator_registry {
 public:
  void add(config::feed_format f, translator t) { by_format_[f] = std::move(t); }
  const translator* find(config::feed_format f) const {
    auto it = by_format_.find(f);
    return it == by_format_.end() ? nullptr : &it->second;
  }

 private:
  std::map<config::feed_format, translator> by_format_;
};

/// Every adapter this build has, set up from the configuration.
translator_registry default_translators(const config::gateway_config& cfg);

}  // namespace gw::ingest
