#pragma once
// Logging setup shared by every binary: one named spdlog logger per module, JSON lines on stderr
// by default, secrets masked in every line.
#include <spdlog/spdlog.h>

#include <memory>
#include <string>

#include "common/config/spec.hpp"

namespace tributary::log {

struct Settings {
  std::string format = "json";  // json | text
  std::string level = "info";   // trace | debug | info | warn | error
};

void AddSettings(config::Spec& spec, Settings* settings);

// Applies the settings to every logger, existing and future. Safe to call more than once.
void Setup(const Settings& settings);

// The module's logger, created on first use with the current format and level.
std::shared_ptr<spdlog::logger> Get(const std::string& module);

}  // namespace tributary::log
