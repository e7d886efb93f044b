#pragma once
// Per-partition completion tracking for at-least-once delivery with concurrent processing
// (DESIGN §4). Messages are begun in offset order and may complete in any order; only the
// contiguous completed prefix is ever released for storing, so a slow message never lets a
// later one's offset be committed past it. Revoking a partition drops its in-flight work and
// starts a new generation, so a late completion from the old owner is ignored.
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "common/kafka/message.hpp"

namespace tributary::kafka {

class OffsetTracker {
 public:
  // The partition is now ours; returns the generation its messages carry.
  std::uint64_t Assign(const TopicPartition& tp);
  // The partition is no longer ours; its in-flight work is forgotten. Returns how many
  // messages were in flight (abandoned, to be redelivered to the next owner).
  std::size_t Revoke(const TopicPartition& tp);

  // A message was handed out for work. Returns false if the partition is not assigned under
  // this generation (the message is stale and must not be worked on).
  bool Begin(const TopicPartition& tp, std::int64_t offset, std::uint64_t generation);

  // The message's work is durable. Returns the offset to store (the next offset to consume,
  // i.e. the last contiguous completed offset + 1) when the completed prefix advanced, nothing
  // when an earlier message is still in flight or the completion is stale.
  std::optional<std::int64_t> Complete(const TopicPartition& tp, std::int64_t offset,
                                       std::uint64_t generation);

  [[nodiscard]] std::size_t InFlight(const TopicPartition& tp) const;
  [[nodiscard]] std::size_t InFlightTotal() const;
  [[nodiscard]] std::optional<std::uint64_t> Generation(const TopicPartition& tp) const;
  [[nodiscard]] std::vector<TopicPartition> Assigned() const;

  // Runs `fn` while holding the tracker's lock, so storing an offset and revoking a partition
  // cannot interleave (a store after revocation would hand a stale offset to the broker).
  template <typename Fn>
  auto WithLock(Fn&& fn) const {
    std::lock_guard lock(mutex_);
    return fn();
  }

 private:
  struct PartitionState {
    std::uint64_t generation = 0;
    std::map<std::int64_t, bool> pending;  // begun offsets -> completed?
  };
  std::optional<std::int64_t> CompleteLocked(PartitionState& state, std::int64_t offset);

  mutable std::recursive_mutex mutex_;
  std::map<TopicPartition, PartitionState> partitions_;
  std::uint64_t next_generation_ = 1;
  std::size_t in_flight_total_ = 0;
};

}  // namespace tributary::kafka
