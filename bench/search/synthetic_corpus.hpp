#pragma once
// A generated corpus for bench/search: items whose words and vectors both follow a topic, so a
// text query and a vector query about one topic find overlapping items, as with real articles
// and a real embedding model.
//
// Words: a Zipf-distributed vocabulary of pronounceable pseudo-words; a quarter of an item's
// words come from its topic's own 40 words. Lengths: log-normal around 380 words (a feed
// article), cut at 6,000; passages of ~200 words, up to 32, ~3 per item on average.
// Vectors: real sentence embeddings are unit vectors that vary along a few dozen directions
// only; here a topic is a point in a 32-dimensional latent space, an item a point near it and
// a passage a point near its item, each mapped to `dims` by one fixed random matrix, plus a
// little noise in every dimension, and normalized. HNSW recall depends on that structure: on
// isotropic random vectors it would be far worse than on any real model's output.
// Everything is a pure function of (seed, item number): any item can be made again alone.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace tributary::bench {

struct Passage {
  int char_begin = 0;
  int char_end = 0;
  std::vector<float> vector;
};

struct SyntheticItem {
  std::int64_t number = 0;
  int source = 0;                  // 0 .. sources-1
  const char* language = nullptr;  // en, de, fr, es, or none
  std::int64_t published_unix = 0;
  std::string title;
  std::string text;
  std::vector<Passage> passages;  // passage 0's vector is also the item's vector
};

struct SyntheticQuery {
  std::string text;  // two or three words of one topic
  std::vector<float> vector;
};

class SyntheticCorpus {
 public:
  static constexpr int kLatentDims = 32;
  static constexpr int kTopics = 2000;
  static constexpr int kTopicWords = 40;
  static constexpr int kVocabulary = 30000;
  static constexpr int kWordsPerPassage = 200;
  static constexpr int kMaxPassages = 32;

  SyntheticCorpus(std::uint64_t seed, int dims, int sources, std::int64_t newest_unix,
                  int days);

  SyntheticItem Item(std::int64_t number) const;
  SyntheticQuery Query(std::int64_t number) const;
  int Dims() const { return dims_; }

 private:
  std::vector<float> Embed(const std::vector<float>& latent, std::mt19937_64& rng) const;
  std::vector<float> Near(const std::vector<float>& center, float spread,
                          std::mt19937_64& rng) const;
  const std::string& ZipfWord(std::mt19937_64& rng) const;
  const std::string& TopicWord(int topic, std::mt19937_64& rng) const;

  std::uint64_t seed_;
  int dims_;
  int sources_;
  std::int64_t newest_unix_;
  int days_;
  std::vector<std::string> words_;
  std::vector<double> zipf_cdf_;
  std::vector<std::vector<int>> topic_words_;   // word ranks
  std::vector<std::vector<float>> topic_centers_;
  std::vector<float> projection_;  // dims x kLatentDims, row-major
};

}  // namespace tributary::bench
