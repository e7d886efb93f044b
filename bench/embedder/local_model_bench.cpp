// The local backend (an in-process sentence-transformer) beside sentence-transformers itself,
// on the same texts, the same cores, in the same run (bench/embedder/README.md):
//   tributary-local-model-bench --model-dir DIR [--threads N] [--precision auto|fp32|bf16]
//                               [--passages N] [--titles N] [--work DIR] [--peer COMMAND]
// Writes 1,000 news-like passages of ~120 words and 1,000 titles to --work (JSON lines), embeds
// them with the local backend, then runs `COMMAND passages.jsonl vectors.f32` for each set
// (bench/embedder/peer/sentence_transformers_peer.py), which prints "seconds=.." and writes its
// vectors; prints passages/s for both, the ratio, the lowest cosine between the two
// implementations' vectors and how many of each text's 10 nearest neighbours in the set agree. Also: model load time and resident memory after load and after
// the run.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "services/embedder/local_backend.hpp"

namespace {

namespace fs = std::filesystem;
using tributary::embedder::LocalBackend;
using tributary::embedder::Vector;

// Words for generated news: enough variety that texts are not repeats, realistic lengths.
const char* const kWords[] = {
    "the", "council", "voted", "on", "a", "new", "budget", "for", "schools", "and", "roads",
    "after", "months", "of", "debate", "scientists", "found", "water", "ice", "near", "lunar",
    "south", "pole", "while", "engineers", "tested", "rockets", "markets", "rallied", "when",
    "central", "bank", "held", "interest", "rates", "steady", "storm", "closed", "ports",
    "along", "coast", "ferries", "stayed", "in", "harbor", "until", "morning", "researchers",
    "trained", "networks", "to", "translate", "ancient", "texts", "into", "modern", "languages",
    "football", "club", "signed", "striker", "record", "transfer", "ahead", "summer",
    "tournament", "officials", "said", "that", "the", "plan", "would", "reduce", "emissions",
    "by", "2030", "residents", "complained", "about", "noise", "from", "construction", "site",
    "river", "flooded", "low", "lying", "farmland", "lighthouse", "keeper", "reported",
    "unusual", "lights", "offshore", "company", "announced", "quarterly", "earnings", "above",
    "expectations", "shares", "rose", "percent", "minister", "resigned", "amid", "scandal",
    "over", "contracts", "hospital", "opened", "wing", "children", "with", "rare", "diseases"};

std::string Words(std::mt19937& random, int count) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    if (i > 0) out += (random() % 11 == 0) ? ". " : (random() % 7 == 0 ? ", " : " ");
    out += kWords[random() % std::size(kWords)];
  }
  return out + ".";
}

void WriteTexts(const fs::path& path, const std::vector<std::string>& texts) {
  std::ofstream out(path);
  for (const auto& text : texts) out << nlohmann::json{{"text", text}}.dump() << "\n";
}

double ResidentMb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

// Runs the peer; returns its seconds (<= 0 on failure) and reads its vectors.
double RunPeer(const std::string& peer, const fs::path& texts, const fs::path& vectors_path,
               std::size_t count, std::size_t dims, std::vector<Vector>* vectors) {
  const auto command = peer + " '" + texts.string() + "' '" + vectors_path.string() + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return -1;
  double seconds = -1;
  char line[256] = {};
  while (std::fgets(line, sizeof line, pipe) != nullptr) {
    std::sscanf(line, "seconds=%lf", &seconds);
  }
  if (::pclose(pipe) != 0) return -1;
  std::ifstream in(vectors_path, std::ios::binary);
  vectors->assign(count, Vector(dims));
  for (auto& v : *vectors) in.read(reinterpret_cast<char*>(v.data()), dims * sizeof(float));
  return in ? seconds : -1;
}

double Cosine(const Vector& a, const Vector& b) {
  double dot = 0, aa = 0, bb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    dot += double(a[i]) * b[i];
    aa += double(a[i]) * a[i];
    bb += double(b[i]) * b[i];
  }
  return dot / std::sqrt(aa * bb);
}

}  // namespace

// Each text's 10 nearest others in the set by either implementation's vectors: the share of
// them both agree on, over all texts (what a search would return differently).
double SameNeighbours(const std::vector<Vector>& ours, const std::vector<Vector>& theirs) {
  constexpr std::size_t kNeighbours = 10;
  const std::size_t count = ours.size();
  if (count <= kNeighbours) return 1.0;
  const auto nearest = [&](const std::vector<Vector>& vectors, std::size_t i) {
    std::vector<std::pair<double, std::size_t>> scored;
    for (std::size_t j = 0; j < count; ++j) {
      if (j != i) scored.emplace_back(-Cosine(vectors[i], vectors[j]), j);
    }
    std::partial_sort(scored.begin(), scored.begin() + kNeighbours, scored.end());
    std::vector<std::size_t> top;
    for (std::size_t k = 0; k < kNeighbours; ++k) top.push_back(scored[k].second);
    std::sort(top.begin(), top.end());
    return top;
  };
  std::size_t same = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const auto a = nearest(ours, i);
    const auto b = nearest(theirs, i);
    std::vector<std::size_t> both;
    std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(both));
    same += both.size();
  }
  return static_cast<double>(same) / static_cast<double>(count * kNeighbours);
}

