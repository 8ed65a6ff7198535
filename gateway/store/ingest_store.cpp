#include "gateway/store/ingest_store.hpp"

#include <openssl/evp.h>

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <map>
#include <set>

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
using detail::link_rows;
using detail::resource_rows;

std::array<std::uint8_t, 32> digest_from(const pqxx::field& f) {
  pqxx::binarystring b(f);
  std::array<std::uint8_t, 32> d{};
  std::copy_n(b.data(), std::min<std::size_t>(b.size(), d.size()), d.begin());
  return d;
}

pqxx::binarystring bytes_param(std::string_view s) {
  return pqxx::binarystring(s.data(), s.size());
}

pqxx::binarystring sha_param(const inbound_record& rec) {
  return bytes_param(std::string_view(reinterpret_cast<const char*>(rec.sha256.data()), rec.sha256.size()));
}

const std::array<std::uint8_t, 32>& key_sha(const inbound_record& rec) {
  return rec.key_sha256 ? *rec.key_sha256 : rec.sha256;
}

pqxx::binarystring key_sha_param(const inbound_record& rec) {
  const auto& h = key_sha(rec);
  return bytes_param(std::string_view(reinterpret_cast<const char*>(h.data()), h.size()));
}

std::string timestamp_param(std::chrono::system_clock::time_point t) {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
  // to_timestamp takes seconds; pass microseconds exactly as a decimal string.
  return std::to_string(us / 1'000'000) + "." + [&] {
    auto frac = std::to_string(us % 1'000'000);
    return std::string(6 - frac.size(), '0') + frac;
  }();
}

struct write_outcome {
  commit_result result;
  std::string facility;
  bool counted_rejected = false;
  std::size_t bytes = 0;
};

/// The message rows of records with distinct keys, in one statement: each key is claimed
/// (message_key) and, where the claim succeeded, the message is stored (inbound_message).
/// Answers the new message id per record, or 0 when its key was already taken.
std::vector<std::int64_t> claim_and_store(pqxx::work& tx, const std::vector<const inbound_record*>& recs) {
  constexpr std::size_t k_texts = 9;
  const std::size_t n = recs.size();
  std::string sql =
      "WITH v (ord, received_at, facility, transport, format, message_key, outcome, issues, answer_status, "
      "resource_count, sha256, raw, answer, key_sha256) AS (VALUES ";
  std::vector<std::string> texts;
  std::vector<pqxx::binarystring> bins;
  texts.reserve(k_texts * n);
  bins.reserve(4 * n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto& rec = *recs[i];
    // One row: (ord, to_timestamp($a::double precision), $b, ..., $x::bytea, ...).
    auto param = [&](std::size_t number, const char* cast) {
      sql.push_back('$');
      sql.append(std::to_string(number));
      sql.append(cast);
    };
    sql.append(i ? ",(" : "(");
    sql.append(std::to_string(i));
    sql.append(",to_timestamp(");
    param(k_texts * i + 1, "::double precision)");
    static constexpr const char* k_text_casts[] = {"", "", "", "", "", "::jsonb", "::int", "::int"};
    for (std::size_t k = 1; k < k_texts; ++k) {
      sql.push_back(',');
      param(k_texts * i + k + 1, k_text_casts[k - 1]);
    }
    for (std::size_t k = 0; k < 4; ++k) {
      sql.push_back(',');
      param(k_texts * n + 4 * i + k + 1, "::bytea");
    }
    sql.push_back(')');
    texts.push_back(timestamp_param(rec.received_at));
    texts.push_back(rec.facility);
    texts.push_back(rec.transport);
    texts.push_back(rec.format);
    texts.push_back(rec.message_key);
    texts.emplace_back(to_string(rec.outcome));
    texts.push_back(rec.issues_json);
    texts.push_back(std::to_string(rec.answer.status));
    texts.push_back(std::to_string(rec.resources.size()));
    bins.push_back(sha_param(rec));
    bins.push_back(bytes_param(rec.raw));
    bins.push_back(bytes_param(rec.answer.body));
    bins.push_back(key_sha_param(rec));
  }
  sql +=
      "), claimed AS (INSERT INTO message_key (facility, message_key, sha256, message_id, received_at, answer, "
      "answer_status) SELECT facility, message_key, key_sha256, nextval('inbound_message_id_seq'), received_at, "
      "answer, "
      "answer_status FROM v ORDER BY ord ON CONFLICT (facility, message_key) DO NOTHING "
      "RETURNING facility, message_key, message_id), "
      "stored AS (INSERT INTO inbound_message (id, received_at, facility, transport, format, message_key, sha256, "
      "raw, outcome, issues, answer, answer_status, resource_count) SELECT c.message_id, v.received_at, v.facility, "
      "v.transport, v.format, v.message_key, v.sha256, v.raw, v.outcome, v.issues, v.answer, v.answer_status, "
      "v.resource_count FROM v JOIN claimed c USING (facility, message_key)) "
      "SELECT v.ord, coalesce(c.message_id, 0) FROM v LEFT JOIN claimed c USING (facility, message_key)";
  // One prepared statement per batch size (at most max_batch of them per connection).
  std::string name = "gw_claim_store_";
  name.append(std::to_string(n));
  tx.conn().prepare(name, sql);
  auto r = tx.exec_prepared(name, pqxx::prepare::make_dynamic_params(texts), pqxx::prepare::make_dynamic_params(bins));
  std::vector<std::int64_t> ids(n, 0);
  for (const auto& row : r) ids.at(row[0].as<std::size_t>()) = row[1].as<std::int64_t>();
  return ids;
}

