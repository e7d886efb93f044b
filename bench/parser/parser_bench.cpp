// Parser throughput beside a peer (gofeed), on the same files in the same run (DESIGN §10).
//   tributary-parser-bench [--iterations N] [--corpus DIR] [--peer PATH] [--work DIR]
//                          [--large-items N]   (0 skips the generated feed)
// Sets: "corpus" = every feed (RSS/Atom/JSON Feed) in DIR that gofeed also parses, and
// "large" = one generated RSS 2.0 feed of 10,000 items (~11 MB), written to --work so the peer
// reads the very same bytes. Prints MB/s and items/s for both parsers and the ratios.
#include <time.h>

#include <chrono>
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

Figures RunOurs(const std::vector<std::string>& documents, int iterations) {
  // The inputs are built before the clock starts, as the peer reads its files into memory
  // first: copying a 9 MB body per iteration is the benchmark's cost, not the parser's.
  std::vector<tributary::parser::ParseInput> inputs(documents.size());
  for (std::size_t d = 0; d < documents.size(); ++d) {
    inputs[d].body = documents[d];
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
  std::string command = "'" + peer + "' " + std::to_string(iterations);
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

void Report(const std::string& name, const Figures& ours, const Figures& peer) {
  std::printf("%-7s tributary %8.1f MB/s %10.0f items/s (%ld failed)\n", name.c_str(), ours.MBps(),
              ours.ItemsPerSecond(), ours.failures);
  if (peer.seconds <= 0) {
    std::printf("%-7s gofeed    (not run)\n", name.c_str());
    return;
  }
  std::printf("%-7s gofeed    %8.1f MB/s %10.0f items/s (%ld failed)\n", name.c_str(), peer.MBps(),
              peer.ItemsPerSecond(), peer.failures);
  std::printf("%-7s ratio     %8.2fx MB/s  %8.2fx items/s\n", name.c_str(),
              ours.MBps() / peer.MBps(), ours.ItemsPerSecond() / peer.ItemsPerSecond());
  // The same per CPU-second of each process: the figure to trust when the machine is shared.
  if (ours.cpu_seconds > 0 && peer.cpu_seconds > 0) {
    const double cpu = peer.cpu_seconds / ours.cpu_seconds;
    std::printf("%-7s cpu ratio %8.2fx MB/cpu-s %7.2fx items/cpu-s (%.1f vs %.1f MB/cpu-s)\n",
                name.c_str(), cpu * (ours.bytes / peer.bytes), cpu * (ours.items / peer.items),
                ours.CpuMBps(), peer.CpuMBps());
  }
}

}  // namespace

int main(int argc, char** argv) {
  int iterations = 20;
  fs::path corpus = fs::path(TRIBUTARY_SOURCE_DIR) / ".." / "shared" / "corpus" / "feeds";
  std::string peer;
  fs::path work = fs::temp_directory_path() / "tributary-parser-bench";
  int large_items = 10'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--iterations") iterations = std::stoi(argv[i + 1]);
    if (flag == "--corpus") corpus = argv[i + 1];
    if (flag == "--peer") peer = argv[i + 1];
    if (flag == "--work") work = argv[i + 1];
    if (flag == "--large-items") large_items = std::stoi(argv[i + 1]);
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
  if (!files.empty()) {
    RunOurs(documents, 1);  // warm-up
    Report("corpus", RunOurs(documents, iterations),
           peer.empty() ? Figures{} : RunPeer(peer, files, iterations));
  }
  if (large_items == 0) return 0;
  const std::vector<std::string> large_docs{large};
  Report("large", RunOurs(large_docs, std::max(1, iterations / 4)),
         peer.empty() ? Figures{} : RunPeer(peer, {large_path}, std::max(1, iterations / 4)));
  return 0;
}
