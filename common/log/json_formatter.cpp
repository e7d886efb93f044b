#include "common/log/json_formatter.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include "common/base/json_text.hpp"
#include "common/log/mask.hpp"
#include "common/log/trace_scope.hpp"

namespace tributary::log {
namespace {

std::string Timestamp(const spdlog::log_clock::time_point& tp) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(tp.time_since_epoch());
  const std::time_t seconds = std::chrono::duration_cast<std::chrono::seconds>(ms).count();
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", utc, ms.count() % 1000);
}

}  // namespace

void JsonFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  std::string line = "{\"ts\":\"" + Timestamp(msg.time) + "\",\"level\":\"";
  const auto level = spdlog::level::to_string_view(msg.level);
  line.append(level.data(), level.size());
  line += "\",\"logger\":\"";
  AppendJsonEscaped(std::string_view(msg.logger_name.data(), msg.logger_name.size()), line);
  if (const auto trace_id = CurrentTraceId(); !trace_id.empty()) {
    line += "\",\"trace_id\":\"";
    line.append(trace_id);  // 32 lower-case hex digits: nothing to escape
  }
  line += "\",\"msg\":\"";
  AppendJsonEscaped(Mask(std::string_view(msg.payload.data(), msg.payload.size())), line);
  line += "\"}\n";
  dest.append(line.data(), line.data() + line.size());
}

std::unique_ptr<spdlog::formatter> JsonFormatter::clone() const {
  return std::make_unique<JsonFormatter>();
}

void TextFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  const auto level = spdlog::level::to_string_view(msg.level);
  const auto trace_id = CurrentTraceId();
  const auto line = fmt::format(
      "{} {:<5} [{}] {}{}{}\n", Timestamp(msg.time), std::string_view(level.data(), level.size()),
      std::string_view(msg.logger_name.data(), msg.logger_name.size()),
      Mask(std::string_view(msg.payload.data(), msg.payload.size())),
      trace_id.empty() ? "" : " trace_id=", trace_id);
  dest.append(line.data(), line.data() + line.size());
}

std::unique_ptr<spdlog::formatter> TextFormatter::clone() const {
  return std::make_unique<TextFormatter>();
}

}  // namespace tributary::log
