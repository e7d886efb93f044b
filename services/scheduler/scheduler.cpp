#include "services/scheduler/scheduler.hpp"

#include <fmt/format.h>

#include "common/base/traceparent.hpp"
#include "common/codec/codec.hpp"
#include "common/log/log.hpp"
#include "common/log/mask.hpp"
#include "services/scheduler/request_builder.hpp"

namespace tributary::scheduler {
namespace {

// A bigint advisory lock shows in pg_locks as classid = high half, objid = low half,
// objsubid = 1.
constexpr const char* kHoldsLock = R"(
SELECT EXISTS (SELECT 1 FROM pg_locks
                WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted
                  AND objsubid = 1 AND classid::bigint = ($1::bigint >> 32)
                  AND objid::bigint = ($1::bigint & 4294967295)))";

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

constexpr const char* kGauges = R"(
SELECT count(*) FILTER (WHERE next_fetch_at <= now()
                          AND (lease_until IS NULL OR lease_until < now())),
       count(*) FILTER (WHERE consecutive_failures >= $1)
  FROM sources WHERE enabled)";

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

Scheduler::Scheduler(pg::Database& database, RequestSink& sink, SchedulerSettings settings,
                     SchedulerMetrics& metrics, std::function<double()> unit_random)
    : database_(database),
      sink_(sink),
      settings_(std::move(settings)),
      metrics_(metrics),
      unit_random_(std::move(unit_random)) {}

bool Scheduler::HoldsLease(pqxx::connection& connection) {
  pqxx::nontransaction tx(connection);
  if (tx.exec_params1(kHoldsLock, settings_.lock_key)[0].as<bool>()) return true;
  return tx.exec_params1("SELECT pg_try_advisory_lock($1)", settings_.lock_key)[0].as<bool>();
}

Result<RoundResult> Scheduler::Round() {
  auto logger = log::Get("scheduler");
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::pair<std::int64_t, std::string>> leased;
  std::vector<kafka::Record> records;
  auto round = database_.Run([&](pqxx::connection& c) {
    RoundResult result;
    leased.clear();
    records.clear();
    result.leader = HoldsLease(c);
    if (result.leader != was_leader_) {
      logger->info(result.leader ? "holding the scheduling lock: this replica schedules now"
                                 : "the scheduling lock is held elsewhere: standing by");
      was_leader_ = result.leader;
    }
    metrics_.leader.Set(result.leader ? 1 : 0);
    if (!result.leader) return result;
    UpdateGauges(c);
    result.rescheduled = Reschedule(c);
    // Last: once its transaction commits, nothing in this attempt may fail and be retried, or
    // the leased sources' records would be lost until their leases expire.
    records = LeaseDue(c, &leased);
    return result;
  });
  if (!round) return round;
  if (!records.empty()) {
    const auto acked = sink_.SendAll(std::move(records));
    std::vector<std::pair<std::int64_t, std::string>> unsent;
    for (std::size_t i = 0; i < leased.size(); ++i) {
      if (i < acked.size() && acked[i]) continue;
      unsent.push_back(leased[i]);
    }
    round->emitted = leased.size() - unsent.size();
    round->failed = unsent.size();
    if (!unsent.empty()) {
      metrics_.emit_failures.Inc(static_cast<double>(unsent.size()));
      logger->warn("{} of {} fetch requests were not acknowledged by the broker; their sources "
                   "are due again",
                   unsent.size(), leased.size());
      ReleaseUnsent(unsent);
    }
  }
  if (round->leader) {
    metrics_.tick_seconds.Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  }
  return round;
}

