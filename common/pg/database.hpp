#pragma once
// One PostgreSQL session with the timeouts applied, reconnecting after the server restarts, and
// a retry loop for transient failures (DESIGN §6 loader, STYLE "pg").
#include <pqxx/pqxx>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/base/backoff.hpp"
#include "common/base/result.hpp"
#include "common/base/shutdown.hpp"
#include "common/pg/errors.hpp"
#include "common/pg/settings.hpp"

namespace tributary::pg {

class Database {
 public:
  Database(Settings settings, std::string application_name);

  // The live connection, (re)connecting if needed. Throws pqxx::broken_connection when the
  // server cannot be reached.
  pqxx::connection& Connection();
  void Disconnect() { connection_.reset(); }

  // Declares a prepared statement; it is prepared on every (re)connection, so callers can
  // `tx.exec_prepared(name, ...)` without caring whether the session is new.
  void Prepare(std::string name, std::string sql);

  // Declares session set-up (e.g. CREATE TEMP TABLE) run on every (re)connection, after the
  // settings and before the prepared statements, so those may refer to what it creates.
  void OnConnect(std::string sql);

  // Runs `fn(pqxx::connection&)`; a retryable failure rolls back (the transaction inside `fn`
  // is destroyed), backs off with jitter and runs `fn` again, up to `give_up_after` (forever
  // when nullopt, until shutdown is requested). A permanent failure returns at once.
  template <typename Fn>
  auto Run(Fn&& fn, std::optional<std::chrono::milliseconds> give_up_after = std::nullopt)
      -> Result<std::invoke_result_t<Fn&, pqxx::connection&>>;

  [[nodiscard]] const Settings& settings() const { return settings_; }

 private:
  void LogRetry(const Error& error, std::chrono::milliseconds delay);

  Settings settings_;
  std::string application_name_;
  std::unique_ptr<pqxx::connection> connection_;
  std::vector<std::pair<std::string, std::string>> prepared_;
  std::vector<std::string> on_connect_;
};

template <typename Fn>
auto Database::Run(Fn&& fn, std::optional<std::chrono::milliseconds> give_up_after)
    -> Result<std::invoke_result_t<Fn&, pqxx::connection&>> {
  using T = std::invoke_result_t<Fn&, pqxx::connection&>;
  Backoff backoff(std::chrono::milliseconds(100), std::chrono::seconds(10));
  const auto started = std::chrono::steady_clock::now();
  for (;;) {
    Error error;
    try {
      auto& connection = Connection();
      if constexpr (std::is_void_v<T>) {
        fn(connection);
        return {};
      } else {
        return fn(connection);
      }
    } catch (const std::exception& e) {
      error = Classify(e);
    }
    if (!error.retryable()) return tl::unexpected(error);
    if (error.error_class == "pg.connection" || error.error_class == "pg.shutdown" ||
        error.error_class == "pg.in_doubt") {
      Disconnect();
    }
    const auto delay = backoff.Next();
    if ((give_up_after && std::chrono::steady_clock::now() + delay - started > *give_up_after) ||
        Shutdown::Requested()) {
      return tl::unexpected(error);
    }
    LogRetry(error, delay);
    std::this_thread::sleep_for(delay);
  }
}

}  // namespace tributary::pg
