#include "services/cli/sources_command.hpp"

#include <fmt/format.h>

#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/base/url_credentials.hpp"
#include "common/config/spec.hpp"
#include "common/log/log.hpp"
#include "common/pg/database.hpp"
#include "services/cli/database_session.hpp"
#include "services/cli/opml.hpp"
#include "services/cli/source_ref.hpp"
#include "services/cli/subcommands.hpp"
#include "services/scheduler/request_builder.hpp"

namespace tributary::cli {
namespace {

constexpr std::string_view kUsage = R"(Usage: tributary sources SUBCOMMAND [flags]

Subcommands:
  add URL...           Register sources (or update the settings given for existing ones).
  import-opml FILE     Register every feed of an OPML export (FILE or - for stdin).
  list                 One line per source: state, last outcome, next fetch.
  show ID|URL          Everything about one source, with its latest fetches.
  disable ID|URL...    Stop scheduling these sources (their rows stay).
  enable ID|URL...     Schedule them again, starting now.

Run `tributary sources SUBCOMMAND --help` for its flags.
)";

const std::vector<std::string> kKinds = {"auto",     "rss",      "atom", "jsonfeed",
                                         "sitemap",  "json_api", "page"};

// What every subcommand shares: where the database is, how to log, JSON or text.
struct Common {
  pg::Settings pg;
  log::Settings log;
  bool json = false;

  void AddTo(config::Spec& spec) {
    pg::AddSettings(spec, &pg);
    log::AddSettings(spec, &log);
    spec.Bool("json", &json, "Print JSON instead of text.");
  }
};

std::string ReadAll(const std::string& path) {
  if (path == "-") {
    std::ostringstream in;
    in << std::cin.rdbuf();
    return in.str();
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) throw std::runtime_error("cannot open " + path);
  std::ostringstream in;
  in << file.rdbuf();
  return in.str();
}

bool IsHttpUrl(const std::string& url) {
  auto lower = url.substr(0, 8);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return lower.starts_with("http://") || lower.starts_with("https://");
}

std::string Text(const pqxx::field& f) { return f.is_null() ? "" : f.c_str(); }

// The URL as stored: a password in it is never used (the fetcher sends no URL credentials), so
// it is not kept either, and nothing derived from the row can carry it.
std::string StoredUrl(const std::string& url) {
  auto stored = RedactUrlPassword(url);
  if (stored != url) {
    std::cerr << "tributary sources: the password in " << stored
              << " is not stored (tributary never sends credentials written in a URL)\n";
  }
  return stored;
}

nlohmann::json JsonValue(const pqxx::field& f) {
  if (f.is_null()) return nullptr;
  return f.c_str();
}

struct Upsert {
  std::string url;
  std::string kind;         // empty: keep (auto for a new source)
  std::string name;         // empty: keep
  std::int64_t interval_ms = 0;  // 0: keep (30 min for a new source)
  std::string config_json;  // empty: keep ({} for a new source)
  std::string config_patch_json;  // keys set over the config (--full-text ...); empty: none
  bool disable = false;
};

// Returns (id, inserted).
std::pair<std::int64_t, bool> UpsertSource(pqxx::work& tx, const Upsert& u) {
  const std::string interval_ms = std::to_string(u.interval_ms);
  const auto row = tx.exec_params1(
      R"(INSERT INTO sources (url, kind, name, fetch_interval, config, enabled)
         VALUES ($1, coalesce($2, 'auto'), $3,
                 coalesce(make_interval(secs => $4::double precision / 1000),
                          interval '30 minutes'),
                 coalesce($5::jsonb, '{}'::jsonb) || coalesce($7::jsonb, '{}'::jsonb), NOT $6)
         ON CONFLICT (url) DO UPDATE SET
           kind = coalesce($2, sources.kind),
           name = coalesce($3, sources.name),
           fetch_interval = coalesce(make_interval(secs => $4::double precision / 1000),
                                     sources.fetch_interval),
           config = coalesce($5::jsonb, sources.config) || coalesce($7::jsonb, '{}'::jsonb),
           enabled = CASE WHEN $6 THEN false ELSE sources.enabled END
         RETURNING id, (xmax = 0))",
      u.url, u.kind.empty() ? nullptr : u.kind.c_str(), u.name.empty() ? nullptr : u.name.c_str(),
      u.interval_ms == 0 ? nullptr : interval_ms.c_str(),
      u.config_json.empty() ? nullptr : u.config_json.c_str(), u.disable,
      u.config_patch_json.empty() ? nullptr : u.config_patch_json.c_str());
  return {row[0].as<std::int64_t>(), row[1].as<bool>()};
}

