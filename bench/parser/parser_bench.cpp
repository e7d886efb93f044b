// Parser throughput beside its peers, on the same files in the same run (DESIGN §10).
//   tributary-parser-bench [--iterations N] [--corpus DIR] [--work DIR] [--large-items N]
//                          [--peer NAME=COMMAND]... [--cli PATH] [--xmllint PATH]
//                          [--pages DIR] [--page-peer NAME=COMMAND]...
// Sets: "corpus" = every feed (RSS/Atom/JSON Feed) in DIR that tributary recognises, and
// "large" = one generated RSS 2.0 feed of 10,000 items (~9 MB), written to --work so the peers
// read the very same bytes. Prints MB/s and items/s per parser, and tributary's ratio to each.
// A peer COMMAND is run as `COMMAND ITERATIONS FILE...` and prints one line
// "bytes=.. items=.. seconds=.. failures=.. cpu_seconds=..". With --xmllint, the raw
// `xmllint --stream --noout` scan of the large feed is the ceiling, and with --cli the whole
// `tributary parse FILE` process (read, parse, print JSON) is timed against it.
// "pages" = every <case>/source.html under --pages (../shared/corpus/pages/readability): web
// pages through the page path (article extraction), against each --page-peer (trafilatura),
// in pages/s.
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "services/parser/parser.hpp"

