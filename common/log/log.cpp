#include "common/log/log.hpp"

#include <spdlog/sinks/stdout_sinks.h>

#include <mutex>

#include "common/log/json_formatter.hpp"

namespace tributary::log {
namespace {

std::mutex g_mutex;
Settings g_settings;

std::unique_ptr<spdlog::formatter> MakeFormatter() {
  if (g_settings.format == "text") return std::make_unique<TextFormatter>();
  return std::make_unique<JsonFormatter>();
}

}  // namespace

void AddSettings(config::Spec& spec, Settings* settings) {
  spec.Choice("log-format", &settings->format, {"json", "text"}, "Log line format.")
      .Choice("log-level", &settings->level, {"trace", "debug", "info", "warn", "error"},
              "Lowest level written.");
}

void Setup(const Settings& settings) {
  std::lock_guard lock(g_mutex);
  g_settings = settings;
  const auto level = spdlog::level::from_str(settings.level);
  spdlog::set_level(level);
  spdlog::apply_all([&](const std::shared_ptr<spdlog::logger>& logger) {
    logger->set_formatter(MakeFormatter());
    logger->set_level(level);
  });
}

std::shared_ptr<spdlog::logger> Get(const std::string& module) {
  std::lock_guard lock(g_mutex);
  if (auto existing = spdlog::get(module)) return existing;
  // stderr keeps stdout free for a command's own output (JSON results, decoded messages).
  auto logger = std::make_shared<spdlog::logger>(
      module, std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_formatter(MakeFormatter());
  logger->set_level(spdlog::level::from_str(g_settings.level));
  logger->flush_on(spdlog::level::info);
  spdlog::register_logger(logger);
  return logger;
}

}  // namespace tributary::log
