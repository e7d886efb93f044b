// Loader write-path benchmark (bench/loader/README.md): rows/s of the loader's upserts for 100%
// new, 100% unchanged and 10% changed batches, next to the ceiling measured in the same run on
// the same tables and indexes: plain binary COPY of the same rows. Also WAL bytes per row.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <iostream>
#include <limits>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "bench/loader/write_paths.hpp"
#include "common/log/log.hpp"
#include "common/pg/database.hpp"
#include "migrations/migrator.hpp"
#include "services/loader/batch.hpp"
#include "services/loader/decode.hpp"
#include "services/loader/pg_store.hpp"
#include "services/loader/sql.hpp"
#include "services/loader/tests/fixtures.hpp"

namespace tributary::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int rows = 20'000;
  int batch = 1000;
  int dims = 384;
  int copy_min_rows = static_cast<int>(loader::PgStore::kDefaultCopyMinRows);
};

struct Scenario {
  std::string name;
  double seconds = 0;
  long long wal_bytes = 0;
  int rows = 0;
};

std::vector<v1::EmbeddedItem> MakeRows(const Options& o, const std::vector<std::int64_t>& sources,
                                       int version_every, int changed_version) {
  std::vector<v1::EmbeddedItem> rows;
  for (int i = 0; i < o.rows; ++i) {
    const bool changed = version_every > 0 && i % version_every == 0;
    const int version = changed ? changed_version : 1;
    auto item = loader::testing::MakeItem(sources[static_cast<std::size_t>(i) % sources.size()],
                                          "item-" + std::to_string(i), version,
                                          1'700'000'000 + version);
    item.set_content_text(std::string(600, 'x') + std::to_string(i));
    rows.push_back(loader::testing::MakeEmbedded(item, o.dims, i + version));
    for (int d = 0; d < o.dims; ++d) {
      rows.back().set_vector(d, static_cast<float>((i * 31 + d * 7 + version) % 97) / 97.0F);
    }
  }
  return rows;
}

long long WalLsn(pqxx::connection& c) {
  pqxx::nontransaction tx(c);
  return tx.exec1("SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0')::bigint")[0]
      .as<long long>();
}

Scenario Measure(const std::string& name, int rows, pqxx::connection& probe,
                 const std::function<void()>& work) {
  const auto wal_before = WalLsn(probe);
  const auto started = Clock::now();
  work();
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  return {name, seconds, WalLsn(probe) - wal_before, rows};
}

std::vector<loader::ItemRow> Decode(const std::vector<v1::EmbeddedItem>& rows) {
  std::vector<loader::ItemRow> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(*loader::ToItemRow(r));
  return out;
}

void LoaderPath(loader::PgStore& store, const std::vector<loader::ItemRow>& rows, int batch) {
  for (std::size_t begin = 0; begin < rows.size(); begin += static_cast<std::size_t>(batch)) {
    const auto end = std::min(rows.size(), begin + static_cast<std::size_t>(batch));
    std::vector<loader::Record> records;
    for (std::size_t i = begin; i < end; ++i) records.emplace_back(rows[i]);
    std::vector<const loader::Record*> pointers;
    for (const auto& r : records) pointers.push_back(&r);
    if (auto written = store.Write(loader::BuildBatch(pointers)); !written) {
      throw std::runtime_error(written.error().ToString());
    }
  }
}

int Run(const Options& o) {
  log::Setup({.format = "text", .level = "warn"});
  const std::string db_name = fmt::format("bench_loader_{}", getpid());
  {
    pqxx::connection admin("");
    pqxx::nontransaction tx(admin);
    tx.exec0("CREATE DATABASE " + tx.quote_name(db_name));
  }
  const std::string dsn = "dbname=" + db_name;
  std::vector<Scenario> results;
  try {
    pqxx::connection probe(dsn);
    if (auto m = migrations::ApplyMigrations(probe, migrations::MigrationsFromEmbedded()); !m) {
      throw std::runtime_error(m.error().message);
    }
    std::vector<std::int64_t> sources;
    {
      pqxx::work tx(probe);
      for (const auto& row : tx.exec("INSERT INTO sources (url) SELECT 'https://s' || g || "
                                     "'.example/' FROM generate_series(1, 20) g RETURNING id")) {
        sources.push_back(row[0].as<std::int64_t>());
      }
      tx.commit();
    }
    pg::Database database({.dsn = dsn}, "loader-bench");
    loader::PgStore store(database, nullptr, static_cast<std::size_t>(o.copy_min_rows));
    const auto model = store.ModelId({.name = "hash", .version = "1", .dims = o.dims});
    if (!model) throw std::runtime_error(model.error().ToString());

    const auto v1_rows = MakeRows(o, sources, 0, 1);
    const auto v1_decoded = Decode(v1_rows);
    const auto changed_decoded = Decode(MakeRows(o, sources, 10, 2));
    auto truncate = [&] {
      pqxx::work tx(probe);
      tx.exec0("TRUNCATE items, stories, story_items, item_embeddings, item_chunks, "
               "item_documents, item_vector_bits");
      tx.commit();
      pqxx::nontransaction vac(probe);
      vac.exec0("VACUUM ANALYZE items");
      vac.exec0("VACUUM ANALYZE item_embeddings");
    };

    results.push_back(Measure("binary COPY (ceiling)", o.rows, probe, [&] {
      CopyCeiling(dsn, v1_rows, v1_decoded, o.batch, *model);
    }));
    truncate();
    results.push_back(Measure("loader, 100% new", o.rows, probe,
                              [&] { LoaderPath(store, v1_decoded, o.batch); }));
    results.push_back(Measure("loader, 100% unchanged", o.rows, probe,
                              [&] { LoaderPath(store, v1_decoded, o.batch); }));
    results.push_back(Measure("loader, 10% changed", o.rows, probe,
                              [&] { LoaderPath(store, changed_decoded, o.batch); }));
    // The same loader with every batch on the unnest path, to justify --copy-min-rows.
    pg::Database unnest_database({.dsn = dsn}, "loader-bench-unnest");
    loader::PgStore unnest_store(unnest_database, nullptr,
                                 std::numeric_limits<std::size_t>::max());
    truncate();
    results.push_back(Measure("loader, 100% new, unnest only", o.rows, probe,
                              [&] { LoaderPath(unnest_store, v1_decoded, o.batch); }));
    // The ceiling again, so neither side gains from running first (cache, HNSW warm-up).
    truncate();
    results.push_back(Measure("binary COPY (ceiling, 2nd)", o.rows, probe, [&] {
      CopyCeiling(dsn, v1_rows, v1_decoded, o.batch, *model);
    }));
    // Write-path choice: the same upserts (items + vectors, no stories) both ways.
    pqxx::connection direct(dsn);
    direct.prepare("items", loader::sql::kUpsertItems);
    direct.prepare("vectors", loader::sql::kUpsertEmbeddings);
    for (int size : {o.batch, o.batch * 10}) {
      truncate();
      results.push_back(Measure(fmt::format("unnest upsert, new, b={}", size), o.rows, probe,
                                [&] { UnnestPath(direct, v1_decoded, size, *model); }));
      results.push_back(Measure(fmt::format("unnest upsert, same, b={}", size), o.rows, probe,
                                [&] { UnnestPath(direct, v1_decoded, size, *model); }));
      truncate();
      results.push_back(Measure(fmt::format("temp COPY upsert, new, b={}", size), o.rows, probe,
                                [&] { TempCopyPath(dsn, v1_rows, v1_decoded, size, *model); }));
      results.push_back(Measure(fmt::format("temp COPY upsert, same, b={}", size), o.rows, probe,
                                [&] { TempCopyPath(dsn, v1_rows, v1_decoded, size, *model); }));
    }
  } catch (...) {
    pqxx::connection admin("");
    pqxx::nontransaction tx(admin);
    tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(db_name) + " WITH (FORCE)");
    throw;
  }
  {
    pqxx::connection admin("");
    pqxx::nontransaction tx(admin);
    tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(db_name) + " WITH (FORCE)");
  }
  const double ceiling = std::max(results[0].rows / results[0].seconds,
                                  results[5].rows / results[5].seconds);
  std::cout << fmt::format("rows={} batch={} dims={} (items + item_embeddings, HNSW index on)\n",
                           o.rows, o.batch, o.dims);
  std::cout << fmt::format("{:<32} {:>10} {:>12} {:>16}\n", "path", "rows/s", "vs COPY",
                           "WAL bytes/row");
  for (const auto& r : results) {
    const double rate = r.rows / r.seconds;
    std::cout << fmt::format("{:<32} {:>10.0f} {:>11.2f}x {:>16.0f}\n", r.name, rate,
                             rate / ceiling, static_cast<double>(r.wal_bytes) / r.rows);
  }
  const double news = results[1].rows / results[1].seconds;
  const double unchanged = results[2].rows / results[2].seconds;
  std::cout << fmt::format("ceiling = best of the two COPY runs; unchanged vs new: {:.2f}x\n",
                           unchanged / news);
  return 0;
}

}  // namespace
}  // namespace tributary::bench

int main(int argc, char** argv) {
  tributary::bench::Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const int value = std::stoi(argv[i + 1]);
    if (flag == "--rows") o.rows = value;
    else if (flag == "--batch") o.batch = value;
    else if (flag == "--dims") o.dims = value;
    else if (flag == "--copy-min-rows") o.copy_min_rows = value;
    else {
      std::cerr << "usage: loader_bench [--rows N] [--batch N] [--dims N] [--copy-min-rows N]\n";
      return 2;
    }
  }
  try {
    return tributary::bench::Run(o);
  } catch (const std::exception& e) {
    std::cerr << "loader_bench: " << e.what() << "\n";
    return 1;
  }
}
