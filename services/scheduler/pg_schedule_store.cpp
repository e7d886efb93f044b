#include "services/scheduler/pg_schedule_store.hpp"

#include <optional>

#include "common/digest/sha256.hpp"

namespace tributary::scheduler {
namespace {

// Whether this session already holds the lock (pg_try_advisory_lock would take it a second time).
const std::string kHoldsLock =
    "SELECT EXISTS (SELECT 1 FROM pg_locks l WHERE l.pid = pg_backend_pid() AND " +
    std::string(pg::kAdvisoryLockRow) + ")";

// A fetch outcome has reached fetch_log when its fetch event was loaded: only fetch events
// carry `bytes` (a parse event of the same request fills other columns). The loader writes
// the sources outcome columns in the same transaction, so they are current here.
constexpr const char* kFinished = R"(
SELECT s.id, extract(epoch FROM s.fetch_interval)::bigint, s.consecutive_failures,
       extract(epoch FROM s.retry_after_until)::bigint,
       extract(epoch FROM s.server_max_age)::bigint,
       extract(epoch FROM s.items_last_seen_at)::bigint,
       s.url, s.last_error_class, extract(epoch FROM now())::bigint
  FROM sources s JOIN fetch_log f ON f.request_id = s.last_request_id
 WHERE s.lease_until IS NOT NULL AND f.bytes IS NOT NULL
 ORDER BY s.id
 LIMIT $1
   FOR UPDATE OF s SKIP LOCKED)";

constexpr const char* kSetNext = R"(
UPDATE sources s SET next_fetch_at = to_timestamp(u.next), lease_until = NULL
  FROM unnest($1::bigint[], $2::bigint[]) AS u(id, next)
 WHERE s.id = u.id)";

constexpr const char* kDue = R"(
SELECT id, url, kind, coalesce(etag, ''), coalesce(last_modified, ''), config::text,
       lease_until IS NOT NULL, extract(epoch FROM now())::bigint
  FROM sources
 WHERE enabled AND next_fetch_at <= now() AND (lease_until IS NULL OR lease_until < now())
 ORDER BY next_fetch_at, id
 LIMIT $1
   FOR UPDATE SKIP LOCKED)";

constexpr const char* kLease = R"(
UPDATE sources s SET lease_until = now() + make_interval(secs => $3),
                     last_scheduled_at = now(),
                     last_request_id = u.request_id,
                     next_fetch_at = now() + s.fetch_interval
  FROM unnest($1::bigint[], $2::text[]) AS u(id, request_id)
 WHERE s.id = u.id)";

// Only if the lease is still the one this round took (an outcome cannot have arrived for a
// request that was never produced, but a newer round may have re-leased it).
constexpr const char* kRelease = R"(
UPDATE sources s SET lease_until = NULL, next_fetch_at = now()
  FROM unnest($1::bigint[], $2::text[]) AS u(id, request_id)
 WHERE s.id = u.id AND s.last_request_id = u.request_id)";

// Stale: not fresh by the freshness SLO's measure (migration 0019), which `tributary status
// --check` reads too.
constexpr const char* kGauges = R"(
SELECT count(*) FILTER (WHERE next_fetch_at <= now()
                          AND (lease_until IS NULL OR lease_until < now())),
       count(*) FILTER (WHERE consecutive_failures >= $1),
       count(*),
       count(*) FILTER (WHERE NOT tributary_source_fresh(s))
  FROM sources s WHERE enabled)";

// The rows come from items_article_wanted_idx (0018): wanted ones, and requested ones whose
// request got no outcome within the lease (asked again, up to 3 times in all). An item of a
// disabled source waits.
constexpr const char* kTakeArticles = R"(
WITH picked AS (
  SELECT i.id FROM items i JOIN sources s ON s.id = i.source_id AND s.enabled
   WHERE i.article_state IN ('wanted', 'requested')
     AND (i.article_state = 'wanted'
          OR (i.article_requested_at < now() - make_interval(secs => $2)
              AND coalesce(i.article_attempts, 0) < 3))
   ORDER BY i.id
   LIMIT $1
     FOR UPDATE OF i SKIP LOCKED)
UPDATE items i SET article_state = 'requested', article_requested_at = now(),
                   article_attempts = coalesce(i.article_attempts, 0) + 1
  FROM picked p, sources s
 WHERE i.id = p.id AND s.id = i.source_id
RETURNING i.id, i.source_id, i.external_id, i.url, i.content_hash,
          (extract(epoch FROM i.observed_at) * 1000000)::bigint, coalesce(i.request_id, ''),
          s.config::text, extract(epoch FROM now())::bigint, coalesce(i.title, ''))";

constexpr const char* kReturnArticles = R"(
UPDATE items i SET article_state = 'wanted', article_requested_at = NULL,
                   article_attempts = i.article_attempts - 1
  FROM unnest($1::bigint[], $2::text[]) AS u(id, content_hash)
 WHERE i.id = u.id AND i.article_state = 'requested'
   AND i.content_hash = decode(u.content_hash, 'hex'))";

std::optional<std::int64_t> OptInt(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<std::int64_t>();
}

std::string ArrayOf(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    out += (i == 0 ? "" : ",") + std::to_string(values[i]);
  }
  return out + "}";
}

// Request ids are hex digits: no quoting needed inside the array literal.
std::string ArrayOf(const std::vector<std::string>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) out += (i == 0 ? "" : ",") + values[i];
  return out + "}";
}

}  // namespace

