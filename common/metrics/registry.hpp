#pragma once
// Counters, gauges and histograms with labels, exposed in the Prometheus text format (0.0.4).
// Updates are lock-free atomics so instrumenting a hot path costs a few nanoseconds; only creating
// a new label combination takes a lock.
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace tributary::metrics {

class Counter {
 public:
  void Inc(double amount = 1.0) { value_.fetch_add(amount, std::memory_order_relaxed); }
  [[nodiscard]] double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  void Add(double amount) { value_.fetch_add(amount, std::memory_order_relaxed); }
  [[nodiscard]] double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);
  void Observe(double value);

  struct Snapshot {
    std::vector<double> upper_bounds;
    std::vector<std::uint64_t> cumulative_counts;  // one per bound, then +Inf
    double sum = 0;
    std::uint64_t count = 0;
  };
  [[nodiscard]] Snapshot Read() const;

 private:
  std::vector<double> upper_bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // per bucket, last is +Inf
  std::atomic<double> sum_{0.0};
  std::atomic<std::uint64_t> count_{0};
};

// Default buckets: latencies from 1 ms to 60 s.
std::vector<double> LatencyBuckets();
// Sizes from 1 to ~1M (batch sizes, rows).
std::vector<double> SizeBuckets();

// One metric name with a fixed set of label names; each label-value combination is a child.
template <typename T>
class Family {
 public:
  Family(std::vector<std::string> label_names, std::vector<double> buckets = {})
      : label_names_(std::move(label_names)), buckets_(std::move(buckets)) {}

  // The child for these label values (in the order of the label names), created on first use.
  // The reference stays valid for the registry's lifetime, so callers may cache it.
  T& Labels(const std::vector<std::string>& values);

  [[nodiscard]] const std::vector<std::string>& label_names() const { return label_names_; }
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    std::lock_guard lock(mutex_);
    for (const auto& [values, child] : children_) fn(values, *child);
  }

 private:
  std::vector<std::string> label_names_;
  std::vector<double> buckets_;
  mutable std::mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> children_;
};

class Registry {
 public:
  Family<Counter>& CounterFamily(const std::string& name, const std::string& help,
                                 std::vector<std::string> labels);
  Family<Gauge>& GaugeFamily(const std::string& name, const std::string& help,
                             std::vector<std::string> labels);
  Family<Histogram>& HistogramFamily(const std::string& name, const std::string& help,
                                     std::vector<std::string> labels,
                                     std::vector<double> buckets = LatencyBuckets());
  // Unlabelled shorthands.
  Counter& AddCounter(const std::string& name, const std::string& help);
  Gauge& AddGauge(const std::string& name, const std::string& help);
  Histogram& AddHistogram(const std::string& name, const std::string& help,
                          std::vector<double> buckets = LatencyBuckets());

  // The whole registry in the Prometheus text exposition format.
  [[nodiscard]] std::string Expose() const;

 private:
  struct Entry {
    std::string help;
    std::string type;  // counter | gauge | histogram
    std::unique_ptr<Family<Counter>> counters;
    std::unique_ptr<Family<Gauge>> gauges;
    std::unique_ptr<Family<Histogram>> histograms;
  };
  Entry& Declare(const std::string& name, const std::string& help, const std::string& type);

  mutable std::mutex mutex_;
  std::map<std::string, Entry> entries_;
};

// The process's registry, served on /metrics by the admin server.
Registry& Default();

// Escapes a label value per the exposition format: backslash, double quote and newline.
std::string EscapeLabelValue(const std::string& value);

}  // namespace tributary::metrics
