#pragma once
// A typed settings parser: every setting is a flag `--name` and an environment variable
// `TRIBUTARY_NAME`, bound to a field of the service's Config struct whose initializer is the
// default. Precedence: flag, then environment, then default. All bad values are reported at once,
// each naming its flag and variable, so a broken deployment fails fast with one clear message.
#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "common/config/source.hpp"

namespace tributary::config {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Parses "250ms", "5s", "2m", "1h", "1d" (a unit is required so "5" is never ambiguous).
std::chrono::milliseconds ParseDuration(const std::string& text);
std::string FormatDuration(std::chrono::milliseconds value);

// Turns "kafka-brokers" into "TRIBUTARY_KAFKA_BROKERS".
std::string EnvName(const std::string& flag_name);
// The variable of one key of a KeyValues setting: ("kafka", "sasl.password") is
// "TRIBUTARY_KAFKA__SASL_PASSWORD".
std::string KeyValueEnvName(const std::string& flag_name, const std::string& key);

class Spec {
 public:
  // kHelp: `--help` was given. kCheck: `--check-config` was given and every setting is good,
  // including no TRIBUTARY_ variable that nothing reads (a misspelled one is an error there).
  enum class Outcome { kRun, kHelp, kCheck };

  Spec(std::string program, std::string summary);

  Spec& String(const std::string& name, std::string* field, std::string help);
  // Never echoed in help or errors: DSNs with passwords, API keys.
  Spec& Secret(const std::string& name, std::string* field, std::string help);
  Spec& Bool(const std::string& name, bool* field, std::string help);
  Spec& Duration(const std::string& name, std::chrono::milliseconds* field, std::string help);
  // A duration of at least `min`: for timeouts, where 0 would fail every attempt at once.
  Spec& Duration(const std::string& name, std::chrono::milliseconds* field,
                 std::chrono::milliseconds min, std::string help);
  Spec& Choice(const std::string& name, std::string* field, std::vector<std::string> choices,
               std::string help);
  Spec& List(const std::string& name, std::vector<std::string>* field, std::string help);
  // Repeatable `--name key=value` plus every `TRIBUTARY_<NAME>__<KEY>` variable, whose key is
  // lower-cased with '_' read as '.', so TRIBUTARY_KAFKA__SASL_PASSWORD sets sasl.password.
  Spec& KeyValues(const std::string& name, std::map<std::string, std::string>* field,
                  std::string help);
  template <std::integral T>
  Spec& Int(const std::string& name, T* field, T min, T max, std::string help) {
    AddInt(name, std::to_string(*field), std::move(help),
           static_cast<long long>(min), static_cast<long long>(max),
           [field](long long v) { *field = static_cast<T>(v); });
    return *this;
  }
  // A check of the parsed values as a whole (e.g. that each Kafka property is one librdkafka
  // knows), run at the end of every Parse; each returned line is reported like a bad value.
  Spec& Check(std::function<std::vector<std::string>()> check);
  // Words that are not flags (e.g. a file name); without this, they are errors.
  Spec& Positional(std::string name, std::vector<std::string>* field, std::string help);

  // Applies the source to the bound fields. Throws ConfigError naming every bad setting.
  Outcome Parse(const Source& source);
  [[nodiscard]] std::string Help() const;
  // For programs that own their Spec: Parse, then EndEarly.
  [[nodiscard]] std::optional<int> EndEarly(Outcome outcome) const;

 private:
  void ReportUnreadVariables(const Source& source, std::vector<std::string>* problems) const;

  struct Option {
    std::string name;
    std::string env;
    std::string help;
    std::string default_text;
    bool is_flag = false;      // a bool: `--name` alone means true
    bool repeatable = false;
    bool secret = false;
    // Returns an empty string on success, else what was wrong with the value.
    std::function<std::string(const std::string&)> apply;
    // For KeyValues: applies environment entries under its prefix.
    std::function<std::string(const std::map<std::string, std::string>&)> apply_env;
  };

  Option& Add(Option option);
  void AddInt(const std::string& name, std::string default_text, std::string help,
              long long min, long long max, std::function<void(long long)> set);
  const Option* Find(const std::string& name) const;

  std::string program_;
  std::string summary_;
  std::vector<Option> options_;
  std::vector<std::function<std::vector<std::string>()>> checks_;
  std::string positional_name_;
  std::string positional_help_;
  std::vector<std::string>* positional_ = nullptr;
};

// --help and --check-config end a program before it touches anything: prints the help or the
// verdict and returns the exit status, or returns nothing when the program should run.
std::optional<int> EndEarly(Spec::Outcome outcome, std::string_view program,
                            const std::string& help);

}  // namespace tributary::config
