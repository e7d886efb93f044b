// Search benchmark (bench/search/README.md): a generated corpus (default 1,000,000 items, ~3
// passages each) bulk-loaded with binary COPY, the indexes built afterwards and timed, then
// latency percentiles of tributary_search() in hybrid, vector and text mode with and without
// filters, and the vector side's recall@10 and latency against pgvector's exact scan of the
// same queries in the same run.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <functional>
#include <iostream>
#include <pqxx/pqxx>
#include <set>
#include <string>
#include <vector>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "bench/search/synthetic_corpus.hpp"
#include "common/digest/sha256.hpp"
#include "common/log/log.hpp"
#include "common/pg/binary_copy.hpp"
#include "common/pg/copy_in.hpp"
#include "common/pg/vector_text.hpp"
#include "migrations/migrator.hpp"

namespace tributary::bench {
namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::int64_t items = 1'000'000;
  int dims = 384;
  int sources = 1000;
  int queries = 200;
  int exact_queries = 30;
  int batch = 5000;
  std::string database = "bench_search";
  bool keep = false;   // leave the database for another run with --reuse
  bool reuse = false;  // use a database a --keep run left, if it holds --items items
};

constexpr std::int64_t kNewestUnix = 1'796'000'000;  // late 2026
constexpr int kDays = 730;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

// A distinct content hash per item and part; the bench never looks them up.
std::string ContentHash(std::int64_t number, int part) {
  return digest::Sha256Of(fmt::format("{}/{}", number, part));
}

void Progress(const std::string& what) {
  std::cerr << fmt::format("[search_bench {:%H:%M:%S}] {}\n",
                           fmt::localtime(std::time(nullptr)), what);
}

// Items, their vectors and passages by binary COPY, `batch` items per transaction.
void Load(pqxx::connection& c, const SyntheticCorpus& corpus, const Options& o, int model,
          const std::vector<std::int64_t>& sources) {
  const auto started = Clock::now();
  std::int64_t passages = 0;
  for (std::int64_t begin = 0; begin < o.items; begin += o.batch) {
    const auto end = std::min(o.items, begin + o.batch);
    pg::BinaryCopy items, vectors, chunks;
    for (auto n = begin; n < end; ++n) {
      const auto item = corpus.Item(n);
      const auto id = n + 1;
      const auto micros = item.published_unix * 1'000'000;
      items.BeginRow(11);
      items.Int8(id);
      items.Int8(sources[static_cast<std::size_t>(item.source)]);
      items.Text(std::to_string(n));
      items.Text(fmt::format("https://s{}.example/articles/{}", item.source, n));
      items.Text(item.title);
      items.Text(item.text);
      items.Text(item.language ? std::optional<std::string>(item.language) : std::nullopt);
      items.Timestamptz(micros);
      items.Timestamptz(micros);
      items.Timestamptz(micros);
      items.Bytes(ContentHash(n, 0));
      vectors.BeginRow(5);
      vectors.Int8(id);
      vectors.Int4(model);
      vectors.Bytes(ContentHash(n, 1));
      vectors.Vector(item.passages.front().vector);
      vectors.Timestamptz(micros);
      for (std::size_t p = 0; p < item.passages.size(); ++p) {
        const auto& passage = item.passages[p];
        chunks.BeginRow(8);
        chunks.Int8(id);
        chunks.Int4(model);
        chunks.Int4(static_cast<std::int32_t>(p));
        chunks.Int4(passage.char_begin);
        chunks.Int4(passage.char_end);
        chunks.Bytes(ContentHash(n, 2 + static_cast<int>(p)));
        chunks.Vector(passage.vector);
        chunks.Timestamptz(micros);
        ++passages;
      }
    }
    pqxx::work tx(c);
    pg::CopyIn(tx,
               "COPY items (id, source_id, external_id, url, title, content_text, language, "
               "published_at, updated_at, observed_at, content_hash) FROM STDIN (FORMAT binary)",
               items.Finish());
    pg::CopyIn(tx,
               "COPY item_embeddings (item_id, model_id, content_hash, embedding, observed_at) "
               "FROM STDIN (FORMAT binary)",
               vectors.Finish());
    pg::CopyIn(tx,
               "COPY item_chunks (item_id, model_id, chunk, char_begin, char_end, content_hash, "
               "embedding, observed_at) FROM STDIN (FORMAT binary)",
               chunks.Finish());
    tx.commit();
    if ((end / o.batch) % 20 == 0 || end == o.items) {
      Progress(fmt::format("loaded {}/{} items, {} passages, {:.0f} items/s", end, o.items,
                           passages, static_cast<double>(end) / Seconds(started)));
    }
  }
}

