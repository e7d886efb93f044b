#include "services/parser/dates.hpp"

#include <array>
#include <cctype>
#include <string>
#include <vector>

#include "common/base/ascii.hpp"

namespace tributary::parser {
namespace {

struct Fields {
  int year = -1;
  int month = -1;
  int day = -1;
  int hour = 0;
  int minute = 0;
  int second = 0;
  std::int32_t nanos = 0;
  int offset_minutes = 0;
  bool has_time = false;
};

int MonthFromName(const std::string& word) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  if (word.size() < 3) return -1;
  for (std::size_t m = 0; m < kMonths.size(); ++m) {
    if (word.compare(0, 3, kMonths[m]) == 0) return static_cast<int>(m) + 1;
  }
  // A few non-English abbreviations seen in feeds.
  if (word == "mai") return 5;
  if (word == "okt") return 10;
  if (word == "dez") return 12;
  return -1;
}

std::optional<int> ZoneOffset(const std::string& word) {
  struct Zone {
    std::string_view name;
    int minutes;
  };
  static constexpr std::array<Zone, 16> kZones = {{
      {"ut", 0},
      {"utc", 0},
      {"gmt", 0},
      {"z", 0},
      {"est", -300},
      {"edt", -240},
      {"cst", -360},
      {"cdt", -300},
      {"mst", -420},
      {"mdt", -360},
      {"pst", -480},
      {"pdt", -420},
      {"bst", 60},
      {"cet", 60},
      {"cest", 120},
      {"jst", 540},
  }};
  for (const auto& zone : kZones) {
    if (word == zone.name) return zone.minutes;
  }
  return std::nullopt;
}

bool Valid(const Fields& f) {
  return f.year >= 1 && f.year <= 9999 && f.month >= 1 && f.month <= 12 && f.day >= 1 &&
         f.day <= 31 && f.hour >= 0 && f.hour <= 24 && f.minute >= 0 && f.minute <= 59 &&
         f.second >= 0 && f.second <= 60;
}

std::optional<UtcTime> ToUtc(const Fields& f) {
  if (!Valid(f)) return std::nullopt;
  const auto days =
      DaysFromCivil(f.year, static_cast<unsigned>(f.month), static_cast<unsigned>(f.day));
  const std::int64_t seconds =
      days * 86400 + f.hour * 3600 + f.minute * 60 + std::min(f.second, 59) - f.offset_minutes * 60;
  return UtcTime{seconds, f.nanos};
}

// Reads digits at text[i..]; returns their count.
std::size_t Digits(std::string_view text, std::size_t i, int& value, std::size_t max = 9) {
  std::size_t n = 0;
  value = 0;
  while (i + n < text.size() && n < max && std::isdigit(static_cast<unsigned char>(text[i + n]))) {
    value = value * 10 + (text[i + n] - '0');
    ++n;
  }
  return n;
}

// "+hh:mm", "+hhmm", "+hh", "Z"; returns bytes consumed or 0.
std::size_t ParseNumericZone(std::string_view text, std::size_t i, int& minutes) {
  if (i >= text.size()) return 0;
  if (text[i] == 'Z' || text[i] == 'z') {
    minutes = 0;
    return 1;
  }
  if (text[i] != '+' && text[i] != '-') return 0;
  const int sign = text[i] == '-' ? -1 : 1;
  int hh = 0;
  int mm = 0;
  auto n = Digits(text, i + 1, hh, 2);
  if (n != 2) return 0;
  std::size_t used = 3;
  if (i + used < text.size() && text[i + used] == ':') ++used;
  if (Digits(text, i + used, mm, 2) == 2) {
    used += 2;
  } else if (text[i + used - 1] == ':') {
    --used;
  }
  if (hh > 23 || mm > 59) return 0;
  minutes = sign * (hh * 60 + mm);
  return used;
}

// YYYY-MM-DD[(T| )hh:mm[:ss[.frac]]][zone], also YYYY-MM and YYYYMMDDThhmmss.
std::optional<UtcTime> ParseIso(std::string_view t) {
  Fields f;
  std::size_t i = 0;
  if (Digits(t, 0, f.year, 4) != 4) return std::nullopt;
  i = 4;
  const bool basic = i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]));
  if (!basic && (i >= t.size() || t[i] != '-')) return std::nullopt;
  if (!basic) ++i;
  const auto month_digits = Digits(t, i, f.month, 2);
  if (month_digits == 0) return std::nullopt;
  i += month_digits;
  f.day = 1;
  if (i < t.size() && (t[i] == '-' || basic)) {
    if (!basic) ++i;
    const auto n = Digits(t, i, f.day, 2);
    if (n == 0) return std::nullopt;
    i += n;
  }
  if (i < t.size() && (t[i] == 'T' || t[i] == 't' || t[i] == ' ')) {
    ++i;
    while (i < t.size() && t[i] == ' ') ++i;
    if (Digits(t, i, f.hour, 2) == 2) {
      i += 2;
      if (i < t.size() && t[i] == ':') ++i;
      if (Digits(t, i, f.minute, 2) != 2) return std::nullopt;
      i += 2;
      if (i < t.size() && t[i] == ':') ++i;
      if (Digits(t, i, f.second, 2) == 2) i += 2;
      if (i < t.size() && (t[i] == '.' || t[i] == ',')) {
        ++i;
        std::int32_t scale = 100'000'000;
        while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) {
          f.nanos += (t[i] - '0') * scale;
          scale /= 10;
          ++i;
        }
      }
      while (i < t.size() && t[i] == ' ') ++i;
      if (i < t.size()) {
        const auto used = ParseNumericZone(t, i, f.offset_minutes);
        if (used > 0) {
          i += used;
        } else if (auto zone = ZoneOffset(AsciiLower(t.substr(i))); zone) {
          f.offset_minutes = *zone;
          i = t.size();
        }
      }
    }
  }
  return ToUtc(f);
}

