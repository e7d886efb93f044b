#include "services/scheduler/scheduler.hpp"

#include <fmt/format.h>

#include <set>

#include "common/log/log.hpp"
#include "common/log/mask.hpp"
#include "services/scheduler/request_builder.hpp"

namespace tributary::scheduler {
namespace {

// The records the broker did not acknowledge (`acked` may be shorter than `sent`).
template <typename T>
std::vector<T> Unacknowledged(const std::vector<T>& sent, const std::vector<bool>& acked) {
  std::vector<T> out;
  for (std::size_t i = 0; i < sent.size(); ++i) {
    if (i >= acked.size() || !acked[i]) out.push_back(sent[i]);
  }
  return out;
}

}  // namespace

Scheduler::Scheduler(ScheduleStore& store, RequestSink& sink, SchedulerSettings settings,
                     SchedulerMetrics& metrics, std::function<double()> unit_random)
    : store_(store),
      sink_(sink),
      settings_(std::move(settings)),
      metrics_(metrics),
      unit_random_(std::move(unit_random)) {}

Result<RoundResult> Scheduler::Round() {
  auto logger = log::Get("scheduler");
  const auto started = std::chrono::steady_clock::now();
  RoundResult result;
  const auto leader = store_.Lead();
  if (!leader) return tl::unexpected(leader.error());
  result.leader = *leader;
  if (result.leader != was_leader_) {
    logger->info(result.leader ? "holding the scheduling lock: this replica schedules now"
                               : "the scheduling lock is held elsewhere: standing by");
    was_leader_ = result.leader;
  }
  metrics_.leader.Set(result.leader ? 1 : 0);
  if (!result.leader) return result;

  if (const auto counts = store_.Count(settings_.failure_threshold); counts) {
    metrics_.due.Set(counts->due);
    metrics_.failing.Set(counts->failing);
    metrics_.enabled.Set(counts->enabled);
    metrics_.stale.Set(counts->stale);
  }
  auto rescheduled = Reschedule();
  if (!rescheduled) return tl::unexpected(rescheduled.error());
  result.rescheduled = *rescheduled;
  // Last: once the leases are committed, their requests must be produced (or the leases given
  // back), or the sources wait until their leases expire.
  const auto leased = store_.LeaseDue(settings_.batch, settings_.lease, NewRequestId);
  if (!leased) return tl::unexpected(leased.error());
  Emit(*leased, &result);
  if (auto articles = EmitArticles(&result); !articles) return tl::unexpected(articles.error());
  metrics_.tick_seconds.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return result;
}

Result<std::size_t> Scheduler::Reschedule() {
  const auto decided = store_.Reschedule(settings_.batch, [&](const FinishedSource& source) {
    return NextFetchAt(source.timing, source.now, settings_.policy, unit_random_());
  });
  if (!decided) return tl::unexpected(decided.error());
  for (const auto& [source, next] : *decided) {
    metrics_.rescheduled.Labels({std::string(next.reason)}).Inc();
    if (source.timing.consecutive_failures == settings_.failure_threshold) {
      log::Get("scheduler")->warn(
          "source {} ({}) failed {} times in a row (last error: {}); backing off until {}s "
          "from now",
          source.id, log::Mask(source.url), source.timing.consecutive_failures,
          source.last_error_class.empty() ? "unknown" : source.last_error_class,
          (next.at - source.now).count());
    }
  }
  return decided->size();
}

void Scheduler::Emit(const std::vector<LeasedSource>& leased, RoundResult* result) {
  if (leased.empty()) return;
  auto logger = log::Get("scheduler");
  std::vector<kafka::Record> records;
  records.reserve(leased.size());
  for (const auto& lease : leased) {
    std::vector<std::string> warnings;
    const auto request = BuildRequest(lease.source, lease.request_id, lease.now_unix, &warnings);
    for (const auto& warning : warnings) {
      logger->warn("source {}: {}; the option is ignored", lease.source.id, warning);
    }
    metrics_.requests.Labels({lease.source.lease_expired ? "lease_expired" : "new"}).Inc();
    records.push_back(RequestRecord(settings_.requests_topic, request, settings_.politeness_scope));
  }
  const auto unsent = Unacknowledged(leased, sink_.SendAll(std::move(records)));
  result->emitted = leased.size() - unsent.size();
  result->failed = unsent.size();
  if (unsent.empty()) return;
  metrics_.emit_failures.Inc(static_cast<double>(unsent.size()));
  logger->warn("{} of {} fetch requests were not acknowledged by the broker; their sources are "
               "due again",
               unsent.size(), leased.size());
  // If even this fails the leases expire on their own (--lease) and the sources come back.
  if (const auto released = store_.Release(unsent); !released) {
    logger->warn("could not release {} leases: {}", unsent.size(), released.error().message);
  }
}

Result<void> Scheduler::EmitArticles(RoundResult* result) {
  std::int64_t now_unix = 0;
  const auto taken = store_.TakeWantedArticles(settings_.batch, settings_.lease, &now_unix);
  if (!taken) return tl::unexpected(taken.error());
  if (taken->empty()) return {};
  auto logger = log::Get("scheduler");
  std::vector<kafka::Record> records;
  records.reserve(taken->size());
  std::set<std::int64_t> warned;  // a source's bad option is logged once per round
  for (const auto& article : *taken) {
    std::vector<std::string> warnings;
    const auto request = BuildArticleRequest(article, now_unix, &warnings);
    if (!warnings.empty() && warned.insert(article.source_id).second) {
      for (const auto& warning : warnings) {
        logger->warn("source {}: {}; the option is ignored", article.source_id, warning);
      }
    }
    records.push_back(RequestRecord(settings_.requests_topic, request, settings_.politeness_scope));
  }
  const auto unsent = Unacknowledged(*taken, sink_.SendAll(std::move(records)));
  result->articles = taken->size() - unsent.size();
  metrics_.requests.Labels({"article"}).Inc(static_cast<double>(result->articles));
  if (unsent.empty()) return {};
  metrics_.emit_failures.Inc(static_cast<double>(unsent.size()));
  logger->warn("{} of {} article page requests were not acknowledged by the broker; they are "
               "wanted again",
               unsent.size(), taken->size());
  if (const auto returned = store_.ReturnArticles(unsent); !returned) {
    logger->warn("could not give back {} article requests: {}", unsent.size(),
                 returned.error().message);
  }
  return {};
}

}  // namespace tributary::scheduler
