#include "gateway/forward/forwarder.hpp"

#include <unistd.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <cstdio>
#include <mutex>
#include <random>
#include <stdexcept>
#include <typeinfo>
#include <vector>

#include "gateway/forward/circuit_breaker.hpp"
#include "gateway/forward/national_client.hpp"
#include "gateway/forward/transaction.hpp"
#include "gateway/store/errors.hpp"

namespace gw::forward {

namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;

forwarder_settings forwarder_settings::from(const config::national& n, const config::forwarding& f) {
  forwarder_settings s;
  if (!f.instance_name.empty()) {
    s.instance = f.instance_name;
  } else if (const char* name = std::getenv("GW_INSTANCE_NAME"); name && *name) {
    s.instance = name;
  } else {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    s.instance = std::string(host) + "-" + std::to_string(::getpid());
  }
  s.base_url = n.base_url;
  if (n.tls) s.tls = *n.tls;
  s.request_timeout = n.request_timeout;
  s.batch_max_resources = f.batch_max_resources;
  s.batch_max_delay = f.batch_max_delay;
  s.retry = {f.max_attempts, f.backoff_initial, f.backoff_max};
  s.lease = f.lease;
  s.concurrency = f.concurrency;
  s.delivered_retention = f.delivered_retention;
  return s;
}

namespace {

/// 64 random bits in hex, drawn once per forwarder.
std::string random_run_id() {
  std::random_device rd;
  std::uint64_t v = (static_cast<std::uint64_t>(rd()) << 32) ^ rd();
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

struct forwarder::impl : std::enable_shared_from_this<impl> {
  asio::io_context& ioc;
  store::outbox_store& store;
  forwarder_settings settings;
  endpoint ep;
  std::shared_ptr<asio::ssl::context> tls;
  std::chrono::milliseconds deadline;
  circuit_breaker breaker;
  forwarder_counters counters;
  std::atomic<bool> stopping{false};
  std::atomic<long long> claims{0};
  const std::string run_id = random_run_id();

  struct worker_slot {
    asio::strand<asio::io_context::executor_type> strand;
    asio::steady_timer timer;
    explicit worker_slot(asio::io_context& c) : strand(asio::make_strand(c)), timer(strand) {}
  };
  std::vector<std::unique_ptr<worker_slot>> slots;  // workers, then the lease reclaimer
  std::mutex mu;
  std::size_t running = 0;
  std::function<void()> on_stopped;

  impl(asio::io_context& c, store::outbox_store& st, forwarder_settings s)
      : ioc(c),
        store(st),
        settings(std::move(s)),
        deadline(std::min(settings.request_timeout, settings.lease / 2)),
        breaker(settings.breaker_threshold, settings.breaker_cooldown, settings.retry.backoff_max) {
    auto parsed = parse_https_url(settings.base_url);
    if (!parsed) throw std::runtime_error("national.base_url '" + settings.base_url + "' is not an https:// URL");
    ep = *parsed;
    tls = make_client_tls_context(settings.tls);
    if (settings.concurrency == 0) settings.concurrency = 1;
    if (settings.batch_max_resources == 0) settings.batch_max_resources = 1;
  }

  std::string source() const { return "urn:emr-gateway:" + settings.instance; }
  /// Unique across processes and restarts, even with the same instance name: a row given back
  /// keeps no owner, but a dead letter does, and "held by this claim" is an equal token.
  std::string next_token() { return settings.instance + "/" + run_id + "/" + std::to_string(++claims); }

  asio::awaitable<void> pause(asio::steady_timer& t, std::chrono::milliseconds d) {
    if (stopping) co_return;
    t.expires_after(d);
    boost::system::error_code ec;
    co_await t.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }

  void count_failure(store::failure_kind k) {
    switch (k) {
      case store::failure_kind::transient: ++counters.failures_transient; break;
      case store::failure_kind::timeout: ++counters.failures_timeout; break;
      case store::failure_kind::rejected: ++counters.failures_rejected; break;
      case store::failure_kind::lease: ++counters.failures_lease; break;
    }
  }

  /// Sends one claimed batch and records its outcome.
  asio::awaitable<void> deliver(national_client& client, const std::string& token, std::vector<store::outbox_row> rows,
                                bool probe) {
    std::vector<store::outbox_row> sendable;
    for (auto& r : rows) {
      if (r.resource_json.empty()) {
        std::string why = "stored content of this version is missing";
        co_await store.mark_dead(token, r.seq, std::move(why));
        ++counters.dead_letters;
        spdlog::error("event=forward_dead_letter seq={} type={} reason=\"content missing\"", r.seq, r.type);
      } else {
        sendable.push_back(std::move(r));
      }
    }
    if (sendable.empty()) co_return;
    std::vector<std::int64_t> seqs;
    for (const auto& r : sendable) seqs.push_back(r.seq);

    // Named, not temporaries inside co_await: GCC 12 destroys such temporaries twice.
    std::string body = transaction_bundle(sendable);
    auto res = co_await client.post(std::move(body));
    ++counters.batches;
    if (res.status >= 200 && res.status < 300) {
      breaker.on_success();
      auto n = co_await store.mark_delivered(token, seqs, settings.instance);
      counters.delivered += static_cast<long long>(n);
      if (n < seqs.size()) {
        counters.failures_lease += static_cast<long long>(seqs.size() - n);
        spdlog::warn("event=forward_lease_lost rows={} of={}", seqs.size() - n, seqs.size());
      }
      co_return;
    }
    if (res.status == 422) {
      auto refused = refused_entries(res.body, sendable.size());
      if (!refused.empty()) {
        breaker.on_success();  // the national database is up; these entries are wrong
        std::vector<bool> dead(sendable.size(), false);
        for (const auto& r : refused) {
          dead[r.entry] = true;
          std::string why = "national database refused it (422): " + r.diagnostics;
          co_await store.mark_dead(token, sendable[r.entry].seq, std::move(why));
          ++counters.dead_letters;
          ++counters.failures_rejected;
          spdlog::warn("event=forward_dead_letter seq={} type={} status=422", sendable[r.entry].seq,
                       sendable[r.entry].type);
        }
        std::vector<std::int64_t> others;
        for (std::size_t i = 0; i < sendable.size(); ++i)
          if (!dead[i]) others.push_back(sendable[i].seq);
        if (!others.empty()) co_await store.release(token, others);
        co_return;
      }
    }
    store::failure_kind kind = store::failure_kind::rejected;
    if (res.status == 0)
      kind = res.timed_out ? store::failure_kind::timeout : store::failure_kind::transient;
    else if (res.status >= 500 || res.status == 408 || res.status == 429)
      kind = store::failure_kind::transient;
    count_failure(kind);
    bool count_attempt = true;
    if (kind != store::failure_kind::rejected) {
      auto was_open = breaker.current() != circuit_breaker::state::closed;
      count_attempt = breaker.on_failure(clock_type::now(), probe,
                                         std::chrono::duration_cast<std::chrono::milliseconds>(res.retry_after));
      if (!was_open && breaker.current() == circuit_breaker::state::open)
        spdlog::warn("event=forward_breaker_open threshold={} reason=\"{}\"", settings.breaker_threshold,
                     res.status == 0 ? res.error : "HTTP " + std::to_string(res.status));
    }
    std::string error =
        res.status == 0 ? res.error : "HTTP " + std::to_string(res.status) + " from the national database";
    spdlog::debug("event=forward_batch_failed kind={} rows={} status={} attempt_counted={}", to_string(kind),
                  seqs.size(), res.status, count_attempt);
    co_await store.mark_failed(token, seqs, kind, error, settings.retry, count_attempt);
  }

  asio::awaitable<void> worker(std::size_t index) {
    auto& slot = *slots[index];
    national_client client(slot.strand, tls, ep, deadline);
    auto was = circuit_breaker::state::closed;
    while (!stopping) {
      auto now = clock_type::now();
      auto permit = breaker.acquire(now);
      if (permit == circuit_breaker::permit::wait) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(breaker.reopen_at() - now);
        auto wait = std::clamp(left, std::chrono::milliseconds(10), std::chrono::milliseconds(250));
        co_await pause(slot.timer, wait);
        continue;
      }
      bool probe = permit == circuit_breaker::permit::probe;
      auto want = probe ? std::max<std::size_t>(1, settings.batch_max_resources / 10) : settings.batch_max_resources;
      auto token = next_token();
      bool full = false;
      bool store_failed = false;
      try {
        store::claim_request req{token, source(), want, probe ? 1 : settings.max_rounds, settings.lease};
        auto rows = co_await store.claim(std::move(req));
        if (rows.empty()) {
          if (probe) breaker.abandon_probe(clock_type::now());
        } else {
          full = rows.size() >= want;
          co_await deliver(client, token, std::move(rows), probe);
        }
      } catch (const std::exception& e) {
        // The gateway's own database: rows stay leased and come back when the lease ends.
        if (probe) breaker.abandon_probe(clock_type::now());
        // Not e.what(): a database error's detail can quote key values.
        spdlog::warn("event=forward_store_failed error=\"{}\"", store::describe_error(e));
        store_failed = true;
      }
      if (store_failed) {
        co_await pause(slot.timer, std::chrono::seconds(1));
        continue;
      }
      auto is = breaker.current();
      if (was != circuit_breaker::state::closed && is == circuit_breaker::state::closed)
        spdlog::info("event=forward_breaker_closed");
      was = is;
      if (!full) co_await pause(slot.timer, settings.batch_max_delay);
    }
    client.close();
  }

  asio::awaitable<void> reclaimer(std::size_t index) {
    auto& slot = *slots[index];
    auto every = std::clamp(settings.lease / 2, std::chrono::milliseconds(200), std::chrono::milliseconds(5'000));
    auto next_purge = clock_type::now();
    while (!stopping) {
      if (settings.delivered_retention.count() > 0 && clock_type::now() >= next_purge) {
        // Delivered rows past retention, a bounded slice at a time so no transaction grows large.
        try {
          std::size_t n = 0;
          do {
            n = co_await store.purge_delivered(settings.delivered_retention, 10'000);
            counters.purged += static_cast<long long>(n);
          } while (n == 10'000 && !stopping);
        } catch (const std::exception& e) {
          spdlog::debug("event=forward_purge_failed error=\"{}\"", store::describe_error(e));
        }
        next_purge = clock_type::now() + std::chrono::minutes(1);
      }
      try {
        auto n = co_await store.reclaim_expired(settings.retry);
        if (n > 0) {
          counters.failures_lease += static_cast<long long>(n);
          spdlog::warn("event=forward_lease_expired rows={}", n);
        }
      } catch (const std::exception& e) {
        spdlog::debug("event=forward_reclaim_failed error=\"{}\"", store::describe_error(e));
      }
      co_await pause(slot.timer, every);
    }
  }

  void finished() {
    std::function<void()> done;
    {
      std::lock_guard lk(mu);
      if (--running == 0) done = std::move(on_stopped);
    }
    if (done) asio::post(ioc, std::move(done));
  }

  void spawn(std::size_t index, bool is_worker) {
    auto self = shared_from_this();
    auto body = is_worker ? worker(index) : reclaimer(index);
    asio::co_spawn(slots[index]->strand, std::move(body), [self, index](std::exception_ptr failure) {
      if (failure) {
        try {
          std::rethrow_exception(failure);
        } catch (const std::exception& e) {
          spdlog::error("event=forward_worker_failed worker={} error=\"{}\"", index, store::describe_error(e));
        }
      }
      self->finished();
    });
  }
};

forwarder::forwarder(asio::io_context& ioc, store::outbox_store& store, forwarder_settings settings)
    : impl_(std::make_shared<impl>(ioc, store, std::move(settings))) {}

forwarder::~forwarder() = default;

void forwarder::start() {
  auto& m = *impl_;
  std::size_t n = m.settings.concurrency + 1;
  for (std::size_t i = 0; i < n; ++i) m.slots.push_back(std::make_unique<impl::worker_slot>(m.ioc));
  m.running = n;
  spdlog::info("event=forwarder_started instance={} url={} workers={} batch={}", m.settings.instance,
               m.settings.base_url, m.settings.concurrency, m.settings.batch_max_resources);
  for (std::size_t i = 0; i < m.settings.concurrency; ++i) m.spawn(i, true);
  m.spawn(m.settings.concurrency, false);
}

void forwarder::stop(std::function<void()> done) {
  auto& m = *impl_;
  {
    std::lock_guard lk(m.mu);
    if (m.running == 0) {
      asio::post(m.ioc, std::move(done));
      return;
    }
    m.on_stopped = std::move(done);
  }
  m.stopping = true;
  for (auto& s : m.slots) asio::post(s->strand, [slot = s.get()] { slot->timer.cancel(); });
}

const forwarder_counters& forwarder::counters() const {
  return impl_->counters;
}

bool forwarder::breaker_open() const {
  return impl_->breaker.current() != circuit_breaker::state::closed;
}

std::string forwarder::metrics_text() const {
  const auto& c = impl_->counters;
  std::string out;
  auto line = [&out](const std::string& s) { out += s + "\n"; };
  line("# HELP gw_forward_delivered_total Resources this process delivered to the national database.");
  line("# TYPE gw_forward_delivered_total counter");
  line("gw_forward_delivered_total " + std::to_string(c.delivered.load()));
  line("# HELP gw_forward_batches_total Transaction Bundles this process sent.");
  line("# TYPE gw_forward_batches_total counter");
  line("gw_forward_batches_total " + std::to_string(c.batches.load()));
  line("# HELP gw_forward_failures_total Failed deliveries by kind (per batch; lease: per row).");
  line("# TYPE gw_forward_failures_total counter");
  line("gw_forward_failures_total{kind=\"transient\"} " + std::to_string(c.failures_transient.load()));
  line("gw_forward_failures_total{kind=\"timeout\"} " + std::to_string(c.failures_timeout.load()));
  line("gw_forward_failures_total{kind=\"rejected\"} " + std::to_string(c.failures_rejected.load()));
  line("gw_forward_failures_total{kind=\"lease\"} " + std::to_string(c.failures_lease.load()));
  line("# HELP gw_forward_dead_letters_total Rows this process made dead letters.");
  line("# TYPE gw_forward_dead_letters_total counter");
  line("gw_forward_dead_letters_total " + std::to_string(c.dead_letters.load()));
  line("# HELP gw_outbox_purged_total Delivered rows this process deleted after forwarding.delivered_retention.");
  line("# TYPE gw_outbox_purged_total counter");
  line("gw_outbox_purged_total " + std::to_string(c.purged.load()));
  line("# HELP gw_forward_breaker_open 1 while the circuit breaker towards the national database is open.");
  line("# TYPE gw_forward_breaker_open gauge");
  line(std::string("gw_forward_breaker_open ") + (breaker_open() ? "1" : "0"));
  return out;
}

std::string outbox_metrics_text(const store::outbox_stats& s) {
  std::string out;
  out += "# HELP gw_outbox_backlog Outbox rows not yet delivered (pending or in flight), all processes.\n";
  out += "# TYPE gw_outbox_backlog gauge\n";
  out += "gw_outbox_backlog " + std::to_string(s.backlog) + "\n";
  out += "# HELP gw_outbox_in_flight Outbox rows leased to a forwarder now.\n";
  out += "# TYPE gw_outbox_in_flight gauge\n";
  out += "gw_outbox_in_flight " + std::to_string(s.in_flight) + "\n";
  out += "# HELP gw_outbox_dead_letters Outbox rows that are dead letters (emr-gateway dead-letters list).\n";
  out += "# TYPE gw_outbox_dead_letters gauge\n";
  out += "gw_outbox_dead_letters " + std::to_string(s.dead) + "\n";
  out += "# HELP gw_outbox_oldest_pending_seconds Age of the oldest undelivered outbox row.\n";
  out += "# TYPE gw_outbox_oldest_pending_seconds gauge\n";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", s.oldest_pending_seconds);
  out += std::string("gw_outbox_oldest_pending_seconds ") + buf + "\n";
  return out;
}

}  // namespace gw::forward