struct Timed {
  std::string what;
  double seconds = 0;
  std::string index;  // its size is reported
};

struct Latencies {
  std::string name;
  std::vector<double> ms;
  double mean_results = 0;
};

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto at = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(at, values.size() - 1)];
}

struct Filter {
  std::string name;
  std::optional<std::string> sources;  // bigint[] literal
  std::optional<std::string> since;    // timestamptz
  std::optional<std::string> languages;
};

class Searcher {
 public:
  Searcher(const std::string& dsn, int model) : c_(dsn), model_(model) {
    c_.prepare("search",
               "SELECT item_id FROM tributary_search($1, $2::vector, $3, $4, 10, $5::bigint[], "
               "$6::timestamptz, NULL, $7::text[])");
    // The reference: every vector of the filtered items compared (no index can serve an
    // ORDER BY of an aggregate), each item at its nearest passage or item vector, as
    // tributary_search ranks them.
    c_.prepare("exact", R"(
      SELECT h.item_id FROM (
        SELECT c.item_id, c.embedding <=> $1::vector AS distance
          FROM item_chunks c JOIN items i ON i.id = c.item_id
         WHERE c.model_id = $2 AND ($3::bigint[] IS NULL OR i.source_id = ANY ($3))
           AND ($4::timestamptz IS NULL OR coalesce(i.published_at, i.first_seen_at) >= $4)
        UNION ALL
        SELECT e.item_id, e.embedding <=> $1::vector
          FROM item_embeddings e JOIN items i ON i.id = e.item_id
         WHERE e.model_id = $2 AND ($3::bigint[] IS NULL OR i.source_id = ANY ($3))
           AND ($4::timestamptz IS NULL OR coalesce(i.published_at, i.first_seen_at) >= $4)
      ) h GROUP BY h.item_id ORDER BY min(h.distance), h.item_id LIMIT 10)");
  }
  // Item ids of one search, best first.
  std::vector<std::int64_t> Run(const SyntheticQuery& q, const std::string& mode,
                                const Filter& f) {
    pqxx::work tx(c_);
    std::vector<std::int64_t> ids;
    const auto vector =
        mode == "text" ? std::optional<std::string>() : pg::VectorText(q.vector);
    const auto model = mode == "text" ? std::optional<int>() : std::optional<int>(model_);
    for (const auto& row : tx.exec_prepared("search", q.text, vector, model, mode, f.sources,
                                            f.since, f.languages)) {
      ids.push_back(row[0].as<std::int64_t>());
    }
    tx.commit();
    return ids;
  }
  // The 10 nearest items by pgvector's exact distances (cosine: the bench model's), best first.
  std::vector<std::int64_t> Exact(const SyntheticQuery& q, const Filter& f) {
    pqxx::work tx(c_);
    tx.exec0("SET LOCAL plan_cache_mode = force_custom_plan");  // the filters fold per query
    std::vector<std::int64_t> ids;
    for (const auto& row :
         tx.exec_prepared("exact", pg::VectorText(q.vector), model_, f.sources, f.since)) {
      ids.push_back(row[0].as<std::int64_t>());
    }
    tx.commit();
    return ids;
  }

 private:
  pqxx::connection c_;
  int model_;
};

