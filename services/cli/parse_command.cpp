#include "services/cli/parse_command.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

#include "common/base/cpu_quota.hpp"
#include "common/config/spec.hpp"
#include "services/parser/document_json.hpp"
#include "services/parser/parser.hpp"

namespace tributary::cli {
namespace {

const std::map<std::string, v1::SourceKind>& Kinds() {
  static const std::map<std::string, v1::SourceKind> kKinds = {
      {"auto", v1::SOURCE_KIND_AUTO},       {"rss", v1::SOURCE_KIND_RSS},
      {"atom", v1::SOURCE_KIND_ATOM},       {"jsonfeed", v1::SOURCE_KIND_JSONFEED},
      {"sitemap", v1::SOURCE_KIND_SITEMAP}, {"json_api", v1::SOURCE_KIND_JSON_API},
      {"page", v1::SOURCE_KIND_PAGE}};
  return kKinds;
}

}  // namespace

int ParseCommand(const config::Source& source) {
  std::string base_url;
  std::string content_type;
  std::string kind = "auto";
  std::map<std::string, std::string> json_mapping;
  bool fetch_pages = false;
  bool compact = false;
  // The cores this process may use, up to 4: past that the reading thread is the limit.
  int threads = static_cast<int>(std::min(AvailableCores(), 4U));
  std::vector<std::string> files;
  std::vector<std::string> kind_names;
  for (const auto& [name, value] : Kinds()) kind_names.push_back(name);
  config::Spec spec("tributary parse",
                    "Parses one document offline (a file, or - for stdin) exactly as the parser "
                    "stage would and prints the result as JSON: the detected format, the "
                    "document's metadata, every normalized item, discovered child fetches and "
                    "warnings. Exit code 1 when the document cannot be parsed.");
  spec.String("base-url", &base_url, "The document's URL: relative links are resolved against it.")
      .String("content-type", &content_type,
              "The HTTP Content-Type the document came with (its charset is considered).")
      .Choice("kind", &kind, kind_names,
              "The source's declared kind; the content decides, this only breaks ties.")
      .KeyValues("json-mapping", &json_mapping,
                 "JSON APIs: item field -> JSON pointer, e.g. items=/data/posts title=/headline.")
      .Bool("fetch-pages", &fetch_pages, "Sitemaps: list each URL as a page fetch child.")
      .Bool("compact", &compact, "Print one line instead of indented JSON.")
      .Int("threads", &threads, 1, 64,
           "Threads for one document: one reads it, the others normalize its items.")
      .Positional("FILE", &files, "The document to parse; - reads standard input.");
  if (auto status = spec.EndEarly(spec.Parse(source))) return *status;
  if (files.size() != 1) {
    std::cerr << "tributary parse: expected exactly one FILE (or -)\n\n" << spec.Help();
    return 2;
  }
  parser::ParseInput input;
  if (files[0] == "-") {
    input.body.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream file(files[0], std::ios::binary | std::ios::ate);
    if (!file) {
      std::cerr << "tributary parse: cannot open " << files[0] << "\n";
      return 2;
    }
    // One read into a buffer of the file's size: a stream copy would touch the bytes thrice.
    input.body.resize(static_cast<std::size_t>(file.tellg()));
    file.seekg(0);
    if (!file.read(input.body.data(), static_cast<std::streamsize>(input.body.size()))) {
      std::cerr << "tributary parse: cannot read " << files[0] << "\n";
      return 2;
    }
  }
  input.url = base_url;
  input.content_type = content_type;
  input.kind = Kinds().at(kind);
  input.request.set_url(base_url);
  input.request.set_kind(input.kind);
  input.request.mutable_options()->set_fetch_pages(fetch_pages);
  for (const auto& [field, pointer] : json_mapping) {
    (*input.request.mutable_options()->mutable_json_mapping())[field] = pointer;
  }
  input.fetched_at = std::chrono::system_clock::now();
  parser::Limits limits;
  limits.normalize_workers = static_cast<std::size_t>(threads - 1);
  const auto parsed = parser::Parse(input, limits);
  if (!parsed) {
    std::cerr << "tributary parse: " << parsed.error().message << "\n";
    return 1;
  }
  if (!parser::WriteJson(*parsed, compact ? -1 : 2, stdout) || std::fflush(stdout) != 0) {
    std::cerr << "tributary parse: cannot write the result to standard output\n";
    return 1;
  }
  return 0;
}

}  // namespace tributary::cli
