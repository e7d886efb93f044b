#include "common/kafka/offset_tracker.hpp"

namespace tributary::kafka {

std::uint64_t OffsetTracker::Assign(const TopicPartition& tp) {
  std::lock_guard lock(mutex_);
  auto& state = partitions_[tp];
  in_flight_total_ -= state.pending.size();
  state.pending.clear();
  state.generation = next_generation_++;
  return state.generation;
}

std::size_t OffsetTracker::Revoke(const TopicPartition& tp) {
  std::lock_guard lock(mutex_);
  const auto it = partitions_.find(tp);
  if (it == partitions_.end()) return 0;
  std::size_t abandoned = 0;
  for (const auto& [offset, done] : it->second.pending) abandoned += done ? 0 : 1;
  in_flight_total_ -= it->second.pending.size();
  partitions_.erase(it);
  return abandoned;
}

bool OffsetTracker::Begin(const TopicPartition& tp, std::int64_t offset,
                          std::uint64_t generation) {
  std::lock_guard lock(mutex_);
  const auto it = partitions_.find(tp);
  if (it == partitions_.end() || it->second.generation != generation) return false;
  if (it->second.pending.emplace(offset, false).second) ++in_flight_total_;
  return true;
}

std::optional<std::int64_t> OffsetTracker::Complete(const TopicPartition& tp,
                                                    std::int64_t offset,
                                                    std::uint64_t generation) {
  std::lock_guard lock(mutex_);
  const auto it = partitions_.find(tp);
  if (it == partitions_.end() || it->second.generation != generation) return std::nullopt;
  return CompleteLocked(it->second, offset);
}

std::optional<std::int64_t> OffsetTracker::CompleteLocked(PartitionState& state,
                                                          std::int64_t offset) {
  const auto found = state.pending.find(offset);
  if (found == state.pending.end()) return std::nullopt;  // unknown or completed twice
  found->second = true;
  std::optional<std::int64_t> store;
  while (!state.pending.empty() && state.pending.begin()->second) {
    store = state.pending.begin()->first + 1;
    state.pending.erase(state.pending.begin());
    --in_flight_total_;
  }
  return store;
}

std::size_t OffsetTracker::InFlight(const TopicPartition& tp) const {
  std::lock_guard lock(mutex_);
  const auto it = partitions_.find(tp);
  return it == partitions_.end() ? 0 : it->second.pending.size();
}

std::size_t OffsetTracker::InFlightTotal() const {
  std::lock_guard lock(mutex_);
  return in_flight_total_;
}

std::optional<std::uint64_t> OffsetTracker::Generation(const TopicPartition& tp) const {
  std::lock_guard lock(mutex_);
  const auto it = partitions_.find(tp);
  if (it == partitions_.end()) return std::nullopt;
  return it->second.generation;
}

std::vector<TopicPartition> OffsetTracker::Assigned() const {
  std::lock_guard lock(mutex_);
  std::vector<TopicPartition> out;
  for (const auto& [tp, state] : partitions_) out.push_back(tp);
  return out;
}

}  // namespace tributary::kafka
