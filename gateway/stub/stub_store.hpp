#pragma once
/// The national stub's storage: resources with versions, their history and the receive log, in
/// the stub's own PostgreSQL database. One transaction per request; concurrent writes of the
/// same resource serialise on its row (INSERT ... ON CONFLICT DO UPDATE locks it), and an entry
/// whose content equals the stored one (as JSON values, `meta` ignored) makes no new version.
/// Every operation is one or a few statements per request, whatever the number of entries.

#include <boost/asio/awaitable.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/store/database.hpp"
#include "gateway/store/migration.hpp"

namespace gw::stub {

/// The stub's numbered migrations (stub_schema.cpp).
store::schema stub_schema();

/// A reference `type/id` that must already be stored, named by the entry that makes it.
struct required_reference {
  std::size_t entry = 0;
  std::string type;
  std::string id;
  std::string location;  ///< FHIRPath of the reference, for the OperationOutcome
};

/// All entries of one request, checked and ready to store.
struct write_batch {
  /// A JSON array of {ord, type, id, patient_id, source_version, source, content} in entry
  /// order (built by the request checks, which already hold the parsed JSON).
  std::string entries_json;
  /// The same rows without `content`, for the receive log.
  std::string log_json;
  std::size_t count = 0;
  std::vector<required_reference> references;  ///< outside the batch: must resolve in the database
  std::string batch_id;
};

enum class write_result : std::uint8_t { created, updated, unchanged };
std::string_view to_string(write_result r);

struct stored_entry {
  int version = 0;
  write_result result = write_result::unchanged;
};

struct write_outcome {
  /// Empty when nothing was stored: then `missing` names the unresolved references.
  std::vector<stored_entry> entries;
  std::vector<required_reference> missing;
  /// The stored resource of the first entry as served (with the stub's meta), when asked for.
  std::string first_served;
};

struct search_query {
  std::string type;
  std::string id;                 ///< _id
  std::string patient;            ///< patient / subject: the patient's id
  std::string identifier_system;  ///< identifier=system|value (system may be empty)
  std::string identifier_value;
  std::size_t count = 100;
};

struct search_result {
  std::vector<std::string> resources;  ///< JSON as served, ordered by id
  std::size_t total = 0;
};

class stub_store {
 public:
  explicit stub_store(store::database& db) : db_(db) {}

  /// Stores the batch in one transaction, or nothing when a required reference is missing.
  boost::asio::awaitable<write_outcome> write(const write_batch& batch, bool return_first);
  /// The current version as served; nullopt when absent.
  boost::asio::awaitable<std::optional<std::string>> read(const std::string& type, const std::string& id);
  boost::asio::awaitable<search_result> search(const search_query& q);
  /// Every version as served, newest first (empty when the resource is unknown).
  boost::asio::awaitable<std::vector<std::string>> history(const std::string& type, const std::string& id);
  /// The receive log (one patient's, or all when `patient` is empty) as a JSON array.
  boost::asio::awaitable<std::string> receive_log(const std::string& patient);

 private:
  store::database& db_;
};

}  // namespace gw::stub