/// A record whose key is taken: the stored answer for the same content, else (HL7 control id
/// re-used) the bytes kept as rejected under a derived key and the conflict answer.
void settle_taken_key(pqxx::work& tx, const inbound_record& rec, write_outcome& w) {
  auto prior = tx.exec_params1(
      "SELECT sha256, answer, answer_status, message_id FROM message_key WHERE facility = $1 AND message_key = $2",
      rec.facility, rec.message_key);
  if (digest_from(prior[0]) == key_sha(rec) || !rec.conflict_answer) {
    w.result.status = commit_status::duplicate;
    w.result.answer = {pqxx::binarystring(prior[1]).str(), prior[2].as<int>()};
    w.result.message_id = prior[3].as<std::int64_t>();
    return;
  }
  auto message_id = tx.exec_params1("SELECT nextval('inbound_message_id_seq')")[0].as<std::int64_t>();
  w.result.status = commit_status::conflict;
  w.result.answer = *rec.conflict_answer;
  w.result.message_id = message_id;
  w.counted_rejected = true;
  tx.exec_params(
      "INSERT INTO inbound_message (id, received_at, facility, transport, format, message_key, sha256, raw, "
      "outcome, issues, answer, answer_status) VALUES ($1, to_timestamp($2::double precision), $3, $4, $5, "
      "$6, $7, $8, 'rejected', $9::jsonb, $10, $11)",
      message_id, timestamp_param(rec.received_at), rec.facility, rec.transport, rec.format,
      rec.message_key + "#conflict:" + to_hex(rec.sha256).substr(0, 16), sha_param(rec), bytes_param(rec.raw),
      rec.conflict_issues_json, bytes_param(rec.conflict_answer->body), rec.conflict_answer->status);
}

