// Conformance against third-party expectations in ../shared/corpus (read in place, never
// copied): gofeed's universal feed JSON, JSON Feed spec examples, sitemap-js and
// gopher-parse-sitemap results. Prints the pass rate per folder and fails when a rate drops
// below the committed baseline (conformance_baseline.txt). Each test checks the folders it ran
// itself, in its own TearDown: ctest runs every test in a process of its own, so a tally shared
// between tests would be empty when checked. Without the corpus the tests skip (a user's clone
// has no ../shared), except under CI=true on a machine that has ../shared but not its corpus
// (moved or renamed): a gate that skips there checks nothing.
//
// A case passes when every field both sides model agrees after normalization (our text fields
// are plain text, so the expected HTML goes through the same CleanText; dates compare as
// instants). Fields tributary does not model (images, copyright, generator, iTunes) are not
// compared.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "services/parser/charset.hpp"
#include "services/parser/dates.hpp"
#include "services/parser/normalize.hpp"
#include "services/parser/parser.hpp"
#include "services/parser/tests/fixture.hpp"
#include "tests/support/test_env.hpp"

namespace tributary::parser {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

// ../shared/corpus beside the checkout; TRIBUTARY_CORPUS_DIR points elsewhere.
fs::path CorpusRoot() {
  if (const char* dir = std::getenv("TRIBUTARY_CORPUS_DIR"); dir != nullptr && *dir != '\0') {
    return dir;
  }
  return fs::path(TRIBUTARY_SOURCE_DIR) / ".." / "shared" / "corpus";
}

std::string ReadFile(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream out;
  out << file.rdbuf();
  return std::move(out).str();
}

Result<ParsedDocument> ParseFile(const fs::path& path) {
  return Parse(testing::InputFor(ReadFile(path)));
}

struct Tally {
  int passed = 0;
  int total = 0;
  std::vector<std::string> failures;
  void Add(const std::string& name, const std::string& why) {
    ++total;
    if (why.empty()) {
      ++passed;
    } else if (failures.size() < 20) {
      failures.push_back(name + ": " + why);
    }
  }
  [[nodiscard]] double Rate() const { return total == 0 ? 1.0 : double(passed) / total; }
};

std::map<std::string, Tally>& Results() {
  static std::map<std::string, Tally> results;
  return results;
}

std::string Str(const Json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Text(const std::string& html) { return CleanText(html, 1 << 20); }
std::string CollapseText(const std::string& text) { return CleanText(text, 1 << 20); }

// Instants equal (either side may be absent only when both are).
bool SameInstant(const std::string& expected, const google::protobuf::Timestamp& ours) {
  const auto parsed = ParseDate(expected);
  if (!parsed) return true;  // gofeed could not parse it either: nothing to compare
  return parsed->seconds == ours.seconds();
}

std::vector<std::string> Names(const Json& feed_or_item) {
  std::vector<std::string> out;
  if (auto it = feed_or_item.find("authors"); it != feed_or_item.end() && it->is_array()) {
    for (const auto& a : *it) {
      auto name = Str(a, "name");
      if (name.empty()) name = Str(a, "email");
      if (!name.empty()) out.push_back(Text(name));
    }
  }
  return out;
}

// The gofeed universal shape (translator/*, extensions/*, translator/json).
std::string CompareUniversal(const Json& want, const ParsedDocument& got) {
  auto field = [&](const char* name, const std::string& ours) -> std::string {
    const auto expected = Str(want, name);
    if (expected.empty() || Text(expected) == ours) return {};
    return std::string("feed ") + name + ": want '" + Text(expected) + "' got '" + ours + "'";
  };
  for (const auto& why :
       {field("title", got.metadata.title), field("description", got.metadata.description),
        field("language", got.metadata.language)}) {
    if (!why.empty()) return why;
  }
  const auto want_items = want.value("items", Json::array());
  if (want_items.size() != got.items.size()) {
    return "items: want " + std::to_string(want_items.size()) + " got " +
           std::to_string(got.items.size());
  }
  for (std::size_t i = 0; i < got.items.size(); ++i) {
    const auto& w = want_items[i];
    const auto& g = got.items[i];
    const auto prefix = "item " + std::to_string(i) + " ";
    if (auto t = Str(w, "title"); !t.empty() && Text(t) != g.title()) {
      return prefix + "title: want '" + Text(t) + "' got '" + g.title() + "'";
    }
    if (auto l = Str(w, "link"); !l.empty() && l != g.url()) {
      return prefix + "link: want '" + l + "' got '" + g.url() + "'";
    }
    if (auto id = Str(w, "guid"); !id.empty() && CollapseText(id) != g.external_id()) {
      return prefix + "guid: want '" + id + "' got '" + g.external_id() + "'";
    }
    if (auto d = Str(w, "description"); !d.empty() && Text(d) != g.summary()) {
      return prefix + "description: want '" + Text(d) + "' got '" + g.summary() + "'";
    }
    if (auto c = Str(w, "content"); !c.empty() && Text(c) != g.content_text()) {
      return prefix + "content: want '" + Text(c) + "' got '" + g.content_text() + "'";
    }
    if (auto p = Str(w, "publishedParsed"); !p.empty() && !SameInstant(p, g.published_at())) {
      return prefix + "published: want " + p;
    }
    if (auto u = Str(w, "updatedParsed"); !u.empty() && !SameInstant(u, g.updated_at())) {
      return prefix + "updated: want " + u;
    }
    if (auto cats = w.find("categories"); cats != w.end() && cats->is_array()) {
      std::set<std::string> want_set;
      for (const auto& c : *cats) {
        if (c.is_string() && !Text(c.get<std::string>()).empty())
          want_set.insert(Text(c.get<std::string>()));
      }
      const std::set<std::string> got_set(g.categories().begin(), g.categories().end());
      if (want_set != got_set) return prefix + "categories differ";
    }
    for (const auto& name : Names(w)) {
      if (std::find(g.authors().begin(), g.authors().end(), name) == g.authors().end()) {
        return prefix + "author '" + name + "' missing";
      }
    }
    if (auto encs = w.find("enclosures"); encs != w.end() && encs->is_array()) {
      for (const auto& e : *encs) {
        const auto url = Str(e, "url");
        const bool found = std::any_of(g.enclosures().begin(), g.enclosures().end(),
                                       [&](const v1::Enclosure& x) { return x.url() == url; });
        if (!url.empty() && !found) return prefix + "enclosure '" + url + "' missing";
      }
    }
  }
  return {};
}

void RunPairs(const std::string& folder, const fs::path& dir, const std::string& expected_suffix,
              const std::string& input_suffix) {
  if (!fs::exists(dir)) return;
  auto& tally = Results()[folder];
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    const auto path = entry.path().string();
    if (!entry.is_regular_file() || path.size() < input_suffix.size() ||
        path.compare(path.size() - input_suffix.size(), input_suffix.size(), input_suffix) != 0 ||
        path.find("_expected") != std::string::npos) {
      continue;
    }
    const fs::path expected = path.substr(0, path.size() - input_suffix.size()) + expected_suffix;
    if (!fs::exists(expected) || expected == entry.path()) continue;
    const Json want = Json::parse(ReadFile(expected), nullptr, false);
    if (want.is_discarded()) continue;
    const auto got = ParseFile(entry.path());
    const auto name = entry.path().filename().string();
    if (!got) {
      tally.Add(name, "parse error: " + got.error().message);
    } else if (want.contains("version") && !want.contains("feedType")) {
      // gofeed's JSON Feed model: compare what maps onto ours.
      Json universal = {{"title", Str(want, "title")},
                        {"description", Str(want, "description")},
                        {"items", Json::array()}};
      for (const auto& item : want.value("items", Json::array())) {
        universal["items"].push_back({{"guid", Str(item, "id")},
                                      {"title", Str(item, "title")},
                                      {"link", Str(item, "url")},
                                      {"publishedParsed", Str(item, "date_published")}});
      }
      tally.Add(name, CompareUniversal(universal, *got));
    } else {
      tally.Add(name, CompareUniversal(want, *got));
    }
  }
}

std::map<std::string, double> Baseline() {
  std::map<std::string, double> baseline;
  std::ifstream file(fs::path(TRIBUTARY_PARSER_FIXTURES).parent_path() /
                     "conformance_baseline.txt");
  EXPECT_TRUE(file.good()) << "conformance_baseline.txt is missing";
  for (std::string line; std::getline(file, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream in(line);
    std::string folder;
    double rate = 0;
    in >> folder >> rate;
    baseline[folder] = rate;
  }
  return baseline;
}

// Prints the rates of the folders this test ran and checks each against the baseline.
void CheckRatesAgainstBaseline() {
  const auto baseline = Baseline();
  std::cout << "conformance pass rates:\n";
  for (const auto& [folder, tally] : Results()) {
    std::cout << "  " << folder << " " << tally.passed << "/" << tally.total << " = "
              << static_cast<int>(tally.Rate() * 1000) / 10.0 << "%\n";
    for (const auto& failure : tally.failures) std::cout << "      " << failure << "\n";
    EXPECT_GT(tally.total, 0) << folder << ": no case found (a moved or renamed corpus folder?)";
    const auto it = baseline.find(folder);
    if (it == baseline.end()) {
      ADD_FAILURE() << folder << " has no line in conformance_baseline.txt";
    } else {
      EXPECT_GE(tally.Rate() + 1e-9, it->second) << folder << " fell below its baseline";
    }
  }
  Results().clear();  // the binary run whole: the next test checks only its own folders
}

bool InCi() {
  const char* ci = std::getenv("CI");
  return ci != nullptr && std::string_view(ci) == "true";
}

class Conformance : public ::testing::Test {
 protected:
  void SetUp() override {
    if (fs::exists(CorpusRoot())) return;
    if (InCi() && fs::exists(CorpusRoot().parent_path())) {
      FAIL() << "CI=true and " << CorpusRoot().parent_path() << " is here, but its corpus is "
             << "not at " << CorpusRoot();
    }
    GTEST_SKIP() << "no corpus at " << CorpusRoot() << " (no " << CorpusRoot().parent_path()
                 << " beside this checkout): conformance NOT checked";
  }
  void TearDown() override {
    if (!IsSkipped()) CheckRatesAgainstBaseline();
  }
};

TEST_F(Conformance, GofeedUniversal) {
  const auto gofeed = CorpusRoot() / "feeds/gofeed/testdata";
  RunPairs("gofeed/translator/rss", gofeed / "translator/rss", ".json", ".xml");
  RunPairs("gofeed/translator/atom", gofeed / "translator/atom", ".json", ".xml");
  RunPairs("gofeed/translator/json", gofeed / "translator/json", "_expected.json", ".json");
  RunPairs("gofeed/parser/json", gofeed / "parser/json", "_expected.json", ".json");
  RunPairs("gofeed/extensions", gofeed / "extensions", ".json", ".xml");
}

TEST_F(Conformance, GofeedFormatDetection) {
  auto& tally = Results()["gofeed/parser/universal"];
  const std::map<std::string, std::string> want = {
      {"atom03_feed.xml", "atom03"},    {"atom10_feed.xml", "atom1"},
      {"rdf_feed.xml", "rss1"},         {"rss_feed.xml", "rss2"},
      {"rss_feed_bom.xml", "rss2"},     {"rss_feed_leading_spaces.xml", "rss2"},
      {"json10_feed.json", "jsonfeed"}, {"json11_feed.json", "jsonfeed"},
      {"sample.json", "jsonfeed"},      {"empty_feed.xml", "error"},
      {"unknown_feed.xml", "error"},    {"invalid.json", "error"}};
  for (const auto& [file, format] : want) {
    const auto path = CorpusRoot() / "feeds/gofeed/testdata/parser/universal" / file;
    if (!fs::exists(path)) continue;
    const auto got = ParseFile(path);
    const std::string got_format = got ? FormatName(got->format) : "error";
    tally.Add(file, got_format == format ? "" : "want " + format + " got " + got_format);
  }
}

TEST_F(Conformance, JsonFeedExamples) {
  for (const char* folder : {"spec", "schema", "net"}) {
    auto& tally = Results()[std::string("jsonfeed/") + folder];
    for (const auto& entry : fs::recursive_directory_iterator(CorpusRoot() / "jsonfeed" / folder)) {
      if (entry.path().extension() != ".json") continue;
      const Json want = Json::parse(ReadFile(entry.path()), nullptr, false);
      const auto got = ParseFile(entry.path());
      const auto name = entry.path().filename().string();
      if (!got) {
        tally.Add(name, got.error().message);
        continue;
      }
      const auto items = want.is_object() ? want.value("items", Json::array()) : Json::array();
      std::string why;
      if (got->format != Format::kJsonFeed) why = "not detected as JSON Feed";
      if (why.empty() && Text(Str(want, "title")) != got->metadata.title)
        why = "feed title differs";
      if (why.empty() && items.size() != got->items.size()) why = "item count differs";
      for (std::size_t i = 0; why.empty() && i < items.size(); ++i) {
        const auto id = items[i].contains("id") && items[i]["id"].is_string()
                            ? items[i]["id"].get<std::string>()
                            : items[i].value("id", Json()).dump();
        if (id != got->items[i].external_id()) why = "item id differs: " + id;
      }
      tally.Add(name, why);
    }
  }
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) out.push_back(line);
  }
  return out;
}

