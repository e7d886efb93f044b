#pragma once
// Helpers for parser tests: read a fixture written for these tests, parse it with a fixed
// fetch time so outputs are exact.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <ostream>
#include <sstream>
#include <string>

#include "services/parser/parser.hpp"

namespace tributary::parser {
// Readable failures for lists of people.
inline void PrintTo(const Person& person, std::ostream* out) {
  *out << "{name: \"" << person.name << "\", email: \"" << person.email << "\", uri: \""
       << person.uri << "\"}";
}
}  // namespace tributary::parser

namespace tributary::parser::testing {

inline std::string ReadFixture(const std::string& name) {
  std::ifstream file(std::string(TRIBUTARY_PARSER_FIXTURES) + "/" + name, std::ios::binary);
  EXPECT_TRUE(file.good()) << "missing fixture " << name;
  std::ostringstream out;
  out << file.rdbuf();
  return std::move(out).str();
}

inline ParseInput InputFor(std::string body, std::string url = {}) {
  ParseInput input;
  input.body = std::move(body);
  input.url = std::move(url);
  input.request.set_source_id(7);
  input.request.set_request_id("req-1");
  input.request.set_url(input.url);
  input.fetched_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'750'000'000));
  return input;
}

inline std::string Iso(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "";
  const std::time_t seconds = t.seconds();
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

}  // namespace tributary::parser::testing
