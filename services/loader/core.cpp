#include "services/loader/core.hpp"

#include <algorithm>

namespace tributary::loader {

Core::Core(CoreSettings settings, Store& store, runtime::DeadLetters& dead_letters,
           runtime::Completions& completions, LoaderMetrics& metrics)
    : settings_(std::move(settings)),
      store_(store),
      completions_(completions),
      dead_letterer_(dead_letters, completions),
      metrics_(metrics) {}

void Core::Add(kafka::Message message, Clock::time_point now) {
  const InputKind kind =
      message.topic == settings_.events_topic ? InputKind::kSourceEvent : settings_.items_kind;
  auto record = DecodeRecord(message, kind);
  if (!record) {
    dead_letterer_.DeadLetter(message, record.error());
    return;
  }
  if (pending_.empty()) oldest_ = now;
  pending_.push_back({std::move(message), std::move(*record)});
  if (pending_.size() >= settings_.batch_size) Flush();
}

void Core::FlushIfDue(Clock::time_point now) {
  if (!pending_.empty() &&
      (pending_.size() >= settings_.batch_size || now - oldest_ >= settings_.batch_linger)) {
    Flush();
  }
}

bool Core::Flush() {
  if (pending_.empty()) return true;
  const auto started = Clock::now();
  const auto size = pending_.size();
  const bool done = WriteRange(0, size) == Outcome::kDone;
  if (done) {
    metrics_.batch_size.Observe(static_cast<double>(size));
    metrics_.batch_seconds.Observe(std::chrono::duration<double>(Clock::now() - started).count());
  }
  // Abandoned (shutdown): offsets stay unstored, the next owner gets the messages again.
  pending_.clear();
  return done;
}

Core::Outcome Core::WriteRange(std::size_t begin, std::size_t end) {
  std::vector<const loader::Record*> records;
  records.reserve(end - begin);
  for (std::size_t i = begin; i < end; ++i) records.push_back(&pending_[i].record);
  const auto result = store_.Write(BuildBatch(records));
  if (result) {
    RecordStats(*result);
    for (std::size_t i = begin; i < end; ++i) completions_.Complete(pending_[i].message);
    return Outcome::kDone;
  }
  if (result.error().retryable()) return Outcome::kAbandoned;
  if (end - begin == 1) {
    dead_letterer_.DeadLetter(pending_[begin].message, result.error());
    return Outcome::kDone;
  }
  // A data error names no row: halve until each bad record stands alone; the good halves load.
  // The halves are written in order, and the observed_at guard keeps versions monotonic anyway.
  metrics_.splits.Inc();
  const std::size_t middle = begin + (end - begin) / 2;
  if (WriteRange(begin, middle) == Outcome::kAbandoned) return Outcome::kAbandoned;
  return WriteRange(middle, end);
}

void Core::DropPartitions(const std::vector<kafka::TopicPartition>& partitions) {
  const auto before = pending_.size();
  std::erase_if(pending_, [&](const Pending& p) {
    return std::find(partitions.begin(), partitions.end(), p.message.Partition()) !=
           partitions.end();
  });
  metrics_.dropped.Inc(static_cast<double>(before - pending_.size()));
}

void Core::RecordStats(const WriteStats& stats) {
  metrics_.items_inserted.Inc(static_cast<double>(stats.items_inserted));
  metrics_.items_updated.Inc(static_cast<double>(stats.items_updated));
  metrics_.items_unchanged.Inc(static_cast<double>(stats.items_unchanged));
  metrics_.embeddings_written.Inc(static_cast<double>(stats.embeddings_written));
  metrics_.chunks_written.Inc(static_cast<double>(stats.chunks_written));
  metrics_.chunks_deleted.Inc(static_cast<double>(stats.chunks_deleted));
  metrics_.fetch_log_written.Inc(static_cast<double>(stats.fetch_log_written));
  metrics_.sources_updated.Inc(static_cast<double>(stats.sources_updated));
  metrics_.feeds_written.Inc(static_cast<double>(stats.feeds_written));
  metrics_.articles_merged.Inc(static_cast<double>(stats.articles_merged));
  metrics_.articles_failed.Inc(static_cast<double>(stats.articles_failed));
}

}  // namespace tributary::loader
