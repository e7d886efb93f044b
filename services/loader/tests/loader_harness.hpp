#pragma once
// One loader on a scratch database, as one replica would have it: its own session, store and
// core; Kafka faked (dead letters and completions land in an in-memory bus).
#include <gtest/gtest.h>

#include <vector>

#include "common/pg/database.hpp"
#include "common/runtime/testing/in_memory_bus.hpp"
#include "services/loader/core.hpp"
#include "services/loader/pg_store.hpp"
#include "tests/support/scratch_database.hpp"

namespace tributary::loader::testing {

inline constexpr const char* kItemsTopic = "it.embedded";
inline constexpr const char* kEventsTopic = "it.source.events";

struct Loader {
  explicit Loader(const tributary::testing::ScratchDatabase& db, std::size_t batch_size = 1000,
                  InputKind items_kind = InputKind::kEmbedded,
                  std::size_t copy_min_rows = PgStore::kDefaultCopyMinRows,
                  AnnIndex ann_index = AnnIndex::kBuild)
      : database({.dsn = db.Dsn()}, "tributary-loader-it"),
        metrics(registry),
        store(database, &metrics.retries, copy_min_rows, ann_index),
        core({.batch_size = batch_size, .items_topic = kItemsTopic, .items_kind = items_kind,
              .events_topic = kEventsTopic},
             store, bus, bus, metrics) {}

  void Load(const std::vector<kafka::Message>& messages) {
    for (const auto& m : messages) core.Add(m, Core::Clock::now());
    ASSERT_TRUE(core.Flush());
  }

  pg::Database database;
  metrics::Registry registry;
  LoaderMetrics metrics;
  PgStore store;
  runtime::testing::InMemoryBus bus;  // dead letters and completions
  Core core;
};

}  // namespace tributary::loader::testing