TEST_F(Conformance, GopherParseSitemapGolden) {
  auto& tally = Results()["sitemaps/gopher-parse-sitemap"];
  const auto dir = CorpusRoot() / "sitemaps/gopher-parse-sitemap/testdata";
  for (const char* name : {"sitemap", "sitemap-index"}) {
    const auto got = ParseFile(dir / (std::string(name) + ".xml"));
    if (!got) {
      tally.Add(name, got.error().message);
      continue;
    }
    // The golden file lists loc first for each entry; every loc must appear in order.
    std::vector<std::string> want_locs;
    for (const auto& line : Lines(ReadFile(dir / (std::string(name) + ".golden")))) {
      if (line.find("://") != std::string::npos) want_locs.push_back(line);
    }
    std::vector<std::string> got_locs;
    for (const auto& item : got->items) got_locs.push_back(item.url());
    for (const auto& child : got->children) got_locs.push_back(child.url());
    tally.Add(name, want_locs == got_locs ? "" : "locs differ");
  }
}

TEST_F(Conformance, SitemapJsNormalized) {
  auto& tally = Results()["sitemaps/sitemap-js"];
  const auto dir = CorpusRoot() / "sitemaps/sitemap-js/tests/mocks";
  const auto decode = [](std::string url) {
    // sitemap-js percent-encodes what we keep literal; compare decoded forms.
    std::string out;
    for (std::size_t i = 0; i < url.size(); ++i) {
      if (url[i] == '%' && i + 2 < url.size()) {
        out.push_back(static_cast<char>(std::stoi(url.substr(i + 1, 2), nullptr, 16)));
        i += 2;
      } else {
        out.push_back(url[i]);
      }
    }
    return out;
  };
  const Json urlset = Json::parse(ReadFile(dir / "sampleconfig.normalized.json"), nullptr, false);
  for (const char* input : {"alltags.xml", "alltags.cdata.xml"}) {
    const auto got = ParseFile(dir / input);
    if (!got || urlset.is_discarded()) {
      tally.Add(input, got ? "bad expectation" : got.error().message);
      continue;
    }
    std::string why;
    const auto& urls = urlset["urls"];
    if (urls.size() != got->items.size()) why = "url count differs";
    for (std::size_t i = 0; why.empty() && i < urls.size(); ++i) {
      if (decode(Str(urls[i], "url")) != decode(got->items[i].url()))
        why = "url " + std::to_string(i);
    }
    tally.Add(input, why);
  }
  const Json index =
      Json::parse(ReadFile(dir / "sampleconfig-index.normalized.json"), nullptr, false);
  for (const char* input : {"alltags-index.xml", "alltags-index.cdata.xml"}) {
    const auto got = ParseFile(dir / input);
    std::string why = got ? "" : got.error().message;
    if (got && index["sitemaps"].size() != got->children.size()) why = "children differ";
    for (std::size_t i = 0; why.empty() && i < got->children.size(); ++i) {
      if (decode(Str(index["sitemaps"][i], "url")) != decode(got->children[i].url()))
        why = "child url";
    }
    tally.Add(input, why);
  }
}