namespace {

namespace fs = std::filesystem;
using tributary::parser::Format;

struct Figures {
  double bytes = 0;
  double items = 0;
  double seconds = 0;  // wall clock
  long failures = 0;
  double cpu_seconds = 0;  // user + system CPU time of the process over the same span
  [[nodiscard]] double MBps() const { return bytes / 1e6 / seconds; }
  [[nodiscard]] double ItemsPerSecond() const { return items / seconds; }
  [[nodiscard]] double CpuMBps() const { return bytes / 1e6 / cpu_seconds; }
};

// Process CPU time: on a shared machine it moves far less with other load than wall time.
double CpuSeconds() {
  timespec now{};
  ::clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9;
}

std::string Read(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream out;
  out << file.rdbuf();
  return std::move(out).str();
}

std::string GenerateLargeFeed(int items) {
  std::string out =
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" "
      "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" "
      "xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>Generated</title>"
      "<link>https://bench.example.com/</link><description>Benchmark feed</description>\n";
  for (int i = 0; i < items; ++i) {
    const auto n = std::to_string(i);
    out += "<item><title>Item number " + n +
           " &amp; a headline of usual length</title>"
           "<link>https://bench.example.com/posts/" +
           n +
           "?utm_source=rss</link>"
           "<guid isPermaLink=\"false\">bench-" +
           n +
           "</guid>"
           "<pubDate>Mon, 09 Jun 2025 22:30:00 GMT</pubDate><dc:creator>Writer " +
           n +
           "</dc:creator><category>news</category><category>bench</category>"
           "<description><![CDATA[<p>Summary of item " +
           n +
           " with <b>markup</b> and a "
           "<a href=\"https://bench.example.com/\">link</a>.</p>]]></description>"
           "<content:encoded><![CDATA[<div><p>Paragraph one of item " +
           n +
           " with enough words to look like an article body, the kind of text a news feed "
           "carries in full.</p><p>Paragraph two adds more, with an entity &amp; a quote "
           "&ldquo;here&rdquo;, <em>emphasis</em> and a list:</p><ul><li>one</li><li>two</li>"
           "<li>three</li></ul><p>Closing paragraph with a final sentence or two of filler text "
           "so the item is around a kilobyte.</p></div>]]></content:encoded></item>\n";
  }
  out += "</channel></rss>\n";
  return out;
}

Figures RunOurs(const std::vector<std::string>& documents, int iterations,
                tributary::v1::SourceKind kind = tributary::v1::SOURCE_KIND_AUTO) {
  // The inputs are built before the clock starts, as the peer reads its files into memory
  // first: copying a 9 MB body per iteration is the benchmark's cost, not the parser's.
  std::vector<tributary::parser::ParseInput> inputs(documents.size());
  for (std::size_t d = 0; d < documents.size(); ++d) {
    inputs[d].body = documents[d];
    inputs[d].kind = kind;
    inputs[d].fetched_at =
        std::chrono::system_clock::time_point(std::chrono::seconds(1'750'000'000));
  }
  Figures figures;
  const double cpu_start = CpuSeconds();
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    for (const auto& input : inputs) {
      figures.bytes += static_cast<double>(input.body.size());
      const auto parsed = tributary::parser::Parse(input);
      if (!parsed) {
        ++figures.failures;
        continue;
      }
      figures.items += static_cast<double>(parsed->items.size());
    }
  }
  figures.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  figures.cpu_seconds = CpuSeconds() - cpu_start;
  return figures;
}

Figures RunPeer(const std::string& peer, const std::vector<fs::path>& files, int iterations) {
  std::string command = peer + " " + std::to_string(iterations);
  for (const auto& file : files) command += " '" + file.string() + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  Figures figures;
  if (pipe == nullptr) return figures;
  char line[512] = {};
  if (std::fgets(line, sizeof line, pipe) != nullptr) {
    double bytes = 0;
    double items = 0;
    double seconds = 0;
    long failures = 0;
    double cpu_seconds = 0;
    if (std::sscanf(line, "bytes=%lf items=%lf seconds=%lf failures=%ld cpu_seconds=%lf", &bytes,
                    &items, &seconds, &failures, &cpu_seconds) >= 4) {
      figures = {bytes, items, seconds, failures, cpu_seconds};
    }
  }
  ::pclose(pipe);
  return figures;
}

struct Peer {
  std::string name;
  std::string command;  // run as `command ITERATIONS FILE...`
};

void Report(const std::string& set, const Figures& ours,
            const std::vector<std::pair<std::string, Figures>>& peers) {
  std::printf("%-7s %-13s %8.1f MB/s %10.0f items/s %8.1f MB/cpu-s (%ld failed)\n", set.c_str(),
              "tributary", ours.MBps(), ours.ItemsPerSecond(), ours.CpuMBps(), ours.failures);
  for (const auto& [name, peer] : peers) {
    if (peer.seconds <= 0) {
      std::printf("%-7s %-13s (did not run)\n", set.c_str(), name.c_str());
      continue;
    }
    // The ratio per CPU-second of each process is the figure to trust on a shared machine.
    std::printf("%-7s %-13s %8.1f MB/s %10.0f items/s %8.1f MB/cpu-s (%ld failed)  "
                "tributary: %.2fx MB/s, %.2fx items/s, %.2fx per cpu-s\n",
                set.c_str(), name.c_str(), peer.MBps(), peer.ItemsPerSecond(), peer.CpuMBps(),
                peer.failures, ours.MBps() / peer.MBps(),
                ours.ItemsPerSecond() / peer.ItemsPerSecond(),
                peer.cpu_seconds > 0 && ours.cpu_seconds > 0 ? ours.CpuMBps() / peer.CpuMBps()
                                                             : 0.0);
  }
}

// Wall-clock seconds of the best of `runs` runs of a shell command (output discarded).
double BestOf(const std::string& command, int runs) {
  double best = 1e9;
  for (int i = 0; i < runs; ++i) {
    const auto start = std::chrono::steady_clock::now();
    if (std::system((command + " >/dev/null").c_str()) != 0) return -1;
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count());
  }
  return best;
}

// Web pages through the page path (article extraction and all), against the page peers.
void RunPages(const fs::path& dir, const std::vector<Peer>& page_peers, int iterations) {
  std::vector<fs::path> files;
  if (fs::exists(dir)) {
    for (const auto& entry : fs::directory_iterator(dir)) {
      if (fs::exists(entry.path() / "source.html")) files.push_back(entry.path() / "source.html");
    }
  }
  if (files.empty()) {
    std::printf("pages: none under %s (the page corpus is not here): skipped\n",
                dir.string().c_str());
    return;
  }
  std::sort(files.begin(), files.end());
  std::vector<std::string> documents;
  documents.reserve(files.size());
  for (const auto& file : files) documents.push_back(Read(file));
  const int n = std::max(1, iterations / 4);
  std::printf("pages: %zu web pages from %s, %d iterations\n", files.size(), dir.string().c_str(),
              n);
  RunOurs(documents, 1, tributary::v1::SOURCE_KIND_PAGE);  // warm-up
  const auto ours = RunOurs(documents, n, tributary::v1::SOURCE_KIND_PAGE);
  std::vector<std::pair<std::string, Figures>> peers;
  for (const auto& peer : page_peers) {
    peers.emplace_back(peer.name, RunPeer(peer.command, files, n));
  }
  Report("pages", ours, peers);
  const double pages = static_cast<double>(files.size()) * n;
  for (const auto& [name, peer] : peers) {
    if (peer.seconds <= 0) continue;
    std::printf("pages   tributary %.1f pages/s vs %s %.1f pages/s: %.1fx (target: at least 20x)\n",
                pages / ours.seconds, name.c_str(), pages / peer.seconds,
                peer.seconds / ours.seconds);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int iterations = 20;
  fs::path corpus = fs::path(TRIBUTARY_SOURCE_DIR) / ".." / "shared" / "corpus" / "feeds";
  std::vector<Peer> peers;
  std::vector<Peer> page_peers;
  fs::path pages_dir =
      fs::path(TRIBUTARY_SOURCE_DIR) / ".." / "shared" / "corpus" / "pages" / "readability";
  std::string cli;
  std::string xmllint;
  fs::path work = fs::temp_directory_path() / "tributary-parser-bench";
  int large_items = 10'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--iterations") iterations = std::stoi(argv[i + 1]);
    if (flag == "--corpus") corpus = argv[i + 1];
    if (flag == "--cli") cli = argv[i + 1];
    if (flag == "--xmllint") xmllint = argv[i + 1];
    if (flag == "--work") work = argv[i + 1];
    if (flag == "--large-items") large_items = std::stoi(argv[i + 1]);
    if (flag == "--pages") pages_dir = argv[i + 1];
    if (flag == "--peer" || flag == "--page-peer") {
      const std::string value = argv[i + 1];
      const auto eq = value.find('=');
      if (eq == std::string::npos) {
        std::fprintf(stderr, "%s wants NAME=COMMAND, got '%s'\n", flag.c_str(), value.c_str());
        return 2;
      }
      auto& list = flag == "--peer" ? peers : page_peers;
      list.push_back({value.substr(0, eq), value.substr(eq + 1)});
    }
  }
  fs::create_directories(work);

  // The corpus set: feeds both parsers claim (what tributary detects as a feed format).
  std::vector<fs::path> files;
  std::vector<std::string> documents;
  if (fs::exists(corpus)) {
    for (const auto& entry : fs::recursive_directory_iterator(corpus)) {
      const auto ext = entry.path().extension();
      if (!entry.is_regular_file() || (ext != ".xml" && ext != ".json" && ext != ".rss")) continue;
      // Expected outputs are not inputs: "*_expected.json", and "<name>.json" beside "<name>.xml".
      if (entry.path().string().find("_expected") != std::string::npos) continue;
      if (ext == ".json" && fs::exists(fs::path(entry.path()).replace_extension(".xml"))) continue;
      auto body = Read(entry.path());
      tributary::parser::ParseInput probe;
      probe.body = body;
      const auto parsed = tributary::parser::Parse(probe);
      if (!parsed || parsed->format == Format::kHtmlPage || parsed->format == Format::kJsonApi ||
          parsed->format == Format::kSitemapText || parsed->format == Format::kSitemapUrlset ||
          parsed->format == Format::kSitemapIndex) {
        continue;
      }
      files.push_back(entry.path());
      documents.push_back(std::move(body));
    }
  }
  const auto large_path = work / "large_rss2.xml";
  const auto large = GenerateLargeFeed(large_items);
  std::ofstream(large_path, std::ios::binary) << large;

  std::printf("corpus: %zu feed files from %s, %d iterations; large: %.1f MB, %d iterations\n",
              files.size(), corpus.string().c_str(), iterations, large.size() / 1e6,
              std::max(1, iterations / 4));
  const auto run_peers = [&](const std::vector<fs::path>& set, int n) {
    std::vector<std::pair<std::string, Figures>> out;
    for (const auto& peer : peers) out.emplace_back(peer.name, RunPeer(peer.command, set, n));
    return out;
  };
  if (!files.empty()) {
    RunOurs(documents, 1);  // warm-up
    const auto ours = RunOurs(documents, iterations);
    Report("corpus", ours, run_peers(files, iterations));
  }
  RunPages(pages_dir, page_peers, iterations);
  if (large_items == 0) return 0;
  const std::vector<std::string> large_docs{large};
  const int large_iterations = std::max(1, iterations / 4);
  const auto ours = RunOurs(large_docs, large_iterations);
  Report("large", ours, run_peers({large_path}, large_iterations));
  if (!xmllint.empty()) {
    // The raw scan: libxml2's streaming reader over the same bytes, no tree, no feed logic.
    const auto quoted = "'" + large_path.string() + "'";
    const double scan = BestOf("'" + xmllint + "' --stream --noout " + quoted, 5);
    if (scan > 0) {
      std::printf("large   %-13s %8.1f MB/s (process, best of 5)  tributary in-process: "
                  "%.2fx\n",
                  "xmllint scan", static_cast<double>(large.size()) / 1e6 / scan,
                  ours.MBps() / (static_cast<double>(large.size()) / 1e6 / scan));
      if (!cli.empty()) {
        // As users run it (its threads: one reads, the others normalize items), and on one
        // thread, which is the figure per core.
        const double parse = BestOf("'" + cli + "' parse --compact " + quoted, 5);
        const double one = BestOf("'" + cli + "' parse --compact --threads 1 " + quoted, 5);
        std::printf("large   tributary parse FILE %.3f s vs xmllint --stream --noout FILE %.3f s "
                    "(best of 5): %.2fx the raw scan's time (target: within 3x); "
                    "--threads 1: %.3f s, %.2fx\n",
                    parse, scan, parse / scan, one, one / scan);
      }
    }
  }
  return 0;
}
