#include "common/config/spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <iostream>
#include <optional>

#include "common/base/ascii.hpp"
#include "common/config/secrets.hpp"

namespace tributary::config {
namespace {

constexpr std::string_view kEnvPrefix = "TRIBUTARY_";

std::string Upper(std::string text) {
  for (auto& c : text) c = (c == '-' || c == '.') ? '_' : static_cast<char>(std::toupper(c));
  return text;
}

std::vector<std::string> SplitCommas(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const auto comma = text.find(',', start);
    const auto end = comma == std::string::npos ? text.size() : comma;
    if (end > start) out.push_back(text.substr(start, end - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty()) out += sep;
    out += part;
  }
  return out;
}

}  // namespace

std::chrono::milliseconds ParseDuration(const std::string& text) {
  std::int64_t number = 0;
  const auto* begin = text.data();
  const auto* end = text.data() + text.size();
  const auto [rest, ec] = std::from_chars(begin, end, number);
  if (ec != std::errc() || rest == begin || number < 0) {
    throw std::invalid_argument("expected a duration such as 250ms, 5s, 2m, 1h");
  }
  const std::string unit(rest, end);
  std::int64_t scale = 0;
  if (unit == "ms") scale = 1;
  else if (unit == "s") scale = 1000;
  else if (unit == "m") scale = 60'000;
  else if (unit == "h") scale = 3'600'000;
  else if (unit == "d") scale = 86'400'000;
  else throw std::invalid_argument("expected a unit of ms, s, m, h or d (e.g. 5s)");
  if (number > std::numeric_limits<std::int64_t>::max() / scale) {
    throw std::invalid_argument("duration is too large");
  }
  return std::chrono::milliseconds(number * scale);
}

std::string FormatDuration(std::chrono::milliseconds value) {
  const auto ms = value.count();
  if (ms != 0 && ms % 3'600'000 == 0) return fmt::format("{}h", ms / 3'600'000);
  if (ms != 0 && ms % 60'000 == 0) return fmt::format("{}m", ms / 60'000);
  if (ms != 0 && ms % 1000 == 0) return fmt::format("{}s", ms / 1000);
  return fmt::format("{}ms", ms);
}

std::string EnvName(const std::string& flag_name) {
  return std::string(kEnvPrefix) + Upper(flag_name);
}

std::string KeyValueEnvName(const std::string& flag_name, const std::string& key) {
  return EnvName(flag_name) + "__" + Upper(key);
}

Spec::Spec(std::string program, std::string summary)
    : program_(std::move(program)), summary_(std::move(summary)) {}

Spec::Option& Spec::Add(Option option) {
  if (Find(option.name) != nullptr) {
    throw std::logic_error("setting declared twice: --" + option.name);
  }
  option.env = EnvName(option.name);
  options_.push_back(std::move(option));
  return options_.back();
}

const Spec::Option* Spec::Find(const std::string& name) const {
  const auto it = std::find_if(options_.begin(), options_.end(),
                               [&](const Option& o) { return o.name == name; });
  return it == options_.end() ? nullptr : &*it;
}

Spec& Spec::String(const std::string& name, std::string* field, std::string help) {
  Add({.name = name, .help = std::move(help), .default_text = *field,
       .apply = [field](const std::string& v) { *field = v; return std::string(); }});
  return *this;
}

Spec& Spec::Secret(const std::string& name, std::string* field, std::string help) {
  Add({.name = name, .help = std::move(help), .secret = true,
       .apply = [field](const std::string& v) {
         *field = v;
         RememberSecret(v);  // masked by value wherever text leaves the process
         return std::string();
       }});
  return *this;
}

Spec& Spec::Bool(const std::string& name, bool* field, std::string help) {
  Add({.name = name, .help = std::move(help), .default_text = *field ? "true" : "false",
       .is_flag = true, .apply = [field](const std::string& v) {
         const auto value = AsciiLower(v);
         if (value == "true" || value == "1" || value == "yes" || value == "on") {
           *field = true;
         } else if (value == "false" || value == "0" || value == "no" || value == "off") {
           *field = false;
         } else {
           return std::string("expected true or false");
         }
         return std::string();
       }});
  return *this;
}

Spec& Spec::Duration(const std::string& name, std::chrono::milliseconds* field,
                     std::string help) {
  return Duration(name, field, std::chrono::milliseconds(0), std::move(help));
}

Spec& Spec::Duration(const std::string& name, std::chrono::milliseconds* field,
                     std::chrono::milliseconds min, std::string help) {
  Add({.name = name, .help = std::move(help), .default_text = FormatDuration(*field),
       .apply = [field, min](const std::string& v) {
         try {
           const auto value = ParseDuration(v);
           if (value < min) return fmt::format("must be at least {}", FormatDuration(min));
           *field = value;
         } catch (const std::invalid_argument& e) {
           return std::string(e.what());
         }
         return std::string();
       }});
  return *this;
}

Spec& Spec::Choice(const std::string& name, std::string* field, std::vector<std::string> choices,
                   std::string help) {
  help += " (one of: " + Join(choices, ", ") + ")";
  Add({.name = name, .help = std::move(help), .default_text = *field,
       .apply = [field, choices = std::move(choices)](const std::string& v) {
         if (std::find(choices.begin(), choices.end(), v) == choices.end()) {
           return "expected one of: " + Join(choices, ", ");
         }
         *field = v;
         return std::string();
       }});
  return *this;
}

Spec& Spec::List(const std::string& name, std::vector<std::string>* field, std::string help) {
  Add({.name = name, .help = std::move(help) + " (comma-separated)",
       .default_text = Join(*field, ","), .apply = [field](const std::string& v) {
         *field = SplitCommas(v);
         return std::string();
       }});
  return *this;
}

Spec& Spec::KeyValues(const std::string& name, std::map<std::string, std::string>* field,
                      std::string help) {
  const std::string env_prefix = KeyValueEnvName(name, "");
  Option& option = Add(
      {.name = name,
       .help = std::move(help) + " (repeatable key=value; or " + env_prefix + "<KEY>)",
       .repeatable = true,
       .apply = [field](const std::string& v) {
         const auto eq = v.find('=');
         if (eq == std::string::npos || eq == 0) return std::string("expected key=value");
         (*field)[v.substr(0, eq)] = v.substr(eq + 1);
         if (IsSecretKey(v.substr(0, eq))) RememberSecret(v.substr(eq + 1));
         return std::string();
       }});
  // Values may be secrets (sasl.password), so never echo them.
  option.secret = true;
  option.apply_env = [field, env_prefix](const std::map<std::string, std::string>& env) {
    for (const auto& [key, value] : env) {
      if (key.size() <= env_prefix.size() || key.compare(0, env_prefix.size(), env_prefix) != 0) {
        continue;
      }
      std::string property = AsciiLower(key.substr(env_prefix.size()));
      std::replace(property.begin(), property.end(), '_', '.');
      if (IsSecretKey(property)) RememberSecret(value);
      (*field)[property] = value;
    }
    return std::string();
  };
  return *this;
}

void Spec::AddInt(const std::string& name, std::string default_text, std::string help,
                  long long min, long long max, std::function<void(long long)> set) {
  Add({.name = name, .help = std::move(help), .default_text = std::move(default_text),
       .apply = [min, max, set = std::move(set)](const std::string& v) {
         long long number = 0;
         const auto [rest, ec] = std::from_chars(v.data(), v.data() + v.size(), number);
         if (ec != std::errc() || rest != v.data() + v.size()) {
           return fmt::format("expected an integer in [{}, {}]", min, max);
         }
         if (number < min || number > max) {
           return fmt::format("must be in [{}, {}]", min, max);
         }
         set(number);
         return std::string();
       }});
}

Spec& Spec::Check(std::function<std::vector<std::string>()> check) {
  checks_.push_back(std::move(check));
  return *this;
}

Spec& Spec::Positional(std::string name, std::vector<std::string>* field, std::string help) {
  positional_name_ = std::move(name);
  positional_help_ = std::move(help);
  positional_ = field;
  return *this;
}

Spec::Outcome Spec::Parse(const Source& source) {
  std::vector<std::string> problems;
  auto report = [&](const Option& option, const std::string& value, const std::string& error,
                    bool from_env) {
    const std::string where =
        from_env ? fmt::format("{} (--{})", option.env, option.name)
                 : fmt::format("--{} ({})", option.name, option.env);
    const std::string shown = option.secret ? "<hidden>" : "'" + value + "'";
    problems.push_back(fmt::format("{} = {}: {}", where, shown, error));
  };

  // Flags first collected, so an explicit flag overrides the environment.
  std::vector<std::pair<const Option*, std::string>> flag_values;
  bool check_only = false;
  for (std::size_t i = 0; i < source.args.size(); ++i) {
    const std::string& arg = source.args[i];
    if (arg == "--help" || arg == "-h") return Outcome::kHelp;
    if (arg == "--check-config") {
      check_only = true;
      continue;
    }
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      if (positional_ != nullptr) {
        positional_->push_back(arg);
      } else {
        problems.push_back(fmt::format("unexpected argument '{}'", arg));
      }
      continue;
    }
    std::string name = arg.substr(2);
    std::optional<std::string> value;
    if (const auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    }
    const Option* option = Find(name);
    if (option == nullptr) {
      problems.push_back(fmt::format("unknown flag --{} (see --help)", name));
      continue;
    }
    if (!value) {
      if (option->is_flag) {
        value = "true";
      } else if (i + 1 < source.args.size()) {
        value = source.args[++i];
      } else {
        problems.push_back(fmt::format("--{} needs a value", name));
        continue;
      }
    }
    flag_values.emplace_back(option, *value);
  }