// No expectations exist for these: every file must parse and give sane, valid UTF-8 output
// (at least a title, an item or a child), or be refused cleanly as "not a feed" XML.
TEST_F(Conformance, SaneOutputWithoutExpectations) {
  for (const char* folder : {"feeds/miniflux", "sitemaps/crawler-commons", "jsonfeed/validator"}) {
    auto& tally = Results()[folder];
    for (const auto& entry : fs::recursive_directory_iterator(CorpusRoot() / folder)) {
      if (!entry.is_regular_file() || entry.path().filename() == "SOURCE.txt") continue;
      const auto got = ParseFile(entry.path());
      std::string why;
      if (!got) {
        // A clean refusal of an XML document that is not a feed (encoding tests use <note>).
        if (got.error().message.rfind("unrecognised XML document", 0) != 0)
          why = got.error().message;
      } else if (got->items.empty() && got->children.empty() && got->metadata.title.empty()) {
        why = "nothing read";
      } else {
        for (const auto& item : got->items) {
          if (!IsValidUtf8(item.title()) || !IsValidUtf8(item.content_text())) why = "bad UTF-8";
        }
      }
      tally.Add(entry.path().filename().string(), why);
    }
  }
}

// `tributary parse` (the CLI a person debugs a feed with) on every file of a corpus folder: a
// clean exit (0 parsed, 1 refused with a message), never a crash or a hang. One test per folder,
// so that each has its own time budget: a sanitized CLI takes ~0.1 s to start.
void ExpectTheCliNeverCrashesOn(const fs::path& folder) {
  const auto cli = ::tributary::testing::BinDir() / "tributary";
  ASSERT_TRUE(fs::exists(cli)) << cli;
  ASSERT_TRUE(fs::is_directory(folder)) << folder;
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    const auto result =
        ::tributary::testing::RunCommand("timeout 20 '" + cli.string() + "' parse --compact '" +
                                         entry.path().string() + "' >/dev/null 2>&1; echo $?");
    EXPECT_TRUE(result.output == "0\n" || result.output == "1\n")
        << entry.path() << " exited with " << result.output;
  }
  EXPECT_GT(files, 0) << "no file under " << folder;
  std::cout << "tributary parse ran cleanly on " << files << " files under " << folder << "\n";
}

TEST_F(Conformance, CliNeverCrashesOnFeeds) { ExpectTheCliNeverCrashesOn(CorpusRoot() / "feeds"); }

TEST_F(Conformance, CliNeverCrashesOnJsonFeeds) {
  ExpectTheCliNeverCrashesOn(CorpusRoot() / "jsonfeed");
}

TEST_F(Conformance, CliNeverCrashesOnSitemaps) {
  ExpectTheCliNeverCrashesOn(CorpusRoot() / "sitemaps");
}

TEST_F(Conformance, CliNeverCrashesOnPages) { ExpectTheCliNeverCrashesOn(CorpusRoot() / "pages"); }

}  // namespace
}  // namespace tributary::parser
