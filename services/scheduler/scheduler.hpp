#pragma once
// One scheduling round (DESIGN §6). Only the replica holding the Postgres advisory lock works;
// the others find it taken and wait (the lock goes with the holder's session, so a dead
// scheduler's standby takes over on its next round). A round, on the database's clock:
//  1. outcomes: sources whose last request has its fetch outcome in fetch_log get their next
//     fetch time from the policy, and their lease ends;
//  2. due: up to `batch` enabled sources with next_fetch_at <= now and no live lease are leased
//     (lease_until, last_request_id, a provisional next_fetch_at = now + interval) and COMMITTED,
//     then their FetchRequests are produced. Committing first means a crash in between loses the
//     requests until the lease expires, but can never schedule a source twice in one interval;
//     requests the broker refuses release their lease at once;
//  3. articles: up to `batch` feed items whose article page is wanted (issue 19) are marked
//     requested and COMMITTED, then their page fetches are produced (a refused one is wanted
//     again at once; a lost one is asked again after the lease, up to 3 times).
#include <cstdint>
#include <functional>
#include <vector>

#include "common/codec/politeness_key.hpp"
#include "common/kafka/producer.hpp"
#include "services/scheduler/schedule_policy.hpp"
#include "services/scheduler/schedule_store.hpp"
#include "services/scheduler/scheduler_metrics.hpp"

namespace tributary::scheduler {

struct SchedulerSettings {
  std::string requests_topic;
  codec::PolitenessScope politeness_scope = codec::PolitenessScope::kHost;
  int batch = 500;
  Seconds lease{600};
  int failure_threshold = 5;
  PolicySettings policy;
};

// Produces records and reports, per record, whether the broker acknowledged it.
class RequestSink {
 public:
  virtual ~RequestSink() = default;
  virtual std::vector<bool> SendAll(std::vector<kafka::Record> records) = 0;
};

struct RoundResult {
  bool leader = false;
  std::size_t rescheduled = 0;
  std::size_t emitted = 0;
  std::size_t failed = 0;
  std::size_t articles = 0;  // article page fetches produced
};

class Scheduler {
 public:
  Scheduler(ScheduleStore& store, RequestSink& sink, SchedulerSettings settings,
            SchedulerMetrics& metrics, std::function<double()> unit_random);

  // One round. A database failure is retried inside the store until shutdown.
  Result<RoundResult> Round();

 private:
  Result<std::size_t> Reschedule();
  // Produces the leased sources' requests; gives back the leases of those the broker refused.
  void Emit(const std::vector<LeasedSource>& leased, RoundResult* result);
  Result<void> EmitArticles(RoundResult* result);

  ScheduleStore& store_;
  RequestSink& sink_;
  SchedulerSettings settings_;
  SchedulerMetrics& metrics_;
  std::function<double()> unit_random_;
  bool was_leader_ = false;
};

}  // namespace tributary::scheduler
