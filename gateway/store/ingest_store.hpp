#pragma once
/// Durable ingest: one message = one atomic write of the raw bytes, its outcome and answer, the
/// FHIR resources it produced (new versions only when content changed), patient links, outbox
/// rows for the national database and per-facility counters.
///
/// Group commit: concurrent `commit` calls are written together in one transaction by a writer
/// on the database pool; each caller resumes only after that COMMIT returned. A record that
/// makes the batch fail is isolated by retrying the batch one record per transaction.

#include <boost/asio/awaitable.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/store/database.hpp"

namespace gw::store {

enum class outcome { accepted, rejected, error };
std::string_view to_string(outcome o);

/// One FHIR resource to store (JSON without meta.versionId / meta.lastUpdated).
struct resource_write {
  std::string type;        ///< "Patient", "Encounter", ...
  std::string id;          ///< stable UUID (lower-case, without "urn:uuid:")
  std::string patient_id;  ///< the Patient it belongs to (itself for a Patient); empty if none
  std::string json;        ///< the resource as JSON
};

/// A facility record number and the person it belongs to, when the message says (CCCD).
struct patient_link_write {
  std::string facility;
  std::string record_number;
  std::string local_patient_id;  ///< facility-scoped Patient id
  std::string person_id;         ///< CCCD-keyed Patient id, or empty when unknown
};

/// An answer as sent on the wire.
struct answer {
  std::string body;
  int status = 200;  ///< HTTP status (MLLP answers store the HTTP equivalent)
};

struct inbound_record {
  std::string facility;
  std::string transport;  ///< "mllp" | "https"
  std::string format;     ///< "hl7v2" | "qd130" | ...
  std::string message_key;
  std::array<std::uint8_t, 32> sha256{};  ///< of `raw`, exactly as received
  /// What "the same content" means for the key: another message under a taken key with this hash
  /// is a duplicate, with another one a conflict. Empty: `sha256`. HL7 gives the hash of the
  /// message with its segment ends written CR, so a retransmission that went through a CR LF
  /// conversion is the same message.
  std::optional<std::array<std::uint8_t, 32>> key_sha256;
  std::string raw;
  std::chrono::system_clock::time_point received_at;
  store::outcome outcome = outcome::accepted;
  std::string issues_json = "[]";         ///< JSON array of issues
  store::answer answer;                   ///< what to send when stored
  std::vector<resource_write> resources;  ///< written only when accepted
  std::vector<patient_link_write> links;
  /// When the key is already taken by *different* content (HL7 control id re-used): the record
  /// is stored as rejected under a derived key with these issues, and this answer is sent.
  std::optional<store::answer> conflict_answer;
  std::string conflict_issues_json;
  /// When the record cannot be written as it is (a fault of the gateway, not of the database's
  /// availability): it is stored with outcome `error`, without resources, these issues and this
  /// answer, so the bytes are kept and can be replayed once the fault is fixed.
  std::optional<store::answer> error_answer;
  std::string error_issues_json;
};

enum class commit_status {
  stored,     ///< written now; send `answer`
  duplicate,  ///< same key and content seen before: nothing written; send the stored answer
  conflict,   ///< same key, different content: stored as rejected; send the conflict answer
};

struct commit_result {
  commit_status status = commit_status::stored;
  store::answer answer;
  std::int64_t message_id = 0;
  int resources_changed = 0;  ///< resources that got a new version (and an outbox row)
};

struct ingest_store_settings {
  std::size_t max_batch = 128;  ///< records per transaction
  std::size_t max_writers = 2;  ///< transactions in flight at once
};

class ingest_store : public std::enable_shared_from_this<ingest_store> {
 public:
  ingest_store(database& db, ingest_store_settings s = {});

  /// Stores the record durably (see commit_status). Throws `unavailable` when the database
  /// cannot be reached or the commit failed: nothing was stored, the sender should retry.
  boost::asio::awaitable<commit_result> commit(inbound_record rec);

  /// Transactions committed and records written by them since start (group-commit ratio).
  struct stats_t {
    std::uint64_t transactions = 0;
    std::uint64_t records = 0;
  };
  stats_t stats() const { return {transactions_.load(), records_.load()}; }

  /// Creates next months' partitions and applies retention. Returns partitions created.
  boost::asio::awaitable<int> maintain_partitions(int months_ahead, int retention_months);

 private:
  struct pending;
  void enqueue(std::shared_ptr<pending> p);
  void drain(session& s);

  database& db_;
  ingest_store_settings settings_;
  std::mutex mu_;
  std::deque<std::shared_ptr<pending>> queue_;
  std::size_t writers_ = 0;
  std::atomic<std::uint64_t> transactions_{0};
  std::atomic<std::uint64_t> records_{0};
};

/// Hex of a SHA-256 digest.
std::string to_hex(const std::array<std::uint8_t, 32>& d);
/// SHA-256 of bytes.
std::array<std::uint8_t, 32> sha256_of(std::string_view bytes);

}  // namespace gw::store