  for (const Option& option : options_) {
    const bool given_as_flag =
        std::any_of(flag_values.begin(), flag_values.end(),
                    [&](const auto& fv) { return fv.first == &option; });
    if (option.apply_env) {
      option.apply_env(source.env);
    } else if (!given_as_flag) {
      if (const auto it = source.env.find(option.env); it != source.env.end()) {
        if (auto error = option.apply(it->second); !error.empty()) {
          report(option, it->second, error, /*from_env=*/true);
        }
      }
    }
  }
  for (const auto& [option, value] : flag_values) {
    if (auto error = option->apply(value); !error.empty()) {
      report(*option, value, error, /*from_env=*/false);
    }
  }

  if (problems.empty()) {
    // Whole-value checks only see values that parsed.
    for (const auto& check : checks_) {
      for (auto& problem : check()) problems.push_back(std::move(problem));
    }
  }
  if (check_only) ReportUnreadVariables(source, &problems);

  if (!problems.empty()) {
    std::string message = fmt::format("{}: invalid configuration:", program_);
    for (const auto& problem : problems) message += "\n  " + problem;
    throw ConfigError(message);
  }
  return check_only ? Outcome::kCheck : Outcome::kRun;
}

// Only under --check-config: a normal start ignores foreign variables, because a shared
// environment (a ConfigMap for several stages, a developer's shell) legitimately holds settings
// of other programs; a deployment check is where a misspelled name must surface.
void Spec::ReportUnreadVariables(const Source& source, std::vector<std::string>* problems) const {
  for (const auto& [name, value] : source.env) {
    if (name.rfind(kEnvPrefix, 0) != 0) continue;
    const bool read = std::any_of(options_.begin(), options_.end(), [&](const Option& option) {
      if (option.env == name) return true;
      return option.apply_env && name.rfind(option.env + "__", 0) == 0;
    });
    if (!read) {
      problems->push_back(
          fmt::format("{} is set, but no setting of {} reads it (misspelled, or meant for "
                      "another program?)",
                      name, program_));
    }
  }
}