int Add(const config::Source& source) {
  Common common;
  Upsert settings;
  std::chrono::milliseconds interval{0};
  std::vector<std::string> urls;
  std::vector<std::string> kinds = kKinds;
  kinds.insert(kinds.begin(), "");
  std::string full_text;
  int full_text_min_words = 0;
  config::Spec spec("tributary sources add",
                    "Registers sources by URL. Adding a URL that exists updates only the "
                    "settings given here, so the command is safe to repeat.");
  common.AddTo(spec);
  spec.Choice("kind", &settings.kind, kinds,
              "Declared kind (the parser still detects the real format); new sources: auto.")
      .String("name", &settings.name, "A name for people.")
      .Duration("interval", &interval, "Base interval between fetches; new sources: 30m.")
      .String("config", &settings.config_json,
              "Per-source options as a JSON object, e.g. '{\"respect_robots\": true, "
              "\"json_mapping\": {\"items\": \"/data\"}, \"fetch_pages\": true, "
              "\"max_depth\": 1}'.")
      .Choice("full-text", &full_text, {"", "auto", "always", "never"},
              "Feed items: fetch each new or changed item's linked page and merge its article "
              "text into the item: auto (the default) when the item's own text is short, "
              "always, or never. Stored as config.full_text.")
      .Int("full-text-min-words", &full_text_min_words, 0, 1'000'000,
           "With full_text auto: items with fewer words than this get their page; 0 keeps "
           "the stored value (150 when none). Stored as config.full_text_min_words.")
      .Bool("disabled", &settings.disable, "Register (or set) the sources as disabled.")
      .Positional("URL", &urls, "http:// or https:// URLs.");
  if (auto status = spec.EndEarly(spec.Parse(source))) return *status;
  log::Setup(common.log);
  if (urls.empty()) {
    std::cerr << "tributary sources add: expected at least one URL\n";
    return 2;
  }
  for (const auto& url : urls) {
    if (!IsHttpUrl(url)) {
      std::cerr << "tributary sources add: not an http(s) URL: '" << RedactUrlPassword(url)
                << "'\n";
      return 2;
    }
  }
  if (!settings.config_json.empty()) {
    const auto parsed = nlohmann::json::parse(settings.config_json, nullptr, false);
    if (parsed.is_discarded() || !parsed.is_object()) {
      std::cerr << "tributary sources add: --config is not a JSON object: '"
                << settings.config_json << "'\n";
      return 2;
    }
    // The scheduler would skip a malformed option with a warning; here a person is typing.
    std::vector<std::string> problems;
    (void)scheduler::SourceOptionsFrom(settings.config_json, &problems);
    if (!problems.empty()) {
      std::cerr << "tributary sources add: --config: " << problems.front() << "\n";
      return 2;
    }
  }
  nlohmann::json patch = nlohmann::json::object();
  if (!full_text.empty()) patch["full_text"] = full_text;
  if (full_text_min_words > 0) patch["full_text_min_words"] = full_text_min_words;
  if (!patch.empty()) settings.config_patch_json = patch.dump();
  if (interval.count() < 0 || (interval.count() > 0 && interval < std::chrono::seconds(1))) {
    std::cerr << "tributary sources add: --interval must be at least 1s\n";
    return 2;
  }
  settings.interval_ms = interval.count();
  pg::Database database(common.pg, "tributary-cli");
  if (!Connect(database, "sources add")) return 1;
  nlohmann::json out = nlohmann::json::array();
  pqxx::work tx(database.Connection());
  for (const auto& url : urls) {
    settings.url = StoredUrl(url);
    const auto [id, inserted] = UpsertSource(tx, settings);
    out.push_back({{"id", id}, {"url", settings.url}, {"added", inserted}});
  }
  tx.commit();
  for (const auto& entry : out) {
    if (common.json) continue;
    std::cout << fmt::format("{} source {}: {}\n",
                             entry["added"].get<bool>() ? "added" : "updated",
                             entry["id"].get<std::int64_t>(), entry["url"].get<std::string>());
  }
  if (common.json) std::cout << out.dump() << "\n";
  return 0;
}

