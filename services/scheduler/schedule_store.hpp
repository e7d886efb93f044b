#pragma once
// What a scheduling round needs from PostgreSQL, as a port: the round's decisions (who leads,
// when a finished source is due next, which requests to produce, which leases to give back)
// live in scheduler.cpp and are unit-tested against an in-memory store; pg_schedule_store.cpp
// runs them against the sources table. Each call is one transaction, retried whole on a
// transient failure, so a callback may run again for the same rows.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/base/result.hpp"
#include "services/scheduler/article_request.hpp"
#include "services/scheduler/request_builder.hpp"
#include "services/scheduler/schedule_policy.hpp"

namespace tributary::scheduler {

// A leased source whose request's fetch outcome has been loaded.
struct FinishedSource {
  std::int64_t id = 0;
  SourceTiming timing;
  std::string url;
  std::string last_error_class;  // empty when the fetch was fine
  TimePoint now;                 // the database's clock
};

// A due source just leased under `request_id`.
struct LeasedSource {
  DueSource source;
  std::string request_id;
  std::int64_t now_unix = 0;  // the database's clock
};

struct SourceCounts {
  double due = 0;      // enabled, due and not leased
  double failing = 0;  // enabled, at or past the failure threshold
  double enabled = 0;
  double stale = 0;    // enabled, not fetched within 2x its interval (new: since added)
};

class ScheduleStore {
 public:
  virtual ~ScheduleStore() = default;
  // Whether this replica holds the scheduling lock (taking it when free).
  [[nodiscard]] virtual Result<bool> Lead() = 0;
  [[nodiscard]] virtual Result<SourceCounts> Count(int failure_threshold) = 0;
  // Up to `batch` finished sources, each given its next fetch time by `next` and its lease
  // ended; returns them with the decisions committed.
  [[nodiscard]] virtual Result<std::vector<std::pair<FinishedSource, NextFetch>>> Reschedule(
      int batch, const std::function<NextFetch(const FinishedSource&)>& next) = 0;
  // Up to `batch` due sources (not leased, or their lease expired), each leased for `lease`
  // under a request id from `new_request_id`; committed before this returns.
  [[nodiscard]] virtual Result<std::vector<LeasedSource>> LeaseDue(
      int batch, Seconds lease, const std::function<std::string()>& new_request_id) = 0;
  // Ends the leases of requests that never reached the broker (only if still theirs), so the
  // sources are due again at once.
  [[nodiscard]] virtual Result<void> Release(const std::vector<LeasedSource>& unsent) = 0;
  // Up to `batch` items of enabled sources whose article is wanted (or was requested longer
  // than `lease` ago without an outcome), marked requested; committed before this returns.
  // `now_unix` receives the database's clock.
  [[nodiscard]] virtual Result<std::vector<WantedArticle>> TakeWantedArticles(
      int batch, Seconds lease, std::int64_t* now_unix) = 0;
  // Marks the articles whose requests never reached the broker as wanted again (only if they
  // are still requested for the same version).
  [[nodiscard]] virtual Result<void> ReturnArticles(const std::vector<WantedArticle>& unsent) = 0;
};

}  // namespace tributary::scheduler
