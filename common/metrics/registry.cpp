#include "common/metrics/registry.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace tributary::metrics {

Histogram::Histogram(std::vector<double> upper_bounds)
    : upper_bounds_(std::move(upper_bounds)),
      counts_(new std::atomic<std::uint64_t>[upper_bounds_.size() + 1]) {
  for (std::size_t i = 0; i <= upper_bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::Observe(double value) {
  std::size_t bucket = 0;
  while (bucket < upper_bounds_.size() && value > upper_bounds_[bucket]) ++bucket;
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::Read() const {
  Snapshot snapshot{.upper_bounds = upper_bounds_};
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= upper_bounds_.size(); ++i) {
    running += counts_[i].load(std::memory_order_relaxed);
    snapshot.cumulative_counts.push_back(running);
  }
  snapshot.sum = sum_.load(std::memory_order_relaxed);
  // The +Inf bucket is the count by definition; using it keeps the two consistent in a snapshot
  // taken while other threads observe.
  snapshot.count = running;
  return snapshot;
}

std::vector<double> LatencyBuckets() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};
}

std::vector<double> SizeBuckets() {
  return {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 100000, 1000000};
}

template <typename T>
T& Family<T>::Labels(const std::vector<std::string>& values) {
  if (values.size() != label_names_.size()) {
    throw std::invalid_argument(fmt::format("metric expects {} label values, got {}",
                                            label_names_.size(), values.size()));
  }
  std::lock_guard lock(mutex_);
  auto& child = children_[values];
  if (!child) {
    if constexpr (std::is_same_v<T, Histogram>) {
      child = std::make_unique<T>(buckets_);
    } else {
      child = std::make_unique<T>();
    }
  }
  return *child;
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

Registry::Entry& Registry::Declare(const std::string& name, const std::string& help,
                                   const std::string& type) {
  auto [it, inserted] = entries_.try_emplace(name);
  if (!inserted && it->second.type != type) {
    throw std::logic_error("metric " + name + " declared as " + it->second.type + " and " + type);
  }
  it->second.help = help;
  it->second.type = type;
  return it->second;
}

Family<Counter>& Registry::CounterFamily(const std::string& name, const std::string& help,
                                         std::vector<std::string> labels) {
  std::lock_guard lock(mutex_);
  auto& entry = Declare(name, help, "counter");
  if (!entry.counters) entry.counters = std::make_unique<Family<Counter>>(std::move(labels));
  return *entry.counters;
}

Family<Gauge>& Registry::GaugeFamily(const std::string& name, const std::string& help,
                                     std::vector<std::string> labels) {
  std::lock_guard lock(mutex_);
  auto& entry = Declare(name, help, "gauge");
  if (!entry.gauges) entry.gauges = std::make_unique<Family<Gauge>>(std::move(labels));
  return *entry.gauges;
}

Family<Histogram>& Registry::HistogramFamily(const std::string& name, const std::string& help,
                                             std::vector<std::string> labels,
                                             std::vector<double> buckets) {
  std::lock_guard lock(mutex_);
  auto& entry = Declare(name, help, "histogram");
  if (!entry.histograms) {
    entry.histograms =
        std::make_unique<Family<Histogram>>(std::move(labels), std::move(buckets));
  }
  return *entry.histograms;
}

Counter& Registry::AddCounter(const std::string& name, const std::string& help) {
  return CounterFamily(name, help, {}).Labels({});
}

Gauge& Registry::AddGauge(const std::string& name, const std::string& help) {
  return GaugeFamily(name, help, {}).Labels({});
}

Histogram& Registry::AddHistogram(const std::string& name, const std::string& help,
                                  std::vector<double> buckets) {
  return HistogramFamily(name, help, {}, std::move(buckets)).Labels({});
}

std::string EscapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

namespace {

std::string FormatValue(double value) {
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  if (std::isnan(value)) return "NaN";
  return fmt::format("{}", value);
}

// `{a="x",b="y"}` plus an optional extra pair (the histogram's `le`); empty when no labels.
std::string LabelText(const std::vector<std::string>& names, const std::vector<std::string>& values,
                      const std::string& extra_name = {}, const std::string& extra_value = {}) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    out += fmt::format("{}{}=\"{}\"", out.empty() ? "" : ",", names[i], EscapeLabelValue(values[i]));
  }
  if (!extra_name.empty()) {
    out += fmt::format("{}{}=\"{}\"", out.empty() ? "" : ",", extra_name, extra_value);
  }
  return out.empty() ? out : "{" + out + "}";
}

}  // namespace

std::string Registry::Expose() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, entry] : entries_) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, entry.help, name, entry.type);
    if (entry.counters) {
      entry.counters->ForEach([&](const auto& values, const Counter& c) {
        out += fmt::format("{}{} {}\n", name, LabelText(entry.counters->label_names(), values),
                           FormatValue(c.Value()));
      });
    }
    if (entry.gauges) {
      entry.gauges->ForEach([&](const auto& values, const Gauge& g) {
        out += fmt::format("{}{} {}\n", name, LabelText(entry.gauges->label_names(), values),
                           FormatValue(g.Value()));
      });
    }
    if (entry.histograms) {
      const auto& names = entry.histograms->label_names();
      entry.histograms->ForEach([&](const auto& values, const Histogram& h) {
        const auto snap = h.Read();
        for (std::size_t i = 0; i < snap.upper_bounds.size(); ++i) {
          out += fmt::format("{}_bucket{} {}\n", name,
                             LabelText(names, values, "le", FormatValue(snap.upper_bounds[i])),
                             snap.cumulative_counts[i]);
        }
        out += fmt::format("{}_bucket{} {}\n", name, LabelText(names, values, "le", "+Inf"),
                           snap.count);
        out += fmt::format("{}_sum{} {}\n", name, LabelText(names, values), FormatValue(snap.sum));
        out += fmt::format("{}_count{} {}\n", name, LabelText(names, values), snap.count);
      });
    }
  }
  return out;
}

Registry& Default() {
  static Registry registry;
  return registry;
}

}  // namespace tributary::metrics