std::size_t Scheduler::Reschedule(pqxx::connection& connection) {
  auto logger = log::Get("scheduler");
  pqxx::work tx(connection);
  const auto finished = tx.exec_params(kFinished, settings_.batch);
  if (finished.empty()) return 0;
  std::vector<std::int64_t> ids;
  std::vector<std::int64_t> next_times;
  for (const auto& row : finished) {
    SourceTiming timing;
    timing.interval = Seconds(row[1].as<std::int64_t>());
    timing.consecutive_failures = row[2].as<int>();
    if (auto v = OptInt(row[3])) timing.retry_after_until = TimePoint(Seconds(*v));
    if (auto v = OptInt(row[4])) timing.server_max_age = Seconds(*v);
    if (auto v = OptInt(row[5])) timing.items_last_seen_at = TimePoint(Seconds(*v));
    const TimePoint now{Seconds(row[8].as<std::int64_t>())};
    const auto next = NextFetchAt(timing, now, settings_.policy, unit_random_());
    ids.push_back(row[0].as<std::int64_t>());
    next_times.push_back(next.at.time_since_epoch().count());
    metrics_.rescheduled.Labels({std::string(next.reason)}).Inc();
    if (timing.consecutive_failures == settings_.failure_threshold) {
      logger->warn("source {} ({}) failed {} times in a row (last error: {}); backing off until "
                   "{}s from now",
                   ids.back(), log::Mask(row[6].c_str()), timing.consecutive_failures,
                   row[7].is_null() ? "unknown" : row[7].c_str(), (next.at - now).count());
    }
  }
  tx.exec_params0(kSetNext, ArrayOf(ids), ArrayOf(next_times));
  tx.commit();
  return ids.size();
}

std::vector<kafka::Record> Scheduler::LeaseDue(
    pqxx::connection& connection, std::vector<std::pair<std::int64_t, std::string>>* leased) {
  auto logger = log::Get("scheduler");
  pqxx::work tx(connection);
  const auto due = tx.exec_params(kDue, settings_.batch);
  std::vector<kafka::Record> records;
  if (due.empty()) return records;
  std::vector<std::int64_t> ids;
  std::vector<std::string> request_ids;
  for (const auto& row : due) {
    DueSource source{.id = row[0].as<std::int64_t>(),
                     .url = row[1].c_str(),
                     .kind = row[2].c_str(),
                     .etag = row[3].c_str(),
                     .last_modified = row[4].c_str(),
                     .config_json = row[5].c_str(),
                     .lease_expired = row[6].as<bool>()};
    std::vector<std::string> warnings;
    const auto request_id = NewRequestId();
    const auto request =
        BuildRequest(source, request_id, row[7].as<std::int64_t>(), &warnings);
    for (const auto& warning : warnings) {
      logger->warn("source {}: {}; the option is ignored", source.id, warning);
    }
    metrics_.requests.Labels({source.lease_expired ? "lease_expired" : "new"}).Inc();
    ids.push_back(source.id);
    request_ids.push_back(request_id);
    records.push_back({settings_.requests_topic, std::to_string(source.id),
                       codec::Encode(request),
                       {{std::string(codec::kContentTypeHeader),
                         std::string(codec::kProtobufContentType)},
                        {std::string(kafka::kTraceparentHeader), trace::NewTraceparent()}}});
  }
  tx.exec_params0(kLease, ArrayOf(ids), ArrayOf(request_ids), settings_.lease.count());
  tx.commit();
  for (std::size_t i = 0; i < ids.size(); ++i) leased->emplace_back(ids[i], request_ids[i]);
  return records;
}

void Scheduler::ReleaseUnsent(const std::vector<std::pair<std::int64_t, std::string>>& unsent) {
  std::vector<std::int64_t> ids;
  std::vector<std::string> request_ids;
  for (const auto& [id, request_id] : unsent) {
    ids.push_back(id);
    request_ids.push_back(request_id);
  }
  // If even this fails the leases expire on their own (--lease) and the sources come back.
  auto released = database_.Run([&](pqxx::connection& c) {
    pqxx::work tx(c);
    tx.exec_params0(kRelease, ArrayOf(ids), ArrayOf(request_ids));
    tx.commit();
  });
  if (!released) {
    log::Get("scheduler")->warn("could not release {} leases: {}", ids.size(),
                                released.error().message);
  }
}

void Scheduler::UpdateGauges(pqxx::connection& connection) {
  pqxx::nontransaction tx(connection);
  const auto row = tx.exec_params1(kGauges, settings_.failure_threshold);
  metrics_.due.Set(row[0].as<double>());
  metrics_.failing.Set(row[1].as<double>());
}

}  // namespace tributary::scheduler
