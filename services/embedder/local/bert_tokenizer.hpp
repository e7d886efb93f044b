#pragma once
// The tokenizer of BERT-family sentence-transformers, read from the model's tokenizer.json and
// giving the same token ids as Hugging Face `tokenizers` (checked against it on a fixture):
//   special tokens matched in the raw text ([CLS], [MASK], ... as written),
//   BertNormalizer: drop NUL, U+FFFD and "other" characters, whitespace to ' ', spaces around
//     CJK ideographs, accents stripped (NFD, nonspacing marks dropped), lower-cased,
//   BertPreTokenizer: split at whitespace, each punctuation character a word of its own,
//   WordPiece: longest vocabulary prefix first, "##" continuations, [UNK] for a word that
//     cannot be spelled (or is longer than max_input_chars_per_word),
//   [CLS] ... [SEP], cut to the model's maximum sequence length.
// `tokenizers` takes its character classes from Unicode 8 tables, so a character assigned later
// is in none of them here either; the Unicode data itself is ICU's.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/base/result.hpp"

namespace tributary::embedder::local {

struct Encoding {
  std::vector<std::int32_t> ids;  // [CLS] ... [SEP]
  bool truncated = false;         // word pieces were cut to fit max_length
};

class BertTokenizer {
 public:
  // From the text of a tokenizer.json; errors name what is missing or not supported.
  static Result<BertTokenizer> FromJson(std::string_view json);
  static Result<BertTokenizer> FromFile(const std::string& path);

  // `max_length` counts [CLS] and [SEP].
  [[nodiscard]] Encoding Encode(std::string_view text, std::size_t max_length) const;
  // The word pieces before [CLS]/[SEP] and truncation, as text (for tests).
  [[nodiscard]] std::vector<std::string> Pieces(std::string_view text) const;

  [[nodiscard]] std::size_t VocabularySize() const { return vocab_.size(); }

 private:
  struct Special {
    std::string text;
    std::int32_t id = 0;
  };

  // Appends the ids (and, when `pieces` is set, the pieces) of one stretch of ordinary text.
  void EncodeText(std::string_view text, std::vector<std::int32_t>& ids,
                  std::vector<std::string>* pieces) const;
  void EncodeWord(const std::u32string& word, std::vector<std::int32_t>& ids,
                  std::vector<std::string>* pieces) const;
  // Splits `text` at the special tokens, calling `special(id, text)` or `ordinary(text)`.
  template <typename OnSpecial, typename OnText>
  void SplitSpecial(std::string_view text, OnSpecial special, OnText ordinary) const;

  std::unordered_map<std::string, std::int32_t> vocab_;
  std::vector<Special> specials_;  // longest first
  std::array<bool, 256> special_first_bytes_{};  // where a special token may start
  std::string continuation_ = "##";
  std::size_t max_word_chars_ = 100;
  std::int32_t unk_ = 0;
  std::int32_t cls_ = 0;
  std::int32_t sep_ = 0;
  bool clean_text_ = true;
  bool chinese_chars_ = true;
  bool strip_accents_ = true;
  bool lowercase_ = true;
};

}  // namespace tributary::embedder::local
