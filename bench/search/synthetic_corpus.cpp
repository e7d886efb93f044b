#include "bench/search/synthetic_corpus.hpp"

#include <algorithm>
#include <cmath>
#include <unordered_set>

namespace tributary::bench {
namespace {

constexpr const char* kLanguages[] = {"en", "en", "en", "en", "en", "en", "en",
                                      "de", "fr", "es", nullptr};
constexpr float kItemSpread = 0.55F;     // an item around its topic, in latent units
constexpr float kPassageSpread = 0.35F;  // a passage around its item
constexpr float kNoise = 0.02F;          // every dimension, after the projection

std::mt19937_64 Stream(std::uint64_t seed, std::uint64_t kind, std::int64_t number) {
  std::seed_seq seq{seed, kind, static_cast<std::uint64_t>(number)};
  return std::mt19937_64(seq);
}

// A pronounceable word: common ranks get one or two syllables, rare ones up to four, as in
// natural languages where frequent words are short.
std::string MakeWord(int rank, std::mt19937_64& rng) {
  static constexpr char kConsonants[] = "bcdfghklmnprstvz";
  static constexpr char kVowels[] = "aeiou";
  const int syllables = rank < 100 ? 1 + static_cast<int>(rng() % 2)
                                   : 2 + static_cast<int>(rng() % 3);
  std::string word;
  for (int s = 0; s < syllables; ++s) {
    word.push_back(kConsonants[rng() % (sizeof(kConsonants) - 1)]);
    word.push_back(kVowels[rng() % (sizeof(kVowels) - 1)]);
  }
  if (rng() % 3 == 0) word.push_back(kConsonants[rng() % (sizeof(kConsonants) - 1)]);
  return word;
}

}  // namespace

SyntheticCorpus::SyntheticCorpus(std::uint64_t seed, int dims, int sources,
                                 std::int64_t newest_unix, int days)
    : seed_(seed), dims_(dims), sources_(sources), newest_unix_(newest_unix), days_(days) {
  auto rng = Stream(seed, 0, 0);
  std::unordered_set<std::string> seen;
  while (static_cast<int>(words_.size()) < kVocabulary) {
    auto word = MakeWord(static_cast<int>(words_.size()), rng);
    if (seen.insert(word).second) words_.push_back(std::move(word));
  }
  double total = 0;
  for (int r = 0; r < kVocabulary; ++r) {
    total += 1.0 / (r + 1.0);
    zipf_cdf_.push_back(total);
  }
  for (auto& c : zipf_cdf_) c /= total;

  std::normal_distribution<float> normal(0.0F, 1.0F);
  for (int t = 0; t < kTopics; ++t) {
    std::vector<int> ranks;
    // Topic words are neither the commonest words nor unique to one topic.
    for (int w = 0; w < kTopicWords; ++w) ranks.push_back(200 + static_cast<int>(rng() % 20000));
    topic_words_.push_back(std::move(ranks));
    std::vector<float> center(kLatentDims);
    for (auto& x : center) x = normal(rng);
    topic_centers_.push_back(std::move(center));
  }
  projection_.resize(static_cast<std::size_t>(dims) * kLatentDims);
  for (auto& x : projection_) x = normal(rng) / std::sqrt(static_cast<float>(kLatentDims));
}

std::vector<float> SyntheticCorpus::Near(const std::vector<float>& center, float spread,
                                         std::mt19937_64& rng) const {
  std::normal_distribution<float> normal(0.0F, spread);
  std::vector<float> out(center);
  for (auto& x : out) x += normal(rng);
  return out;
}

std::vector<float> SyntheticCorpus::Embed(const std::vector<float>& latent,
                                          std::mt19937_64& rng) const {
  std::normal_distribution<float> noise(0.0F, kNoise);
  std::vector<float> out(static_cast<std::size_t>(dims_));
  double norm = 0;
  for (int d = 0; d < dims_; ++d) {
    const float* row = &projection_[static_cast<std::size_t>(d) * kLatentDims];
    float sum = 0;
    for (int k = 0; k < kLatentDims; ++k) sum += row[k] * latent[static_cast<std::size_t>(k)];
    sum += noise(rng);
    out[static_cast<std::size_t>(d)] = sum;
    norm += static_cast<double>(sum) * sum;
  }
  const auto scale = static_cast<float>(1.0 / std::sqrt(std::max(norm, 1e-30)));
  for (auto& x : out) x *= scale;
  return out;
}

const std::string& SyntheticCorpus::ZipfWord(std::mt19937_64& rng) const {
  const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng);
  const auto at = std::lower_bound(zipf_cdf_.begin(), zipf_cdf_.end(), u) - zipf_cdf_.begin();
  return words_[static_cast<std::size_t>(std::min<std::ptrdiff_t>(at, kVocabulary - 1))];
}

