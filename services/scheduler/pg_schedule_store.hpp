#pragma once
// The ScheduleStore port on PostgreSQL: the sources table, fetch_log for finished requests, and
// the scheduling advisory lock (common/pg/advisory_locks.hpp), held by this replica's session.
#include <cstdint>

#include "common/pg/advisory_locks.hpp"
#include "common/pg/database.hpp"
#include "services/scheduler/schedule_store.hpp"

namespace tributary::scheduler {

class PgScheduleStore final : public ScheduleStore {
 public:
  explicit PgScheduleStore(pg::Database& database,
                           std::int64_t lock_key = pg::kSchedulerLeaderLockKey)
      : database_(database), lock_key_(lock_key) {}

  Result<bool> Lead() override;
  Result<SourceCounts> Count(int failure_threshold) override;
  Result<std::vector<std::pair<FinishedSource, NextFetch>>> Reschedule(
      int batch, const std::function<NextFetch(const FinishedSource&)>& next) override;
  Result<std::vector<LeasedSource>> LeaseDue(
      int batch, Seconds lease, const std::function<std::string()>& new_request_id) override;
  Result<void> Release(const std::vector<LeasedSource>& unsent) override;
  Result<std::vector<WantedArticle>> TakeWantedArticles(int batch, Seconds lease,
                                                        std::int64_t* now_unix) override;
  Result<void> ReturnArticles(const std::vector<WantedArticle>& unsent) override;

 private:
  pg::Database& database_;
  std::int64_t lock_key_;
};

}  // namespace tributary::scheduler
