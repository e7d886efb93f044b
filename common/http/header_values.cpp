#include "common/http/header_values.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <ctime>

#include "common/base/ascii.hpp"

namespace tributary::http {
namespace {

int MonthIndex(std::string_view name) {
  static constexpr std::array<std::string_view, 12> kMonths{
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  const auto lower = AsciiLower(name);
  for (std::size_t i = 0; i < kMonths.size(); ++i) {
    if (lower == kMonths[i]) return static_cast<int>(i);
  }
  return -1;
}

std::optional<std::chrono::system_clock::time_point> MakeTime(int year, int month, int day,
                                                              int hour, int minute, int second) {
  if (month < 0 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t t = timegm(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(t);
}

}  // namespace

std::string_view TrimOws(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::optional<long long> ParseDigits(std::string_view text) {
  if (text.empty() || text.size() > 12) return std::nullopt;
  long long value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0) return std::nullopt;
  return value;
}

std::optional<std::chrono::system_clock::time_point> ParseHttpDate(std::string_view text) {
  text = TrimOws(text);
  const std::string s(text);
  char weekday[16] = {};
  char month[4] = {};
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  int consumed = 0;
  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
  if (std::sscanf(s.c_str(), "%15[A-Za-z], %2d %3s %4d %2d:%2d:%2d GMT%n", weekday, &day, month,
                  &year, &hour, &minute, &second, &consumed) == 7 &&
      consumed == static_cast<int>(s.size())) {
    return MakeTime(year, MonthIndex(month), day, hour, minute, second);
  }
  // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT (two-digit years: RFC 9110 says within 50 years).
  consumed = 0;
  if (std::sscanf(s.c_str(), "%15[A-Za-z], %2d-%3s-%2d %2d:%2d:%2d GMT%n", weekday, &day, month,
                  &year, &hour, &minute, &second, &consumed) == 7 &&
      consumed == static_cast<int>(s.size())) {
    year += year < 70 ? 2000 : 1900;
    return MakeTime(year, MonthIndex(month), day, hour, minute, second);
  }
  // asctime: Sun Nov  6 08:49:37 1994
  consumed = 0;
  if (std::sscanf(s.c_str(), "%15[A-Za-z] %3s %d %2d:%2d:%2d %4d%n", weekday, month, &day, &hour,
                  &minute, &second, &year, &consumed) == 7 &&
      consumed == static_cast<int>(s.size())) {
    return MakeTime(year, MonthIndex(month), day, hour, minute, second);
  }
  return std::nullopt;
}

std::string FormatHttpDate(std::chrono::system_clock::time_point time) {
  const std::time_t t = std::chrono::system_clock::to_time_t(time);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 64> buffer{};
  const auto n = std::strftime(buffer.data(), buffer.size(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return {buffer.data(), n};
}

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now) {
  value = TrimOws(value);
  if (auto seconds = ParseDigits(value)) return std::chrono::seconds(*seconds);
  if (auto date = ParseHttpDate(value)) {
    const auto delta = std::chrono::duration_cast<std::chrono::seconds>(*date - now);
    return std::max(delta, std::chrono::seconds(0));
  }
  return std::nullopt;
}

std::optional<std::chrono::seconds> ParseMaxAge(std::string_view cache_control,
                                                std::string_view expires, std::string_view date) {
  std::optional<std::chrono::seconds> max_age;
  std::optional<std::chrono::seconds> s_maxage;
  bool no_store = false;
  std::string_view rest = cache_control;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const auto directive = TrimOws(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    const auto eq = directive.find('=');
    const auto name = AsciiLower(TrimOws(directive.substr(0, eq)));
    auto value =
        eq == std::string_view::npos ? std::string_view() : TrimOws(directive.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (name == "max-age") {
      if (auto v = ParseDigits(value)) max_age = std::chrono::seconds(*v);
    } else if (name == "s-maxage") {
      if (auto v = ParseDigits(value)) s_maxage = std::chrono::seconds(*v);
    } else if (name == "no-store" || name == "no-cache") {
      no_store = true;
    }
  }
  if (no_store) return std::chrono::seconds(0);
  if (s_maxage) return s_maxage;
  if (max_age) return max_age;
  if (expires.empty()) return std::nullopt;
  const auto expires_at = ParseHttpDate(expires);
  if (!expires_at) return std::chrono::seconds(0);  // invalid = expired
  const auto date_at = ParseHttpDate(date).value_or(std::chrono::system_clock::now());
  return std::max(std::chrono::duration_cast<std::chrono::seconds>(*expires_at - date_at),
                  std::chrono::seconds(0));
}

}  // namespace tributary::http