// Everything else: tokens in any order. Words are month, weekday, zone or AM/PM; "hh:mm[:ss]"
// is the time; "+hhmm" the offset; of the bare numbers a 4-digit one (or > 31) is the year.
std::optional<UtcTime> ParseTokens(std::string_view t) {
  Fields f;
  std::vector<int> numbers;
  bool pm = false;
  bool am = false;
  std::size_t i = 0;
  while (i < t.size()) {
    const char c = t[i];
    if (std::isalpha(static_cast<unsigned char>(c))) {
      std::size_t j = i;
      while (j < t.size() && std::isalpha(static_cast<unsigned char>(t[j]))) ++j;
      const auto word = AsciiLower(t.substr(i, j - i));
      if (const int m = MonthFromName(word); m > 0 && f.month < 0) {
        f.month = m;
      } else if (auto zone = ZoneOffset(word); zone) {
        f.offset_minutes = *zone;
      } else if (word == "pm") {
        pm = true;
      } else if (word == "am") {
        am = true;
      }
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      int value = 0;
      const auto n = Digits(t, i, value);
      if (i + n < t.size() && t[i + n] == ':' && n <= 2) {
        f.hour = value;
        f.has_time = true;
        i += n + 1;
        i += Digits(t, i, f.minute, 2);
        if (i < t.size() && t[i] == ':') {
          ++i;
          i += Digits(t, i, f.second, 2);
        }
        if (i < t.size() && t[i] == '.') {
          ++i;
          int ignored = 0;
          i += Digits(t, i, ignored);
        }
      } else {
        numbers.push_back(n == 4 && value <= 9999 ? -value : value);  // negative: 4 digits
        i += n;
      }
    } else if ((c == '+' || c == '-') && f.has_time) {
      const auto used = ParseNumericZone(t, i, f.offset_minutes);
      i += used > 0 ? used : 1;
    } else {
      ++i;
    }
  }
  std::vector<int> rest;
  for (const int n : numbers) {
    if (n < 0 && f.year < 0) {
      f.year = -n;
    } else {
      rest.push_back(n < 0 ? -n : n);
    }
  }
  if (f.month < 0) {
    // Numeric dates: Y/M/D when the year came first, else M/D/Y (the US form feeds use).
    if (rest.size() < 2) return std::nullopt;
    f.month = rest[0];
    f.day = rest[1];
    if (f.month > 12 && f.day <= 12) std::swap(f.month, f.day);
    if (f.year < 0 && rest.size() >= 3) f.year = rest[2];
  } else {
    if (rest.empty()) return std::nullopt;
    f.day = rest[0];
    if (f.year < 0 && rest.size() >= 2) f.year = rest[1];
  }
  if (f.year >= 0 && f.year < 100) f.year += f.year < 50 ? 2000 : 1900;
  if (pm && f.hour < 12) f.hour += 12;
  if (am && f.hour == 12) f.hour = 0;
  return ToUtc(f);
}

}  // namespace

std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's algorithm: exact for the proleptic Gregorian calendar.
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

std::optional<UtcTime> ParseDate(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  if (text.empty() || text.size() > 128) return std::nullopt;
  if (auto iso = ParseIso(text); iso) return iso;
  return ParseTokens(text);
}

std::optional<std::int64_t> ParseDateSeconds(std::string_view text) {
  const auto time = ParseDate(text);
  if (!time) return std::nullopt;
  return time->seconds;
}

}  // namespace tributary::parser
