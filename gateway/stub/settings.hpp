#pragma once
/// Settings of `national-db-stub`, the stand-in for the national health database that the
/// gateway's forwarder delivers to. Loaded from `config/national-stub.yaml` by `load_settings`,
/// which reports every mistake with file, line and key (nothing starts on a bad file).

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "gateway/config/config.hpp"
#include "gateway/stub/faults.hpp"

namespace gw::stub {

struct stub_settings {
  std::filesystem::path source_file;
  std::string log_level = "info";
  int io_threads = 2;
  /// HTTPS FHIR listener (mutual TLS). `limits.max_message_bytes` bounds a request body.
  config::listener fhir;
  /// Plain HTTP admin listener; only 127.0.0.1 (or ::1) is allowed.
  config::listener admin;
  /// Client certificates accepted at the TLS handshake (subject RFC 2253 or SHA-256).
  config::certificate_match clients;
  std::string database_dsn;  ///< libpq connection string; empty = libpq defaults, database emr_national
  std::size_t pool_size = 4;
  std::chrono::milliseconds connect_timeout{3'000};
  std::chrono::milliseconds statement_timeout{15'000};
  /// Identifier system of the CCCD (citizen id) on Patient.
  std::string cccd_system = "http://fhir.ehealth.gov.vn/core/sid/national_id";
  /// Facility record-number systems; `*` matches any run of characters (e.g. a facility code).
  std::vector<std::string> record_number_systems{"urn:vn:cskcb:*:ma_bn", "urn:oid:*"};
  std::size_t max_search_count = 1000;
  fault_settings faults;
};

/// One mistake in the settings file (the gateway configuration's kind: `file:line: key: message`).
using settings_error = config::config_error;
using config::format_error;

struct settings_result {
  std::optional<stub_settings> settings;  ///< set only when there were no errors
  std::vector<settings_error> errors;
};

/// Reads and validates the YAML file. Never throws for problems in the file.
settings_result load_settings(const std::filesystem::path& file);

}  // namespace gw::stub
