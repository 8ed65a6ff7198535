#pragma once
/// Stored raw messages read back for `emr-gateway replay`: re-translated with today's mappings,
/// their new outcome recorded on the same row, their resources upserted (new versions only when
/// content changed, so replaying twice changes nothing), and each run written to the audit table.
/// Blocking API (command-line use), run on the database pool.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/store/database.hpp"
#include "gateway/store/ingest_store.hpp"

namespace gw::store {

struct stored_message {
  std::int64_t id = 0;
  std::string received_at;  ///< as PostgreSQL prints it (used to address the partition)
  double received_epoch = 0;
  std::string facility, transport, format, message_key, outcome;
  std::string raw;
};

struct replay_filter {
  std::string facility;
  std::string since;    ///< timestamptz text; empty = from the beginning
  std::string outcome;  ///< accepted | rejected | error; empty = any
  std::size_t limit = 100'000;
};

struct replay_change {
  store::outcome outcome = outcome::accepted;
  std::string issues_json = "[]";
  std::vector<resource_write> resources;
  std::vector<patient_link_write> links;
};

class replay_store {
 public:
  explicit replay_store(database& db) : db_(db) {}
  /// Messages matching the filter, oldest first. HL7 control-id conflicts are never replayed.
  std::vector<stored_message> select(const replay_filter& f);
  /// Records the new outcome; returns the number of resources that got a new version.
  int apply(const stored_message& m, const replay_change& c);
  /// One audit row for a whole replay run.
  void audit(const std::string& actor, const std::string& facility, const std::string& detail_json);

 private:
  database& db_;
};

}  // namespace gw::store
