#pragma once
/// The forwarder: delivers every outbox row to the national health database once, in order per
/// patient, through errors, lost answers and outages. Runs inside `emr-gateway serve`; several
/// gateway processes may run it against one database.
///
/// Design
/// * Source of truth is the `outbox` table (one row per new resource version, written in the
///   ingest transaction). State: pending → in_flight (leased to one claim) → delivered, or dead
///   (refused for good, or out of attempts) → pending again / dropped by an operator
///   (`emr-gateway dead-letters retry|drop`, audited).
/// * Claim (gateway/store/outbox_store): one transaction takes due rows oldest first with
///   `FOR UPDATE SKIP LOCKED` and sets them in flight with a lease (owner token + until). A row
///   is due only when no earlier open row exists in its patient group, for the same resource, or
///   for a resource it references (Organization and other shared resources, the Patient a merge or
///   CCCD link names): this one rule gives per-person FIFO, puts shared resources and linked
///   persons first, and keeps a group's next row away from every process while an earlier one is
///   in flight anywhere. Rows taken by the same claim do not block: a claim takes group heads
///   with up to `max_rounds` consecutive rows of each group in one statement, so one Bundle
///   carries a person's consecutive changes in order, and checks the rule once for all it took.
/// * Ingest transactions that write rows of one person serialise on that Patient's row lock
///   (every message carries its Patient), so seq order within a group is commit order.
/// * Leases: a row in flight past its lease (process killed or hung) is reclaimed by any process
///   with one attempt counted. The request deadline is below half the lease, so a slow delivery
///   ends before someone else can take the row; marking the outcome names the lease token, so a
///   process that lost its lease cannot overwrite the new holder's result.
/// * Delivery: one transaction Bundle per claim (PUT Type/id per entry, meta.versionId = the
///   gateway's version, meta.source = urn:emr-gateway:<instance>), built from the stored jsonb
///   text. 200 → delivered. 422 naming entries → those rows become dead letters with the national
///   database's diagnostics, the rest go back for an immediate retry. 5xx, 408, 429, timeouts and
///   dropped connections → transient: attempts + 1, next try after full-jitter exponential
///   backoff (capped), dead after max_attempts. Other 4xx and 422 naming no entry → "rejected",
///   retried the same way so they end as dead letters unless they recover. A lost answer is
///   re-sent as identical PUTs, which create no new version.
/// * Circuit breaker (circuit_breaker.hpp): after `breaker_threshold` consecutive failed batches
///   the workers stop sending; after the cool-down (at least the server's Retry-After) one small
///   probe batch goes; success closes it. Failures count attempts only while it is closed.
/// * Parallelism: `concurrency` workers, each with its own keep-alive connection, claim and send
///   independently; the ordering rule keeps them on different people.
/// * Batching: a claim takes up to batch_max_resources rows; when it was not full the worker
///   waits batch_max_delay before claiming again, so a row waits at most about that long.
/// * Metrics: backlog and oldest pending age come from the database (true across processes);
///   delivered, failures by kind and the breaker are per process (Prometheus sums instances).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "gateway/config/config.hpp"
#include "gateway/store/outbox_store.hpp"

namespace gw::forward {

struct forwarder_settings {
  std::string instance;  ///< this process's name: meta.source and outbox.delivered_by
  std::string base_url;  ///< https://host:port/fhir
  config::tls_settings tls;
  std::chrono::milliseconds request_timeout{15'000};
  std::size_t batch_max_resources = 100;
  std::chrono::milliseconds batch_max_delay{200};
  store::retry_policy retry;
  std::chrono::milliseconds lease{30'000};
  std::size_t concurrency = 4;
  std::chrono::milliseconds delivered_retention{0};  ///< 0: delivered rows stay
  int max_rounds = 8;
  int breaker_threshold = 5;
  std::chrono::milliseconds breaker_cooldown{2'000};

  /// From the configuration; instance from forwarding.instance_name, else GW_INSTANCE_NAME,
  /// else host name + pid.
  static forwarder_settings from(const config::national& n, const config::forwarding& f);
};

/// Per-process counters (Prometheus counters; monotonic).
struct forwarder_counters {
  std::atomic<long long> delivered{0};
  std::atomic<long long> batches{0};
  std::atomic<long long> failures_transient{0}, failures_timeout{0}, failures_rejected{0}, failures_lease{0};
  std::atomic<long long> dead_letters{0};
  std::atomic<long long> purged{0};  ///< delivered rows deleted after delivered_retention
};

class forwarder {
 public:
  /// Throws std::runtime_error when the URL or the TLS material is unusable.
  forwarder(boost::asio::io_context& ioc, store::outbox_store& store, forwarder_settings settings);
  ~forwarder();
  forwarder(const forwarder&) = delete;
  forwarder& operator=(const forwarder&) = delete;

  void start();
  /// Stops claiming; each worker finishes the batch it is sending (bounded by the request
  /// timeout) and records its outcome; then `done` runs (on the io_context).
  void stop(std::function<void()> done);

  const forwarder_counters& counters() const;
  bool breaker_open() const;
  /// Prometheus text of this process's forwarder metrics.
  std::string metrics_text() const;

 private:
  struct impl;
  std::shared_ptr<impl> impl_;
};

/// Prometheus text for the database-wide outbox figures.
std::string outbox_metrics_text(const store::outbox_stats& s);

}  // namespace gw::forward
