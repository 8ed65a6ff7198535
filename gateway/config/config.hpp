#pragma once
/// The gateway's configuration as immutable typed structs.
///
/// Loaded from `gateway.yaml` and `facilities/<code>.yaml` by `load_config`, which validates
/// everything and collects *all* mistakes (file, line, key) instead of stopping at the first.
/// Relative paths in the files are resolved against the folder of the file that names them.
/// String values may use `${NAME}` or `${NAME:-default}` to take a value from the environment, and
/// secrets such as the database DSN can be read from a file (`dsn_file`).

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/config/values.hpp"
#include "adapters/mapped/mapping.hpp"

namespace gw::config {

/// TLS material of a listener or client. Paths are absolute after loading.
struct tls_settings {
  std::filesystem::path certificate;
  std::filesystem::path private_key;
  /// CA bundle used to verify the peer (facility clients, or the national server).
  std::filesystem::path ca;
  std::string min_version = "1.2";  ///< "1.2" or "1.3"
};

struct limits {
  std::size_t max_message_bytes = 16 * 1024 * 1024;  ///< MLLP frame or HTTP body
  std::size_t max_header_bytes = 16 * 1024;
  std::chrono::milliseconds handshake_timeout{10'000};
  std::chrono::milliseconds read_timeout{30'000};   ///< one whole message must arrive within this
  std::chrono::milliseconds idle_timeout{300'000};  ///< between messages on a kept-alive connection
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_facility = 32;
};

struct listener {
  bool enabled = true;
  std::string address = "0.0.0.0";
  std::uint16_t port = 0;
  std::optional<tls_settings> tls;  ///< absent only for the localhost admin listener
  config::limits limits;
};

struct listeners {
  listener mllp;    ///< MLLP over TLS, mutual TLS (hospital systems)
  listener ingest;  ///< HTTPS POST /ingest, mutual TLS (hospital systems)
  listener api;     ///< HTTPS FHIR API, status, metrics, dashboard (tokens)
  listener admin;   ///< plain HTTP, localhost: /healthz, /readyz

  /// The larger of the two ingest listeners' `max_message_bytes`: what a stored message passed
  /// when it arrived (replay and translate, which no longer know its listener, allow it too).
  std::size_t largest_message_bytes() const {
    return std::max(mllp.limits.max_message_bytes, ingest.limits.max_message_bytes);
  }
};

struct database {
  /// libpq connection string. Empty means the local default cluster (see scripts/demo.sh).
  std::string dsn;
  std::size_t pool_size = 4;
  std::chrono::milliseconds connect_timeout{3'000};
  std::chrono::milliseconds statement_timeout{15'000};
  int raw_retention_months = 120;  ///< raw inbound messages kept this long (monthly partitions)
  int partitions_ahead_months = 3;
};

struct national {
  bool enabled = false;
  std::string base_url;  ///< e.g. https://127.0.0.1:9443/fhir
  std::optional<tls_settings> tls;
  std::chrono::milliseconds request_timeout{15'000};
};

struct forwarding {
  std::size_t batch_max_resources = 250;
  std::chrono::milliseconds batch_max_delay{200};
  int max_attempts = 12;
  std::chrono::milliseconds backoff_initial{500};
  std::chrono::milliseconds backoff_max{60'000};
  std::chrono::milliseconds lease{30'000};
  std::size_t concurrency = 4;  ///< forwarder workers, each with its own connection
  std::string instance_name;    ///< this process in meta.source and outbox.delivered_by; "" = host-pid
  /// Delivered rows are deleted once older than this (the national database holds them then;
  /// the resource history stays). 0 keeps them for ever.
  std::chrono::milliseconds delivered_retention{7LL * 24 * 3'600'000};
};

enum class feed_format { qd130, hl7v2, cv365, mapped };
enum class transport { https, mllp };

std::string_view to_string(feed_format f);
std::string_view to_string(transport t);

struct feed {
  feed_format format = feed_format::qd130;
  config::transport transport = config::transport::https;
};

/// How a facility's client certificates are recognised. Several entries may be valid at once so
/// a certificate can be rotated without downtime.
struct certificate_match {
  std::vector<std::string> subjects;             ///< exact subject, e.g. "CN=42001.facility"
  std::vector<std::string> sha256_fingerprints;  ///< lower-case hex, no separators
};

struct facility {
  std::string code;  ///< MA_CSKCB, 5 digits
  std::string name;
  std::string ownership;  ///< "public" or "private"
  int beds = 0;
  std::vector<feed> feeds;
  certificate_match certificates;
  std::chrono::minutes stale_after{60};
  std::string expected_hours = "00:00-24:00";  ///< when traffic is expected, local time
  /// Format-specific settings, e.g. "identifier_system.record_number", "mapping_file" (absolute
  /// path after loading), "legacy_4210".
  std::map<std::string, std::string, std::less<>> settings;
  std::filesystem::path source_file;  ///< where it was defined (for messages)
  /// The mapping of a `cv365` or `mapped` feed (`settings.mapping_file`), read and checked
  /// against the FHIR model when the configuration was loaded; null for other formats.
  std::shared_ptr<const mapped::mapping> mapping;

  bool sends(feed_format f) const;
};

struct gateway_config {
  std::filesystem::path source_file;
  std::string log_level = "info";
  std::string default_timezone = "+07:00";
  int io_threads = 2;
  config::listeners listeners;
  config::database database;
  config::national national;
  config::forwarding forwarding;
  std::vector<facility> facilities;  ///< sorted by code

  const facility* find_facility(std::string_view code) const;
};

/// The configuration, or every mistake found in it (config_error: file, line, key, message).
struct load_result {
  std::optional<gateway_config> config;  ///< set only when there were no errors
  std::vector<config_error> errors;
};

/// Reads and validates `gateway.yaml` and every facility file it points at. Never throws for
/// problems in the files; every problem is returned in `errors`.
load_result load_config(const std::filesystem::path& gateway_yaml);

}  // namespace gw::config