int ImportOpml(const config::Source& source) {
  Common common;
  std::chrono::milliseconds interval{0};
  std::vector<std::string> files;
  config::Spec spec("tributary sources import-opml",
                    "Registers every feed (<outline xmlUrl=...>) of an OPML file, e.g. a feed "
                    "reader's export. Feeds already registered keep their settings.");
  common.AddTo(spec);
  spec.Duration("interval", &interval, "Base interval for the new sources; default 30m.")
      .Positional("FILE", &files, "The OPML file, or - for standard input.");
  if (auto status = spec.EndEarly(spec.Parse(source))) return *status;
  log::Setup(common.log);
  if (files.size() != 1) {
    std::cerr << "tributary sources import-opml: expected exactly one FILE (or -)\n";
    return 2;
  }
  auto feeds = ParseOpml(ReadAll(files[0]));
  if (!feeds) {
    std::cerr << "tributary sources import-opml: " << files[0] << ": " << feeds.error().message
              << "\n";
    return 1;
  }
  pg::Database database(common.pg, "tributary-cli");
  if (!Connect(database, "sources import-opml")) return 1;
  std::size_t added = 0;
  std::size_t present = 0;
  std::vector<std::string> skipped;
  pqxx::work tx(database.Connection());
  for (const auto& feed : *feeds) {
    if (!IsHttpUrl(feed.url)) {
      skipped.push_back(feed.url);
      continue;
    }
    // Only new rows take the file's values: an import never overwrites what people set.
    const std::string interval_ms = std::to_string(interval.count());
    const auto row = tx.exec_params(
        R"(INSERT INTO sources (url, name, fetch_interval)
           VALUES ($1, $2, coalesce(make_interval(secs => $3::double precision / 1000),
                                    interval '30 minutes'))
           ON CONFLICT (url) DO NOTHING RETURNING id)",
        StoredUrl(feed.url), feed.title.empty() ? nullptr : feed.title.c_str(),
        interval.count() == 0 ? nullptr : interval_ms.c_str());
    ++(row.empty() ? present : added);
  }
  tx.commit();
  if (common.json) {
    std::cout << nlohmann::json{{"feeds", feeds->size()},
                                {"added", added},
                                {"already_registered", present},
                                {"skipped", skipped}}
                     .dump()
              << "\n";
  } else {
    std::cout << fmt::format("{} feeds in {}: {} added, {} already registered, {} skipped\n",
                             feeds->size(), files[0], added, present, skipped.size());
    for (const auto& url : skipped) {
      std::cout << "  skipped (not http/https): " << RedactUrlPassword(url) << "\n";
    }
  }
  return 0;
}

constexpr const char* kListColumns = R"(
SELECT id, url, kind, enabled, fetch_interval::text, last_status, consecutive_failures,
       last_error_class, to_char(next_fetch_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       to_char(last_success_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
       coalesce(name, '')
  FROM sources)";

int List(const config::Source& source) {
  Common common;
  bool failing_only = false;
  config::Spec spec("tributary sources list",
                    "One line per source: id, kind, enabled, interval, last status, consecutive "
                    "failures, next fetch (UTC), URL.");
  common.AddTo(spec);
  spec.Bool("failing", &failing_only, "Only sources whose latest fetch failed.");
  if (auto status = spec.EndEarly(spec.Parse(source))) return *status;
  log::Setup(common.log);
  pg::Database database(common.pg, "tributary-cli");
  if (!Connect(database, "sources list")) return 1;
  pqxx::read_transaction tx(database.Connection());
  const auto rows = tx.exec(std::string(kListColumns) +
                            (failing_only ? " WHERE consecutive_failures > 0" : "") +
                            " ORDER BY id");
  if (common.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& r : rows) {
      out.push_back({{"id", r[0].as<std::int64_t>()},
                     {"url", RedactUrlPassword(r[1].c_str())},
                     {"kind", r[2].c_str()},
                     {"enabled", r[3].as<bool>()},
                     {"interval", r[4].c_str()},
                     {"last_status",
                      r[5].is_null() ? nlohmann::json() : nlohmann::json(r[5].as<int>())},
                     {"consecutive_failures", r[6].as<int>()},
                     {"last_error_class", JsonValue(r[7])},
                     {"next_fetch_at", JsonValue(r[8])},
                     {"last_success_at", JsonValue(r[9])},
                     {"name", r[10].c_str()}});
    }
    std::cout << out.dump() << "\n";
    return 0;
  }
  std::cout << fmt::format("{:>6}  {:<8} {:<3} {:>9} {:>6} {:>5}  {:<20}  {}\n", "ID", "KIND", "ON",
                           "INTERVAL", "STATUS", "FAILS", "NEXT FETCH (UTC)", "URL");
  for (const auto& r : rows) {
    const auto error = Text(r[7]);
    std::cout << fmt::format("{:>6}  {:<8} {:<3} {:>9} {:>6} {:>5}  {:<20}  {}{}\n",
                             r[0].c_str(), r[2].c_str(), r[3].as<bool>() ? "yes" : "no",
                             r[4].c_str(), r[5].is_null() ? "-" : r[5].c_str(), r[6].c_str(),
                             Text(r[8]), RedactUrlPassword(r[1].c_str()),
                             error.empty() ? "" : "  (" + error + ")");
  }
  std::cout << fmt::format("{} source(s)\n", rows.size());
  return 0;
}