/// Writes records with distinct keys, a handful of statements whatever their number: messages,
/// resources (with history and outbox; one more statement per further version of a resource the
/// records repeat, see resource_rows), links.
void write_group(pqxx::work& tx, const std::vector<const inbound_record*>& recs, write_outcome* outs) {
  auto ids = claim_and_store(tx, recs);
  resource_rows resources;
  link_rows links;
  std::map<std::int64_t, std::size_t> by_id;
  for (std::size_t i = 0; i < recs.size(); ++i) {
    const auto& rec = *recs[i];
    auto& w = outs[i];
    w.facility = rec.facility;
    w.bytes = rec.raw.size();
    if (ids[i] == 0) {
      settle_taken_key(tx, rec, w);
      continue;
    }
    w.result.status = commit_status::stored;
    w.result.answer = rec.answer;
    w.result.message_id = ids[i];
    w.counted_rejected = rec.outcome != outcome::accepted;
    by_id[ids[i]] = i;
    if (rec.outcome != outcome::accepted) continue;
    resources.add(ids[i], rec.facility, rec.resources);
    links.add(rec.links);
  }
  for (std::size_t layer = 0; layer < resources.layers(); ++layer)
    for (const auto& row : detail::exec_prepared(tx, "gw_upsert_resources", k_upsert_resources, resources.json(layer)))
      outs[by_id.at(row[0].as<std::int64_t>())].result.resources_changed += row[1].as<int>();
  if (!links.empty()) detail::exec_prepared(tx, "gw_upsert_links", k_upsert_links, links.json());
}

/// Writes a batch inside the caller's transaction, in groups that one claim statement can write
/// (a message key repeated in the batch, a re-send, starts a new group).
std::vector<write_outcome> write_batch(pqxx::work& tx, const std::vector<const inbound_record*>& batch) {
  std::vector<write_outcome> outs(batch.size());
  for (std::size_t begin = 0; begin < batch.size();) {
    std::set<std::pair<std::string_view, std::string_view>> keys;
    std::size_t end = begin;
    while (end < batch.size() && keys.insert({batch[end]->facility, batch[end]->message_key}).second) ++end;
    write_group(tx,
                {batch.begin() + static_cast<std::ptrdiff_t>(begin), batch.begin() + static_cast<std::ptrdiff_t>(end)},
                outs.data() + begin);
    begin = end;
  }
  return outs;
}

/// Per-facility counters for a batch, one statement.
void count(pqxx::work& tx, const std::vector<write_outcome>& outs) {
  struct agg {
    long long accepted = 0, rejected = 0, duplicates = 0, bytes = 0;
  };
  std::map<std::string_view, agg> by;
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
  std::string json = "[";
  for (const auto& [facility, a] : by) {
    if (json.size() > 1) json.push_back(',');
    json += "{\"facility\":";
    detail::append_json_string(json, facility);
    for (auto [name, v] : {std::pair<const char*, long long>{",\"accepted\":", a.accepted},
                           {",\"rejected\":", a.rejected},
                           {",\"duplicates\":", a.duplicates},
                           {",\"bytes\":", a.bytes}}) {
      json.append(name);
      json.append(std::to_string(v));
    }
    json.push_back('}');
  }
  json.push_back(']');
  detail::exec_prepared(
      tx, "gw_count",
      "INSERT INTO facility_counter AS c (facility, day, accepted, rejected, duplicates, bytes, last_message_at, "
      "last_rejected_at) "
      "SELECT t.facility, (now() AT TIME ZONE 'UTC')::date, t.accepted, t.rejected, t.duplicates, t.bytes, now(), "
      "CASE WHEN t.rejected > 0 THEN now() END "
      "FROM jsonb_to_recordset($1::jsonb) AS t(facility text, accepted bigint, rejected bigint, duplicates bigint, "
      "bytes bigint) ORDER BY t.facility "
      "ON CONFLICT (facility, day) DO UPDATE SET accepted = c.accepted + EXCLUDED.accepted, "
      "rejected = c.rejected + EXCLUDED.rejected, duplicates = c.duplicates + EXCLUDED.duplicates, "
      "bytes = c.bytes + EXCLUDED.bytes, last_message_at = now(), "
      "last_rejected_at = coalesce(EXCLUDED.last_rejected_at, c.last_rejected_at)",
      json);
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
      std::vector<const inbound_record*> recs;
      recs.reserve(batch.size());
      for (const auto& p : batch) recs.push_back(&p->rec);
      outs = write_batch(tx, recs);
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
      auto one = write_batch(tx, {&rec});
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
