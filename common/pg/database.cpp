#include "common/pg/database.hpp"

#include <fmt/format.h>

#include <cstdlib>

#include "common/config/secrets.hpp"
#include "common/log/log.hpp"

namespace tributary::pg {

Database::Database(Settings settings, std::string application_name)
    : settings_(std::move(settings)), application_name_(std::move(application_name)) {
  // libpq reads the password from here when the DSN has none: mask it like a configured one.
  if (const char* password = std::getenv("PGPASSWORD"); password != nullptr) {
    config::RememberSecret(password);
  }
}

pqxx::connection& Database::Connection() {
  if (connection_ && connection_->is_open()) return *connection_;
  connection_.reset();
  auto connection = std::make_unique<pqxx::connection>(settings_.dsn);
  pqxx::nontransaction session(*connection);
  session.exec0(fmt::format("SET statement_timeout = {}", settings_.statement_timeout.count()));
  session.exec0(fmt::format("SET lock_timeout = {}", settings_.lock_timeout.count()));
  session.exec0("SET application_name = " + session.quote(application_name_));
  for (const auto& sql : on_connect_) session.exec0(sql);
  session.commit();
  for (const auto& [name, sql] : prepared_) connection->prepare(name, sql);
  connection_ = std::move(connection);
  return *connection_;
}

void Database::Prepare(std::string name, std::string sql) {
  if (connection_) connection_->prepare(name, sql);
  prepared_.emplace_back(std::move(name), std::move(sql));
}

void Database::OnConnect(std::string sql) {
  if (connection_) pqxx::nontransaction(*connection_).exec0(sql);
  on_connect_.push_back(std::move(sql));
}

void Database::LogRetry(const Error& error, std::chrono::milliseconds delay) {
  log::Get("pg")->warn("PostgreSQL {}: {}; retrying in {} ms", error.error_class, error.message,
                       delay.count());
}

}  // namespace tributary::pg