int main(int argc, char** argv) {
  std::string model_dir;
  std::string peer;
  int threads = 2;
  std::string precision = "auto";
  int passages = 1000;
  int titles = 1000;
  fs::path work = fs::temp_directory_path() / "tributary-local-model-bench";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--model-dir") model_dir = argv[i + 1];
    if (flag == "--peer") peer = argv[i + 1];
    if (flag == "--threads") threads = std::stoi(argv[i + 1]);
    if (flag == "--precision") precision = argv[i + 1];
    if (flag == "--passages") passages = std::stoi(argv[i + 1]);
    if (flag == "--titles") titles = std::stoi(argv[i + 1]);
    if (flag == "--work") work = argv[i + 1];
  }
  if (model_dir.empty()) {
    std::fprintf(stderr, "--model-dir DIR is required\n");
    return 2;
  }
  fs::create_directories(work);
  const double rss_before = ResidentMb();
  const auto load_start = std::chrono::steady_clock::now();
  auto backend = LocalBackend::Load(model_dir, threads,
                                    tributary::embedder::local::PrecisionNamed(precision));
  if (!backend) {
    std::fprintf(stderr, "%s\n", backend.error().message.c_str());
    return 1;
  }
  const std::chrono::duration<double> load = std::chrono::steady_clock::now() - load_start;
  const double rss_loaded = ResidentMb();
  std::printf("model %s %s (%u dims): loaded in %.2f s, resident %.0f MB (process before: %.0f "
              "MB); %d threads, %s\n",
              (*backend)->Model().name.c_str(), (*backend)->Model().version.c_str(),
              (*backend)->Model().dims, load.count(), rss_loaded, rss_before, threads,
              tributary::embedder::local::PrecisionLabel((*backend)->precision()).data());

  std::mt19937 random(7);
  std::vector<std::pair<std::string, std::vector<std::string>>> sets(2);
  sets[0].first = "passages";
  for (int i = 0; i < passages; ++i) sets[0].second.push_back(Words(random, 110 + random() % 20));
  sets[1].first = "titles";
  for (int i = 0; i < titles; ++i) sets[1].second.push_back(Words(random, 6 + random() % 8));

  std::size_t truncated = 0;
  for (const auto& [name, texts] : sets) {
    if (texts.empty()) continue;
    const auto texts_path = work / (name + ".jsonl");
    WriteTexts(texts_path, texts);
    std::size_t tokens = 0;
    for (const auto& text : texts) tokens += (*backend)->tokenizer().Encode(text, 256).ids.size();
    // The backend gets the texts as the embedder stage hands them over: batches of 32.
    std::vector<Vector> ours;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < texts.size(); i += 32) {
      const auto end = std::min(i + 32, texts.size());
      std::vector<std::string> batch(texts.begin() + static_cast<long>(i),
                                     texts.begin() + static_cast<long>(end));
      auto embedded = (*backend)->Embed(batch);
      if (!embedded) return 1;
      truncated += embedded->truncated;
      for (auto& v : embedded->vectors) ours.push_back(std::move(v));
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    const double rate = static_cast<double>(texts.size()) / took.count();
    std::printf("%-8s tributary local       %8.1f texts/s  (%zu texts, %.0f tokens each on "
                "average)\n",
                name.c_str(), rate, texts.size(),
                static_cast<double>(tokens) / static_cast<double>(texts.size()));
    if (peer.empty()) continue;
    std::vector<Vector> theirs;
    const double peer_seconds = RunPeer(peer, texts_path, work / (name + ".f32"), texts.size(),
                                        (*backend)->Model().dims, &theirs);
    if (peer_seconds <= 0) {
      std::printf("%-8s sentence-transformers (did not run)\n", name.c_str());
      continue;
    }
    double lowest = 1;
    for (std::size_t i = 0; i < ours.size(); ++i) {
      lowest = std::min(lowest, Cosine(ours[i], theirs[i]));
    }
    const double peer_rate = static_cast<double>(texts.size()) / peer_seconds;
    std::printf("%-8s sentence-transformers %8.1f texts/s  tributary: %.2fx; lowest cosine "
                "between the two: %.6f; same top-10 neighbours: %.1f%%\n",
                name.c_str(), peer_rate, rate / peer_rate, lowest,
                100.0 * SameNeighbours(ours, theirs));
  }
  std::printf("resident after the run: %.0f MB; texts cut at %zu tokens: %zu\n", ResidentMb(),
              (*backend)->MaxTokens(),
              truncated);
  return 0;
}