int Show(const config::Source& source) {
  Common common;
  std::vector<std::string> refs;
  config::Spec spec("tributary sources show",
                    "Every column of one source, its item count and its latest fetches.");
  common.AddTo(spec);
  spec.Positional("ID|URL", &refs, "The source, by id or by URL.");
  if (auto status = spec.EndEarly(spec.Parse(source))) return *status;
  log::Setup(common.log);
  if (refs.size() != 1) {
    std::cerr << "tributary sources show: expected exactly one ID or URL\n";
    return 2;
  }
  pg::Database database(common.pg, "tributary-cli");
  if (!Connect(database, "sources show")) return 1;
  pqxx::read_transaction tx(database.Connection());
  const auto found = tx.exec("SELECT to_jsonb(s) FROM sources s WHERE " +
                             SourceWhere(tx, refs[0]));
  if (found.empty()) {
    std::cerr << "tributary sources show: no source " << refs[0] << "\n";
    return 1;
  }
  auto out = nlohmann::json::parse(found[0][0].c_str());
  out["url"] = RedactUrlPassword(out["url"].get<std::string>());  // a row from before redaction
  const auto id = out["id"].get<std::int64_t>();
  out["items"] = tx.exec_params1("SELECT count(*) FROM items WHERE source_id = $1", id)[0]
                     .as<std::int64_t>();
  out["recent_fetches"] = nlohmann::json::parse(
      tx.exec_params1(
            "SELECT coalesce(jsonb_agg(f ORDER BY f.fetched_at DESC), '[]'::jsonb) FROM "
            "(SELECT request_id, fetched_at, outcome, status, bytes, latency_ms, items_seen, "
            "error_class, error FROM fetch_log WHERE source_id = $1 "
            "ORDER BY fetched_at DESC LIMIT 10) f",
            id)[0]
          .c_str());
  if (common.json) {
    std::cout << out.dump() << "\n";
    return 0;
  }
  for (const auto& [key, value] : out.items()) {
    if (key == "recent_fetches") continue;
    std::cout << fmt::format("{:<22} {}\n", key,
                             value.is_string() ? value.get<std::string>() : value.dump());
  }
  std::cout << "recent fetches:\n";
  for (const auto& fetch : out["recent_fetches"]) {
    std::cout << fmt::format("  {} {} {} {} bytes {} ms {}\n",
                             fetch.value("fetched_at", ""), fetch.value("outcome", "-"),
                             fetch["status"].dump(), fetch["bytes"].dump(),
                             fetch["latency_ms"].dump(),
                             fetch["error"].is_string() ? fetch["error"].get<std::string>() : "");
  }
  return 0;
}

int SetEnabled(const config::Source& source, bool enabled) {
  Common common;
  std::vector<std::string> refs;
  const std::string name = enabled ? "enable" : "disable";
  config::Spec spec("tributary sources " + name,
                    enabled ? "Schedules the sources again, starting now."
                            : "Stops scheduling the sources; their items stay.");
  common.AddTo(spec);
  spec.Positional("ID|URL", &refs, "Sources by id or URL.");
  if (auto status = spec.EndEarly(spec.Parse(source))) return *status;
  log::Setup(common.log);
  if (refs.empty()) {
    std::cerr << "tributary sources " << name << ": expected at least one ID or URL\n";
    return 2;
  }
  pg::Database database(common.pg, "tributary-cli");
  if (!Connect(database, "sources " + name)) return 1;
  pqxx::work tx(database.Connection());
  int missing = 0;
  for (const auto& ref : refs) {
    const auto changed = tx.exec(
        std::string("UPDATE sources SET enabled = ") + (enabled ? "true" : "false") +
        (enabled ? ", next_fetch_at = least(next_fetch_at, now())" : "") + " WHERE " +
        SourceWhere(tx, ref) + " RETURNING id");
    if (changed.empty()) {
      std::cerr << "tributary sources " << name << ": no source " << ref << "\n";
      ++missing;
    } else if (!common.json) {
      std::cout << fmt::format("{}d source {}\n", name, changed[0][0].c_str());
    }
  }
  tx.commit();
  if (common.json) {
    std::cout << nlohmann::json{{"changed", refs.size() - static_cast<std::size_t>(missing)},
                                {"missing", missing}}
                     .dump()
              << "\n";
  }
  return missing == 0 ? 0 : 1;
}

}  // namespace

int SourcesCommand(const config::Source& source) {
  return RunSubcommand(source, "tributary sources", kUsage,
                       {{"add", Add},
                        {"import-opml", ImportOpml},
                        {"list", List},
                        {"show", Show},
                        {"disable", [](const config::Source& s) { return SetEnabled(s, false); }},
                        {"enable", [](const config::Source& s) { return SetEnabled(s, true); }}});
}

}  // namespace tributary::cli
