#pragma once
/// The outbox seen by the forwarder and by operators: claiming rows for delivery to the national
/// database, recording how each delivery ended, and dead letters (list, retry, drop; audited).
///
/// Ordering rule (see gateway/forward/forwarder.hpp for the whole design): a row is claimable
/// only when no earlier (smaller seq) row that is still open (pending or in flight) exists
///   * in its patient group (`patient_key`),
///   * for the same resource (a resource re-pointed to another patient changes group), or
///   * for any resource its content references as "Type/<uuid>" (shared resources such as an
///     Organization, and the Patient a merge or CCCD link names, are delivered first),
/// except rows taken by the same claim: a claim takes group heads together with up to
/// `max_rounds` consecutive rows of each group in one statement, then the rest of every message
/// it touched, then gives back whole messages until every row it keeps obeys the rule; so one
/// batch carries a patient's consecutive changes in order.
/// Rows are locked `FOR UPDATE SKIP LOCKED`, so several gateway processes claim disjoint rows.
/// Every method is safe to call from several threads and processes.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/store/database.hpp"

namespace gw::store {

/// A claimed row with the exact content to send.
struct outbox_row {
  std::int64_t seq = 0;
  std::string patient_key;
  std::string type;
  std::string id;
  int version = 0;
  int attempts = 0;
  /// The stored content of that version as JSON, with meta.versionId = version and meta.source
  /// set as the claim asked.
  std::string resource_json;
};

struct claim_request {
  std::string token;   ///< unique per claim: becomes lease_owner; later updates must name it
  std::string source;  ///< meta.source written into every resource
  std::size_t max_rows = 100;
  int max_rounds = 8;  ///< consecutive rows of one group per batch (1 = heads only)
  std::chrono::milliseconds lease{30'000};
};

/// A relative reference "Type/<uuid>" (lower-case canonical id) in a resource's content.
struct resource_ref {
  std::string type;
  std::string id;
  bool operator==(const resource_ref&) const = default;
};

/// The distinct relative references ("reference": "Type/<uuid>", at any depth) in JSON text, in
/// the order they first appear: what a row waits for (see the ordering rule above). Reads the
/// text as PostgreSQL writes jsonb (it never escapes '/' or letters), like the SQL function
/// gw_outbox_refs; a reference written with escapes is not read.
std::vector<resource_ref> references_in(std::string_view json);

/// Retry schedule: the n-th failure waits a uniformly random time in [0, min(max, initial·2^(n-1))]
/// ("full jitter"); a row failing its max_attempts-th time becomes a dead letter.
struct retry_policy {
  int max_attempts = 12;
  std::chrono::milliseconds backoff_initial{500};
  std::chrono::milliseconds backoff_max{60'000};
};

/// How one delivery failed (also the `kind` label of the failure metric).
enum class failure_kind { transient, timeout, rejected, lease };
std::string_view to_string(failure_kind k);

struct outbox_stats {
  std::int64_t backlog = 0;  ///< pending + in flight, all processes
  std::int64_t in_flight = 0;
  std::int64_t dead = 0;
  double oldest_pending_seconds = 0;  ///< age of the oldest undelivered row (0 when none)
};

struct dead_letter {
  std::int64_t seq = 0;
  std::string type, id, patient_key, facility, dead_at, last_error;
  int version = 0;
  int attempts = 0;
};

class outbox_store {
 public:
  explicit outbox_store(database& db) : db_(db) {}

  /// Rows whose lease ran out (their process died or hung) go back to pending, counting an
  /// attempt. Returns how many.
  boost::asio::awaitable<std::size_t> reclaim_expired(retry_policy policy);

  /// Claims up to max_rows due rows in seq order following the ordering rule, sets them in
  /// flight with lease_owner = token until now + lease, and returns them in seq order.
  boost::asio::awaitable<std::vector<outbox_row>> claim(claim_request req);

  /// Marks the rows delivered by `instance`, only where the lease is still `token`'s. Returns
  /// how many were (fewer means the lease was lost: another process may have them).
  boost::asio::awaitable<std::size_t> mark_delivered(std::string token, std::vector<std::int64_t> seqs,
                                                     std::string instance);

  /// A failed delivery: with `count_attempt`, attempts + 1 and dead at max_attempts; the next
  /// try is scheduled by the policy either way. Only rows still leased by `token`.
  boost::asio::awaitable<std::size_t> mark_failed(std::string token, std::vector<std::int64_t> seqs, failure_kind kind,
                                                  std::string error, retry_policy policy, bool count_attempt);

  /// A row the national database refused for good: dead letter at once with `error`.
  boost::asio::awaitable<std::size_t> mark_dead(std::string token, std::int64_t seq, std::string error);

  /// Back to pending, due now, no attempt counted (the rest of a batch one row spoiled).
  boost::asio::awaitable<std::size_t> release(std::string token, std::vector<std::int64_t> seqs);

  boost::asio::awaitable<outbox_stats> stats();

  /// Deletes up to `limit` delivered rows delivered more than `older_than` ago (oldest first).
  /// Returns how many. Dead and dropped rows stay: an operator decides about those.
  boost::asio::awaitable<std::size_t> purge_delivered(std::chrono::milliseconds older_than, std::size_t limit);

  // Operator commands (blocking; command-line use). `actor` is the OS user, recorded in
  // audit_event with each row's outcome.
  std::vector<dead_letter> list_dead(const std::string& facility, std::size_t limit);
  /// Dead letters back to pending with attempts reset; `seqs` empty = every dead letter.
  /// Returns the seqs retried (a seq that is not a dead letter is audited as not_found).
  std::vector<std::int64_t> retry_dead(const std::vector<std::int64_t>& seqs, const std::string& actor);
  std::vector<std::int64_t> drop_dead(const std::vector<std::int64_t>& seqs, const std::string& actor);

 private:
  database& db_;
};

}  // namespace gw::store