int Run(const Options& o) {
  log::Setup({.format = "text", .level = "warn"});
  const SyntheticCorpus corpus(20261206, o.dims, o.sources, kNewestUnix, kDays);
  const std::string dsn = "dbname=" + o.database;
  bool loaded = false;
  {
    pqxx::connection admin("");
    pqxx::nontransaction tx(admin);
    const bool exists =
        tx.exec_params1("SELECT count(*) FROM pg_database WHERE datname = $1", o.database)[0]
            .as<int>() > 0;
    if (exists && o.reuse) {
      pqxx::connection probe(dsn);
      pqxx::nontransaction ptx(probe);
      loaded = ptx.exec1("SELECT count(*) FROM items")[0].as<std::int64_t>() == o.items;
      if (!loaded) throw std::runtime_error("--reuse: " + o.database + " holds other items");
    } else {
      if (exists) tx.exec0("DROP DATABASE " + tx.quote_name(o.database) + " WITH (FORCE)");
      tx.exec0("CREATE DATABASE " + tx.quote_name(o.database));
    }
  }
  const auto drop = [&] {
    if (o.keep) return;
    pqxx::connection admin("");
    pqxx::nontransaction tx(admin);
    tx.exec0("DROP DATABASE IF EXISTS " + tx.quote_name(o.database) + " WITH (FORCE)");
  };
  try {
    pqxx::connection c(dsn);
    std::vector<Timed> builds;
    double load_seconds = 0;
    // A kept database gets the migrations that came since (timed: what an upgrade costs).
    const auto migrated_at = Clock::now();
    if (auto m = migrations::ApplyMigrations(c, migrations::MigrationsFromEmbedded()); !m) {
      throw std::runtime_error(m.error().message);
    }
    if (loaded) Progress(fmt::format("migrations up to date in {:.0f} s", Seconds(migrated_at)));
    if (!loaded) {
      pqxx::work tx(c);
      tx.exec_params0("INSERT INTO sources (url) SELECT 'https://s' || g || '.example/feed' "
                      "FROM generate_series(0, $1 - 1) g",
                      o.sources);
      tx.exec_params0("INSERT INTO embedding_models (name, version, dims) VALUES "
                      "('bench-latent', '1', $1)",
                      o.dims);
      // Bulk load first, indexes after: what anyone loading a million rows does.
      tx.exec0("DROP INDEX item_documents_document_idx");
      tx.commit();
    }
    const auto model =
        pqxx::nontransaction(c).exec1("SELECT id FROM embedding_models")[0].as<int>();
    std::vector<std::int64_t> sources;
    for (const auto& row : pqxx::nontransaction(c).exec("SELECT id FROM sources ORDER BY id")) {
      sources.push_back(row[0].as<std::int64_t>());
    }
    if (!loaded) {
      const auto started = Clock::now();
      Load(c, corpus, o, model, sources);
      load_seconds = Seconds(started);
      pqxx::nontransaction tx(c);
      tx.exec0("SET maintenance_work_mem = '6GB'");
      tx.exec0("SET max_parallel_maintenance_workers = 1");  // with the leader: both cores
      const auto build = [&](const std::string& what, const std::string& index,
                             const std::string& ddl) {
        Progress("building " + what);
        const auto at = Clock::now();
        tx.exec0(ddl);
        builds.push_back({what, Seconds(at), index});
      };
      build("item_documents GIN (full text)", "item_documents_document_idx",
            "CREATE INDEX item_documents_document_idx ON item_documents USING gin (document)");
      const auto name = [&](const char* function) {
        return tx.exec_params1(fmt::format("SELECT {}($1)", function), model)[0]
            .as<std::string>();
      };
      const auto ddl = [&](const char* function) {
        return tx.exec_params1(fmt::format("SELECT {}($1, false)", function), model)[0]
            .as<std::string>();
      };
      build("item_chunks HNSW (passages)", name("tributary_chunk_index_name"),
            ddl("tributary_chunk_index_ddl"));
      build("item_embeddings HNSW (items)", name("tributary_model_index_name"),
            ddl("tributary_model_index_ddl"));
      Progress("VACUUM ANALYZE");
      tx.exec0("VACUUM ANALYZE");
    }

    // The report's first part: corpus, load, indexes.
    pqxx::nontransaction info(c);
    const auto passages = info.exec1("SELECT count(*) FROM item_chunks")[0].as<std::int64_t>();
    const auto size = [&](const std::string& relation) {
      return info.exec_params1("SELECT pg_total_relation_size($1::regclass)", relation)[0]
                 .as<double>() /
             (1 << 20);
    };
    std::cout << fmt::format(
        "corpus: {} items, {} passages ({:.2f} per item), {} dims, {} sources, {} days\n",
        o.items, passages, static_cast<double>(passages) / static_cast<double>(o.items), o.dims,
        o.sources, kDays);
    if (!loaded) {
      std::cout << fmt::format("bulk load (binary COPY; documents by the items trigger): "
                               "{:.0f} s, {:.0f} items/s\n",
                               load_seconds, static_cast<double>(o.items) / load_seconds);
    }
    std::cout << fmt::format("tables: items {:.0f} MB, item_documents {:.0f} MB, item_chunks "
                             "{:.0f} MB, item_embeddings {:.0f} MB, item_vector_bits {:.0f} MB "
                             "(with their indexes)\n",
                             size("items"), size("item_documents"), size("item_chunks"),
                             size("item_embeddings"), size("item_vector_bits"));
    for (const auto& b : builds) {
      std::cout << fmt::format("index {:<32} built in {:>7.1f} s, {:>7.0f} MB\n", b.what,
                               b.seconds, size(b.index));
    }

    Searcher searcher(dsn, model);
    const std::vector<Filter> filters = {
        {"", std::nullopt, std::nullopt, std::nullopt},
        {" + since 30d", std::nullopt,
         fmt::format("{:%Y-%m-%d}", fmt::gmtime(static_cast<std::time_t>(kNewestUnix -
                                                                         30 * 86400))),
         std::nullopt},
        {" + since 1d", std::nullopt,
         fmt::format("{:%Y-%m-%d %H:%M:%S+00}",
                     fmt::gmtime(static_cast<std::time_t>(kNewestUnix - 86400))),
         std::nullopt},
        {" + 10 sources", "{" + fmt::format("{}", fmt::join(sources.begin(),
                                                               sources.begin() + 10, ",")) +
                              "}",
         std::nullopt, std::nullopt},
        {" + lang de", std::nullopt, std::nullopt, "{de}"},
    };
    std::vector<SyntheticQuery> queries;
    for (int q = 0; q < o.queries; ++q) queries.push_back(corpus.Query(q));
    // Each set runs once to warm the caches (the target is for a warm cache: the database is
    // larger than the memory, and each filter reads pages of its own), then is measured.
    std::vector<Latencies> rows;
    for (const auto* mode : {"hybrid", "vector", "text"}) {
      for (const auto& f : filters) {
        Progress(fmt::format("{}{}", mode, f.name));
        for (const auto& q : queries) searcher.Run(q, mode, f);
        Latencies l{fmt::format("{}{}", mode, f.name), {}, 0};
        double results = 0;
        for (const auto& q : queries) {
          const auto at = Clock::now();
          results += static_cast<double>(searcher.Run(q, mode, f).size());
          l.ms.push_back(Seconds(at) * 1000);
        }
        l.mean_results = results / static_cast<double>(queries.size());
        rows.push_back(std::move(l));
      }
    }
    // pgvector's exact distances for the same vector queries: the recall reference and its
    // latency. Without filter (HNSW), and with the two filters whose few items are ranked by
    // their bits (0022).
    std::vector<std::string> recall_lines;
    for (const auto& f : {filters[0], filters[1], filters[3]}) {
      if (o.exact_queries <= 0) break;  // --exact-queries 0: latencies only
      Progress(fmt::format("exact vector{}", f.name));
      Latencies l{fmt::format("vector{}, exact scan", f.name), {}, 0};
      double found = 0, wanted = 0, results = 0;
      for (int q = 0; q < std::min(o.exact_queries, o.queries); ++q) {
        const auto& query = queries[static_cast<std::size_t>(q)];
        const auto at = Clock::now();
        const auto exact = searcher.Exact(query, f);
        l.ms.push_back(Seconds(at) * 1000);
        results += static_cast<double>(exact.size());
        const auto approximate = searcher.Run(query, "vector", f);
        const std::set<std::int64_t> truth(exact.begin(), exact.end());
        for (const auto id : approximate) found += truth.contains(id) ? 1 : 0;
        wanted += static_cast<double>(exact.size());
      }
      l.mean_results = results / std::max(1, std::min(o.exact_queries, o.queries));
      rows.push_back(std::move(l));
      recall_lines.push_back(fmt::format("recall@10 of vector{} ({}) vs exact: "
                                         "{:.3f} over {} queries",
                                         f.name, f.name.empty() ? "HNSW, ef_search 100" : "bits",
                                         wanted > 0 ? found / wanted : 0.0,
                                         std::min(o.exact_queries, o.queries)));
    }
    std::cout << fmt::format("{:<36} {:>8} {:>8} {:>8} {:>9} {:>14}\n", "query (warm)", "p50 ms",
                             "p95 ms", "p99 ms", "results", "p95 vs 100 ms");
    for (const auto& r : rows) {
      const double p95 = Percentile(r.ms, 0.95);
      std::cout << fmt::format("{:<36} {:>8.1f} {:>8.1f} {:>8.1f} {:>9.1f} {:>13.2f}x\n",
                               fmt::format("{} ({})", r.name, r.ms.size()),
                               Percentile(r.ms, 0.50), p95, Percentile(r.ms, 0.99),
                               r.mean_results, p95 / 100.0);
    }
    for (const auto& line : recall_lines) std::cout << line << "\n";
  } catch (...) {
    drop();
    throw;
  }
  drop();
  return 0;
}