Result<bool> PgScheduleStore::Lead() {
  return database_.Run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    if (tx.exec_params1(kHoldsLock, lock_key_)[0].as<bool>()) return true;
    return tx.exec_params1("SELECT pg_try_advisory_lock($1)", lock_key_)[0].as<bool>();
  });
}

Result<SourceCounts> PgScheduleStore::Count(int failure_threshold) {
  return database_.Run([&](pqxx::connection& c) {
    pqxx::nontransaction tx(c);
    const auto row = tx.exec_params1(kGauges, failure_threshold);
    return SourceCounts{.due = row[0].as<double>(),
                        .failing = row[1].as<double>(),
                        .enabled = row[2].as<double>(),
                        .stale = row[3].as<double>()};
  });
}

Result<std::vector<std::pair<FinishedSource, NextFetch>>> PgScheduleStore::Reschedule(
    int batch, const std::function<NextFetch(const FinishedSource&)>& next) {
  return database_.Run([&](pqxx::connection& c) {
    std::vector<std::pair<FinishedSource, NextFetch>> decided;
    pqxx::work tx(c);
    const auto finished = tx.exec_params(kFinished, batch);
    if (finished.empty()) return decided;
    std::vector<std::int64_t> ids;
    std::vector<std::int64_t> next_times;
    for (const auto& row : finished) {
      FinishedSource source;
      source.id = row[0].as<std::int64_t>();
      source.timing.interval = Seconds(row[1].as<std::int64_t>());
      source.timing.consecutive_failures = row[2].as<int>();
      if (auto v = OptInt(row[3])) source.timing.retry_after_until = TimePoint(Seconds(*v));
      if (auto v = OptInt(row[4])) source.timing.server_max_age = Seconds(*v);
      if (auto v = OptInt(row[5])) source.timing.items_last_seen_at = TimePoint(Seconds(*v));
      source.url = row[6].c_str();
      source.last_error_class = row[7].is_null() ? "" : row[7].c_str();
      source.now = TimePoint(Seconds(row[8].as<std::int64_t>()));
      auto when = next(source);
      ids.push_back(source.id);
      next_times.push_back(when.at.time_since_epoch().count());
      decided.emplace_back(std::move(source), when);
    }
    tx.exec_params0(kSetNext, ArrayOf(ids), ArrayOf(next_times));
    tx.commit();
    return decided;
  });
}

Result<std::vector<LeasedSource>> PgScheduleStore::LeaseDue(
    int batch, Seconds lease, const std::function<std::string()>& new_request_id) {
  return database_.Run([&](pqxx::connection& c) {
    std::vector<LeasedSource> leased;
    pqxx::work tx(c);
    const auto due = tx.exec_params(kDue, batch);
    if (due.empty()) return leased;
    std::vector<std::int64_t> ids;
    std::vector<std::string> request_ids;
    for (const auto& row : due) {
      LeasedSource lease_of{.source = {.id = row[0].as<std::int64_t>(),
                                       .url = row[1].c_str(),
                                       .kind = row[2].c_str(),
                                       .etag = row[3].c_str(),
                                       .last_modified = row[4].c_str(),
                                       .config_json = row[5].c_str(),
                                       .lease_expired = row[6].as<bool>()},
                            .request_id = new_request_id(),
                            .now_unix = row[7].as<std::int64_t>()};
      ids.push_back(lease_of.source.id);
      request_ids.push_back(lease_of.request_id);
      leased.push_back(std::move(lease_of));
    }
    tx.exec_params0(kLease, ArrayOf(ids), ArrayOf(request_ids), lease.count());
    tx.commit();
    return leased;
  });
}

Result<void> PgScheduleStore::Release(const std::vector<LeasedSource>& unsent) {
  std::vector<std::int64_t> ids;
  std::vector<std::string> request_ids;
  for (const auto& leased : unsent) {
    ids.push_back(leased.source.id);
    request_ids.push_back(leased.request_id);
  }
  return database_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params0(kRelease, ArrayOf(ids), ArrayOf(request_ids));
    tx.commit();
  });
}

Result<std::vector<WantedArticle>> PgScheduleStore::TakeWantedArticles(
    int batch, Seconds lease, std::int64_t* now_unix) {
  return database_.Run([&](pqxx::connection& c) {
    std::vector<WantedArticle> taken;
    pqxx::work tx(c);
    for (const auto& row : tx.exec_params(kTakeArticles, batch, lease.count())) {
      taken.push_back({.item_id = row[0].as<std::int64_t>(),
                       .source_id = row[1].as<std::int64_t>(),
                       .external_id = row[2].c_str(),
                       .url = row[3].is_null() ? "" : row[3].c_str(),
                       .content_hash = pqxx::binarystring(row[4]).str(),
                       .observed_at_us = row[5].as<std::int64_t>(),
                       .item_request_id = row[6].c_str(),
                       .source_config_json = row[7].is_null() ? "" : row[7].c_str(),
                       .title = row[9].c_str()});
      if (now_unix != nullptr) *now_unix = row[8].as<std::int64_t>();
    }
    tx.commit();
    return taken;
  });
}

Result<void> PgScheduleStore::ReturnArticles(const std::vector<WantedArticle>& unsent) {
  std::vector<std::int64_t> ids;
  std::vector<std::string> hashes;
  for (const auto& article : unsent) {
    ids.push_back(article.item_id);
    hashes.push_back(digest::Hex(article.content_hash));
  }
  return database_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params0(kReturnArticles, ArrayOf(ids), ArrayOf(hashes));
    tx.commit();
  });
}

}  // namespace tributary::scheduler