std::optional<int> Spec::EndEarly(Outcome outcome) const {
  return config::EndEarly(outcome, program_, Help());
}

std::optional<int> EndEarly(Spec::Outcome outcome, std::string_view program,
                            const std::string& help) {
  switch (outcome) {
    case Spec::Outcome::kRun:
      return std::nullopt;
    case Spec::Outcome::kHelp:
      std::cout << help;
      return 0;
    case Spec::Outcome::kCheck:
      std::cout << program << ": configuration OK\n";
      return 0;
  }
  return std::nullopt;
}

std::string Spec::Help() const {
  std::string out = fmt::format("Usage: {} [flags]{}\n\n{}\n\nFlags (each also read from the "
                                "environment variable shown):\n",
                                program_, positional_ ? " " + positional_name_ : "", summary_);
  if (positional_ != nullptr) {
    out += fmt::format("  {}\n      {}\n", positional_name_, positional_help_);
  }
  for (const auto& option : options_) {
    std::string line = fmt::format("  --{}{}", option.name, option.is_flag ? "" : " VALUE");
    out += fmt::format("{}\n      {}\n      env {}", line, option.help, option.env);
    if (!option.secret && !option.default_text.empty()) {
      out += fmt::format(", default {}", option.default_text);
    }
    out += "\n";
  }
  out += "  --check-config\n      Check the settings (flags and TRIBUTARY_ variables, refusing any "
         "that nothing reads) without connecting to anything; exit 0 when good, 2 if not.\n";
  out += "  --help\n      Show this help and exit.\n";
  return out;
}

}  // namespace tributary::config