void Usage() {
  std::cerr << "usage: search_bench [--items N] [--dims N] [--sources N] [--queries N]\n"
               "                    [--exact-queries N] [--batch N] [--database NAME]\n"
               "                    [--keep] [--reuse]\n"
               "Connects with the PG* variables (source deploy/local/env.sh). See "
               "bench/search/README.md.\n";
}

}  // namespace
}  // namespace tributary::bench

int main(int argc, char** argv) {
  tributary::bench::Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (flag == "--keep") {
      o.keep = true;
      continue;
    }
    if (flag == "--reuse") {
      o.reuse = o.keep = true;
      continue;
    }
    if (flag == "--help" || flag == "-h" || i + 1 >= argc) {
      tributary::bench::Usage();
      return flag == "--help" || flag == "-h" ? 0 : 2;
    }
    const std::string value = argv[++i];
    try {
      if (flag == "--items") o.items = std::stoll(value);
      else if (flag == "--dims") o.dims = std::stoi(value);
      else if (flag == "--sources") o.sources = std::stoi(value);
      else if (flag == "--queries") o.queries = std::stoi(value);
      else if (flag == "--exact-queries") o.exact_queries = std::stoi(value);
      else if (flag == "--batch") o.batch = std::stoi(value);
      else if (flag == "--database") o.database = value;
      else {
        tributary::bench::Usage();
        return 2;
      }
    } catch (const std::exception&) {
      std::cerr << "search_bench: " << flag << " needs a number, not '" << value << "'\n";
      return 2;
    }
  }
  try {
    return tributary::bench::Run(o);
  } catch (const std::exception& e) {
    std::cerr << "search_bench: " << e.what() << "\n";
    return 1;
  }
}
