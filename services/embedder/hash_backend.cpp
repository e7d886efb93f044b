#include "services/embedder/hash_backend.hpp"

#include <cmath>
#include <string>
#include <vector>

namespace tributary::embedder {
namespace {

// Feature families hash with different seeds so the word "the" and the trigram "the" are
// different features.
constexpr std::uint64_t kWordSeed = 0x9E3779B97F4A7C15ULL;
constexpr std::uint64_t kBigramSeed = 0xC2B2AE3D27D4EB4FULL;
constexpr std::uint64_t kCharSeed = 0x165667B19E3779F9ULL;
constexpr std::uint64_t kWholeSeed = 0x27D4EB2F165667C5ULL;

constexpr float kWordWeight = 1.0F;
constexpr float kBigramWeight = 0.7F;
constexpr float kCharWeight = 0.35F;

// FNV-1a over the bytes, then the SplitMix64 finalizer: FNV alone leaves the low bits (our
// bucket) poorly mixed for short strings.
std::uint64_t Hash(std::string_view bytes, std::uint64_t seed) {
  std::uint64_t h = 0xCBF29CE484222325ULL ^ seed;
  for (const char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001B3ULL;
  }
  h ^= h >> 30;
  h *= 0xBF58476D1CE4E5B9ULL;
  h ^= h >> 27;
  h *= 0x94D049BB133111EBULL;
  h ^= h >> 31;
  return h;
}

void AddFeature(Vector& v, std::string_view feature, std::uint64_t seed, float weight) {
  const auto h = Hash(feature, seed);
  const auto bucket = static_cast<std::size_t>(h % v.size());
  v[bucket] += (h >> 63) != 0 ? -weight : weight;
}

bool IsWordByte(unsigned char c) {
  return c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Lower-cased (ASCII) words; any non-ASCII byte counts as a letter, so accented and non-Latin
// words stay whole.
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsWordByte(c)) {
      word += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : ch;
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

// Character n-grams over code points of " word ", so prefixes and suffixes are features too.
void AddCharGrams(Vector& v, const std::string& word) {
  const std::string padded = " " + word + " ";
  std::vector<std::size_t> starts;  // byte offset of each code point, plus the end
  for (std::size_t i = 0; i < padded.size(); ++i) {
    if ((static_cast<unsigned char>(padded[i]) & 0xC0U) != 0x80U) starts.push_back(i);
  }
  starts.push_back(padded.size());
  const std::size_t points = starts.size() - 1;
  for (const std::size_t n : {3U, 4U}) {
    for (std::size_t i = 0; i + n <= points; ++i) {
      AddFeature(v, std::string_view(padded).substr(starts[i], starts[i + n] - starts[i]),
                 kCharSeed + n, kCharWeight);
    }
  }
}

}  // namespace

Vector HashEmbed(std::string_view text, std::uint32_t dims) {
  Vector v(dims, 0.0F);
  if (dims == 0) return v;
  const auto words = Words(text);
  for (std::size_t i = 0; i < words.size(); ++i) {
    AddFeature(v, words[i], kWordSeed, kWordWeight);
    if (i + 1 < words.size()) AddFeature(v, words[i] + ' ' + words[i + 1], kBigramSeed, kBigramWeight);
    AddCharGrams(v, words[i]);
  }
  double norm = 0;
  for (const float x : v) norm += static_cast<double>(x) * x;
  if (norm == 0) {
    // No word at all (punctuation only, or empty): the whole text is the one feature, so the
    // vector is still a unit vector and equal texts stay equal.
    AddFeature(v, text, kWholeSeed, 1.0F);
    norm = 1;
  }
  const auto scale = static_cast<float>(1.0 / std::sqrt(norm));
  for (auto& x : v) x *= scale;
  return v;
}

EmbedResult HashBackend::Embed(const std::vector<std::string>& texts) {
  Embeddings out;
  out.vectors.reserve(texts.size());
  for (const auto& text : texts) out.vectors.push_back(HashEmbed(text, dims_));
  return out;
}

}  // namespace tributary::embedder
