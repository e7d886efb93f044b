#pragma once
// One JSON object per line: {"ts","level","logger","msg"}, with secrets masked. Operators ship
// these to Loki/Elastic unchanged; `--log-format=text` gives the same content for a terminal.
#include <spdlog/formatter.h>

namespace tributary::log {

class JsonFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override;
};

// Text lines with masking, for terminals.
class TextFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
  [[nodiscard]] std::unique_ptr<spdlog::formatter> clone() const override;
};

}  // namespace tributary::log
