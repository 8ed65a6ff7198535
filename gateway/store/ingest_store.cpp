#include "gateway/store/ingest_store.hpp"

#include <openssl/evp.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <map>
#include <unordered_map>

#include "gateway/store/detail/rows.hpp"
#include "gateway/store/detail/session.hpp"

namespace gw::store {

namespace asio = boost::asio;

std::string_view to_string(outcome o) {
  switch (o) {
    case outcome::accepted: return "accepted";
    case outcome::rejected: return "rejected";
    case outcome::error: return "error";
  }
  return "error";
}

std::string to_hex(const std::array<std::uint8_t, 32>& d) {
  static constexpr char k[] = "0123456789abcdef";
  std::string s(64, '0');
  for (std::size_t i = 0; i < d.size(); ++i) {
    s[2 * i] = k[d[i] >> 4];
    s[2 * i + 1] = k[d[i] & 15];
  }
  return s;
}

std::array<std::uint8_t, 32> sha256_of(std::string_view bytes) {
  std::array<std::uint8_t, 32> out{};
  unsigned int len = 0;
  EVP_Digest(bytes.data(), bytes.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

namespace {

using detail::k_upsert_links;
using detail::k_upsert_resources;
using detail::links_json;
using detail::resources_json;

std::array<std::uint8_t, 32> digest_from(const pqxx::field& f) {
  pqxx::binarystring b(f);
  std::array<std::uint8_t, 32> d{};
  std::copy_n(b.data(), std::min<std::size_t>(b.size(), d.size()), d.begin());
  return d;
}

pqxx::binarystring bytes_param(std::string_view s) {
  return pqxx::binarystring(s.data(), s.size());
}

std::string timestamp_param(std::chrono::system_clock::time_point t) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  // to_timestamp takes seconds; pass microseconds exactly as a decimal string.
  return std::to_string(us / 1'000'000) + "." + [&] {
    auto frac = std::to_string(us % 1'000'000);
    return std::string(6 - frac.size(), '0') + frac;
  }();
}

constexpr const char* k_insert_message = R"sql(
INSERT INTO inbound_message (received_at, facility, transport, format, message_key, sha256, raw,
                             outcome, issues, answer, answer_status, resource_count)
VALUES (to_timestamp($1::double precision), $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12)
RETURNING id
)sql";

struct write_outcome {
  commit_result result;
  std::string facility;
  bool counted_rejected = false;
  std::size_t bytes = 0;
};

/// Writes one record inside the caller's transaction.
write_outcome write_record(pqxx::work& tx, const inbound_record& rec) {
  write_outcome w;
  w.facility = rec.facility;
  w.bytes = rec.raw.size();
  auto ts = timestamp_param(rec.received_at);
  auto sha = bytes_param(std::string_view(reinterpret_cast<const char*>(rec.sha256.data()), rec.sha256.size()));

  // Claim the key first: a concurrent or earlier message with the same key wins.
  auto claimed = detail::exec_prepared(
      tx, "gw_claim_key",
      "INSERT INTO message_key (facility, message_key, sha256, message_id, received_at, answer, answer_status) "
      "VALUES ($1, $2, $3, nextval('inbound_message_id_seq'), to_timestamp($4::double precision), $5, $6) "
      "ON CONFLICT (facility, message_key) DO NOTHING RETURNING message_id",
      rec.facility, rec.message_key, sha, ts, bytes_param(rec.answer.body), rec.answer.status);
  if (claimed.empty()) {
    auto prior = tx.exec_params1(
        "SELECT sha256, answer, answer_status, message_id FROM message_key WHERE facility = $1 AND message_key = $2",
        rec.facility, rec.message_key);
    if (digest_from(prior[0]) == rec.sha256 || !rec.conflict_answer) {
      w.result.status = commit_status::duplicate;
      w.result.answer = {pqxx::binarystring(prior[1]).str(), prior[2].as<int>()};
      w.result.message_id = prior[3].as<std::int64_t>();
      return w;
    }
    // Same key, different content: keep the bytes (rejected, with why) and refuse.
    auto message_id = tx.exec_params1("SELECT nextval('inbound_message_id_seq')")[0].as<std::int64_t>();
    w.result.status = commit_status::conflict;
    w.result.answer = *rec.conflict_answer;
    w.result.message_id = message_id;
    w.counted_rejected = true;
    tx.exec_params(
        "INSERT INTO inbound_message (id, received_at, facility, transport, format, message_key, sha256, raw, "
        "outcome, issues, answer, answer_status) VALUES ($1, to_timestamp($2::double precision), $3, $4, $5, "
        "$6, $7, $8, 'rejected', $9::jsonb, $10, $11)",
        message_id, ts, rec.facility, rec.transport, rec.format,
        rec.message_key + "#conflict:" + to_hex(rec.sha256).substr(0, 16), sha, bytes_param(rec.raw),
        rec.conflict_issues_json, bytes_param(rec.conflict_answer->body), rec.conflict_answer->status);
    return w;
  }

  auto message_id = claimed[0][0].as<std::int64_t>();
  int changed = 0;
  if (rec.outcome == outcome::accepted && !rec.resources.empty()) {
    auto r = detail::exec_prepared(tx, "gw_upsert_resources", k_upsert_resources, resources_json(rec.resources),
                                   rec.facility, message_id);
    changed = r.at(0)[0].as<int>();
  }
  if (rec.outcome == outcome::accepted && !rec.links.empty())
    detail::exec_prepared(tx, "gw_upsert_links", k_upsert_links, links_json(rec.links));
  detail::exec_prepared(
      tx, "gw_insert_message",
      "INSERT INTO inbound_message (id, received_at, facility, transport, format, message_key, sha256, raw, "
      "outcome, issues, answer, answer_status, resource_count) VALUES ($1, to_timestamp($2::double precision), "
      "$3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13)",
      message_id, ts, rec.facility, rec.transport, rec.format, rec.message_key, sha, bytes_param(rec.raw),
      std::string(to_string(rec.outcome)), rec.issues_json, bytes_param(rec.answer.body), rec.answer.status,
      static_cast<int>(rec.resources.size()));
  w.result.status = commit_status::stored;
  w.result.answer = rec.answer;
  w.result.message_id = message_id;
  w.result.resources_changed = changed;
  w.counted_rejected = rec.outcome != outcome::accepted;
  return w;
}

/// Per-facility counters for a batch, one statement per facility.
void count(pqxx::work& tx, const std::vector<write_outcome>& outs) {
  struct agg {
    long long accepted = 0, rejected = 0, duplicates = 0, bytes = 0;
  };
  std::map<std::string, agg> by;
  for (const auto& o : outs) {
    auto& a = by[o.facility];
    if (o.result.status == commit_status::duplicate)
      ++a.duplicates;
    else if (o.counted_rejected)
      ++a.rejected;
    else
      ++a.accepted;
    a.bytes += static_cast<long long>(o.bytes);
  }
  for (const auto& [facility, a] : by)
    detail::exec_prepared(
        tx, "gw_count",
        "INSERT INTO facility_counter AS c (facility, day, accepted, rejected, duplicates, bytes, last_message_at, "
        "last_rejected_at) "
        "VALUES ($1, (now() AT TIME ZONE 'UTC')::date, $2::bigint, $3::bigint, $4::bigint, $5::bigint, now(), CASE "
        "WHEN $3::bigint > 0 THEN now() END) "
        "ON CONFLICT (facility, day) DO UPDATE SET accepted = c.accepted + EXCLUDED.accepted, "
        "rejected = c.rejected + EXCLUDED.rejected, duplicates = c.duplicates + EXCLUDED.duplicates, "
        "bytes = c.bytes + EXCLUDED.bytes, last_message_at = now(), "
        "last_rejected_at = coalesce(EXCLUDED.last_rejected_at, c.last_rejected_at)",
        facility, a.accepted, a.rejected, a.duplicates, a.bytes);
}

}  // namespace

struct ingest_store::pending {
  inbound_record rec;
  std::function<void(std::exception_ptr, commit_result)> done;
};

ingest_store::ingest_store(database& db, ingest_store_settings s) : db_(db), settings_(s) {}

void ingest_store::enqueue(std::shared_ptr<pending> p) {
  bool start_writer = false;
  {
    std::lock_guard lk(mu_);
    queue_.push_back(std::move(p));
    if (writers_ < settings_.max_writers) {
      ++writers_;
      start_writer = true;
    }
  }
  if (!start_writer) return;
  // drain() completes every record it takes, whatever happens.
  db_.post([self = shared_from_this()](session& s) { self->drain(s); });
}

void ingest_store::drain(session& s) {
  for (;;) {
    std::vector<std::shared_ptr<pending>> batch;
    {
      std::lock_guard lk(mu_);
      while (!queue_.empty() && batch.size() < settings_.max_batch) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
      if (batch.empty()) {
        --writers_;
        return;
      }
    }
    // Fast path: the whole batch in one transaction (one COMMIT, one fsync).
    std::vector<write_outcome> outs;
    std::exception_ptr batch_error;
    bool connection_lost = false;
    try {
      pqxx::work tx(s.conn());
      for (const auto& p : batch) outs.push_back(write_record(tx, p->rec));
      count(tx, outs);
      tx.commit();
      ++transactions_;
      records_ += batch.size();
    } catch (const pqxx::broken_connection&) {
      connection_lost = true;
    } catch (const unavailable&) {
      connection_lost = true;
    } catch (const pqxx::in_doubt_error&) {
      connection_lost = true;
    } catch (...) {
      batch_error = std::current_exception();
    }
    if (connection_lost) {
      s.reset();
      auto ep = std::make_exception_ptr(unavailable("database unavailable; nothing stored"));
      for (auto& p : batch) p->done(ep, {});
      continue;
    }
    if (!batch_error) {
      for (std::size_t i = 0; i < batch.size(); ++i) batch[i]->done(nullptr, std::move(outs[i].result));
      continue;
    }
    // Slow path: one record per transaction, so one bad record cannot fail the others.
    if (s.broken()) s.reset();
    auto write_alone = [&](const inbound_record& rec) {
      pqxx::work tx(s.conn());
      std::vector<write_outcome> one{write_record(tx, rec)};
      count(tx, one);
      tx.commit();
      ++transactions_;
      ++records_;
      return std::move(one[0].result);
    };
    for (auto& p : batch) {
      try {
        p->done(nullptr, write_alone(p->rec));
      } catch (const pqxx::broken_connection&) {
        s.reset();
        p->done(std::make_exception_ptr(unavailable("database unavailable; nothing stored")), {});
      } catch (...) {
        if (s.broken()) s.reset();
        auto failure = std::current_exception();
        if (!p->rec.error_answer) {
          p->done(failure, {});
          continue;
        }
        // Keep the bytes: store the message as an error, without what could not be written.
        p->rec.outcome = outcome::error;
        p->rec.resources.clear();
        p->rec.links.clear();
        p->rec.answer = *p->rec.error_answer;
        p->rec.issues_json = p->rec.error_issues_json;
        try {
          p->done(nullptr, write_alone(p->rec));
        } catch (...) {
          if (s.broken()) s.reset();
          p->done(failure, {});
        }
      }
    }
  }
}

asio::awaitable<commit_result> ingest_store::commit(inbound_record rec) {
  auto p = std::make_shared<pending>();
  p->rec = std::move(rec);
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>, void(std::exception_ptr, commit_result)>(
      [this, &p](auto handler) {
        using handler_t = decltype(handler);
        auto h = std::make_shared<handler_t>(std::move(handler));
        p->done = [h](std::exception_ptr ep, commit_result r) {
          auto ex = asio::get_associated_executor(*h);
          asio::post(ex, [h, ep, r = std::move(r)]() mutable { std::move (*h)(ep, std::move(r)); });
        };
        enqueue(std::move(p));
      },
      asio::use_awaitable);
}

asio::awaitable<std::optional<prior_message>> ingest_store::find(std::string facility, std::string key) {
  std::optional<prior_message> found;
  co_await db_.run([&](session& s) {
    pqxx::read_transaction tx(s.conn());
    auto r = tx.exec_params(
        "SELECT sha256, answer, answer_status, message_id FROM message_key WHERE facility = $1 AND message_key = $2",
        facility, key);
    if (r.empty()) return;
    prior_message m;
    m.sha256 = digest_from(r[0][0]);
    m.answer = {pqxx::binarystring(r[0][1]).str(), r[0][2].as<int>()};
    m.message_id = r[0][3].as<std::int64_t>();
    found = std::move(m);
  });
  co_return found;
}

asio::awaitable<int> ingest_store::maintain_partitions(int months_ahead, int retention_months) {
  int made = 0;
  co_await db_.run([&](session& s) {
    pqxx::work tx(s.conn());
    made =
        tx.exec_params1("SELECT gw_maintain_inbound_partitions($1, $2)", months_ahead, retention_months)[0].as<int>();
    tx.commit();
  });
  co_return made;
}

}  // namespace gw::store