const std::string& SyntheticCorpus::TopicWord(int topic, std::mt19937_64& rng) const {
  const auto& ranks = topic_words_[static_cast<std::size_t>(topic)];
  return words_[static_cast<std::size_t>(ranks[rng() % ranks.size()])];
}

SyntheticItem SyntheticCorpus::Item(std::int64_t number) const {
  auto rng = Stream(seed_, 1, number);
  SyntheticItem item;
  item.number = number;
  const int topic = static_cast<int>(rng() % kTopics);
  item.source = static_cast<int>(rng() % static_cast<std::uint64_t>(sources_));
  item.language = kLanguages[rng() % std::size(kLanguages)];
  item.published_unix =
      newest_unix_ - static_cast<std::int64_t>(rng() % (static_cast<std::uint64_t>(days_) * 86400));

  for (int w = 0, words = 5 + static_cast<int>(rng() % 6); w < words; ++w) {
    if (!item.title.empty()) item.title.push_back(' ');
    item.title += w < 2 ? TopicWord(topic, rng) : ZipfWord(rng);
  }
  const double length = std::exp(std::normal_distribution<double>(std::log(380.0), 0.6)(rng));
  const int words = std::clamp(static_cast<int>(length), 30, 6000);
  std::vector<int> word_starts;
  word_starts.reserve(static_cast<std::size_t>(words));
  item.text.reserve(static_cast<std::size_t>(words) * 7);
  for (int w = 0, in_sentence = 0, sentence = 12; w < words; ++w) {
    if (in_sentence == 0 && w > 0 && rng() % 5 == 0) item.text += "\n\n";  // paragraph
    word_starts.push_back(static_cast<int>(item.text.size()));
    const auto& word = rng() % 4 == 0 ? TopicWord(topic, rng) : ZipfWord(rng);
    item.text += word;
    if (in_sentence == 0) item.text[static_cast<std::size_t>(word_starts.back())] -= 'a' - 'A';
    if (++in_sentence == sentence) {
      item.text += ". ";
      in_sentence = 0;
      sentence = 6 + static_cast<int>(rng() % 16);
    } else {
      item.text.push_back(' ');
    }
  }
  item.text.pop_back();

  const auto item_latent = Near(topic_centers_[static_cast<std::size_t>(topic)], kItemSpread, rng);
  const int passages =
      std::min(kMaxPassages, (words + kWordsPerPassage - 1) / kWordsPerPassage);
  for (int p = 0; p < passages; ++p) {
    const int first = p * words / passages;
    const int last = (p + 1) * words / passages;  // one past
    Passage passage;
    // 16 words of overlap with the passage before, as the chunker's overlap would give.
    passage.char_begin = word_starts[static_cast<std::size_t>(std::max(0, first - 16))];
    passage.char_end = last == words ? static_cast<int>(item.text.size())
                                     : word_starts[static_cast<std::size_t>(last)] - 1;
    passage.vector = Embed(Near(item_latent, kPassageSpread, rng), rng);
    item.passages.push_back(std::move(passage));
  }
  return item;
}

SyntheticQuery SyntheticCorpus::Query(std::int64_t number) const {
  auto rng = Stream(seed_, 2, number);
  const int topic = static_cast<int>(rng() % kTopics);
  SyntheticQuery query;
  for (int w = 0, words = 2 + static_cast<int>(rng() % 2); w < words; ++w) {
    if (!query.text.empty()) query.text.push_back(' ');
    query.text += TopicWord(topic, rng);
  }
  query.vector =
      Embed(Near(topic_centers_[static_cast<std::size_t>(topic)], kItemSpread, rng), rng);
  return query;
}

}  // namespace tributary::bench
