#include "services/embedder/local/bert_tokenizer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/base/utf8.hpp"
#include "services/embedder/local/unicode_classes.hpp"

namespace tributary::embedder::local {
namespace {

using nlohmann::json;

tl::unexpected<Error> Unsupported(const std::string& what) {
  return Fail(ErrorKind::kPermanent, "model", "tokenizer.json: " + what);
}

// A string field of an object, or `fallback` when absent.
std::string StringOr(const json& object, const char* key, std::string fallback) {
  const auto found = object.find(key);
  return found != object.end() && found->is_string() ? found->get<std::string>() : fallback;
}

bool BoolOr(const json& object, const char* key, bool fallback) {
  const auto found = object.find(key);
  return found != object.end() && found->is_boolean() ? found->get<bool>() : fallback;
}

}  // namespace

Result<BertTokenizer> BertTokenizer::FromFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return Fail(ErrorKind::kPermanent, "model", fmt::format("{}: cannot be read", path));
  }
  std::ostringstream text;
  text << file.rdbuf();
  auto tokenizer = FromJson(text.str());
  if (!tokenizer) {
    return Fail(ErrorKind::kPermanent, "model",
                fmt::format("{}: {}", path, tokenizer.error().message));
  }
  return tokenizer;
}

Result<BertTokenizer> BertTokenizer::FromJson(std::string_view text) {
  const auto root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) return Unsupported("not a JSON object");
  BertTokenizer tokenizer;

  const auto& model = root.value("model", json::object());
  if (StringOr(model, "type", "") != "WordPiece") {
    return Unsupported("model type '" + StringOr(model, "type", "") + "'; only WordPiece is");
  }
  const auto& vocab = model.value("vocab", json::object());
  if (!vocab.is_object() || vocab.empty()) return Unsupported("no model.vocab");
  tokenizer.vocab_.reserve(vocab.size());
  for (const auto& [piece, id] : vocab.items()) {
    if (!id.is_number_integer()) return Unsupported("vocab entry '" + piece + "' has no id");
    tokenizer.vocab_.emplace(piece, id.get<std::int32_t>());
  }
  tokenizer.continuation_ = StringOr(model, "continuing_subword_prefix", "##");
  if (const auto found = model.find("max_input_chars_per_word");
      found != model.end() && found->is_number_unsigned()) {
    tokenizer.max_word_chars_ = found->get<std::size_t>();
  }
  const auto id_of = [&](const std::string& piece) -> Result<std::int32_t> {
    const auto found = tokenizer.vocab_.find(piece);
    if (found == tokenizer.vocab_.end()) return Unsupported("no '" + piece + "' in the vocab");
    return found->second;
  };
  auto unk = id_of(StringOr(model, "unk_token", "[UNK]"));
  auto cls = id_of("[CLS]");
  auto sep = id_of("[SEP]");
  if (!unk) return tl::unexpected(unk.error());
  if (!cls) return tl::unexpected(cls.error());
  if (!sep) return tl::unexpected(sep.error());
  tokenizer.unk_ = *unk;
  tokenizer.cls_ = *cls;
  tokenizer.sep_ = *sep;

  const auto& normalizer = root.value("normalizer", json::object());
  if (!normalizer.is_object() || StringOr(normalizer, "type", "") != "BertNormalizer") {
    return Unsupported("normalizer must be a BertNormalizer");
  }
  tokenizer.clean_text_ = BoolOr(normalizer, "clean_text", true);
  tokenizer.chinese_chars_ = BoolOr(normalizer, "handle_chinese_chars", true);
  tokenizer.lowercase_ = BoolOr(normalizer, "lowercase", true);
  // null: the same as lowercase, as BERT's original tokenizer did.
  tokenizer.strip_accents_ = BoolOr(normalizer, "strip_accents", tokenizer.lowercase_);
  const auto& pre = root.value("pre_tokenizer", json::object());
  if (!pre.is_object() || StringOr(pre, "type", "") != "BertPreTokenizer") {
    return Unsupported("pre_tokenizer must be a BertPreTokenizer");
  }

  for (const auto& added : root.value("added_tokens", json::array())) {
    if (!added.is_object() || !BoolOr(added, "special", false)) continue;
    const auto content = StringOr(added, "content", "");
    if (content.empty() || !added.contains("id") || !added["id"].is_number_integer()) continue;
    tokenizer.specials_.push_back({content, added["id"].get<std::int32_t>()});
  }
  std::sort(tokenizer.specials_.begin(), tokenizer.specials_.end(),
            [](const Special& a, const Special& b) { return a.text.size() > b.text.size(); });
  for (const auto& special : tokenizer.specials_) {
    tokenizer.special_first_bytes_[static_cast<unsigned char>(special.text[0])] = true;
  }
  return tokenizer;
}

template <typename OnSpecial, typename OnText>
void BertTokenizer::SplitSpecial(std::string_view text, OnSpecial special, OnText ordinary) const {
  std::size_t from = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const Special* match = nullptr;
    if (special_first_bytes_[static_cast<unsigned char>(text[i])]) {
      for (const auto& candidate : specials_) {  // longest first
        if (text.compare(i, candidate.text.size(), candidate.text) == 0) {
          match = &candidate;
          break;
        }
      }
    }
    if (match == nullptr) {
      ++i;
      continue;
    }
    if (i > from) ordinary(text.substr(from, i - from));
    special(*match);
    i += match->text.size();
    from = i;
  }
  if (from < text.size()) ordinary(text.substr(from));
}

Encoding BertTokenizer::Encode(std::string_view text, std::size_t max_length) const {
  Encoding out;
  out.ids.push_back(cls_);
  SplitSpecial(
      text, [&](const Special& special) { out.ids.push_back(special.id); },
      [&](std::string_view part) { EncodeText(part, out.ids, nullptr); });
  const std::size_t room = max_length > 1 ? max_length - 1 : 1;  // [SEP] goes last
  if (out.ids.size() > room) {
    out.ids.resize(room);
    out.truncated = true;
  }
  out.ids.push_back(sep_);
  return out;
}

std::vector<std::string> BertTokenizer::Pieces(std::string_view text) const {
  std::vector<std::string> pieces;
  std::vector<std::int32_t> ids;
  SplitSpecial(
      text, [&](const Special& special) { pieces.push_back(special.text); },
      [&](std::string_view part) { EncodeText(part, ids, &pieces); });
  return pieces;
}

void BertTokenizer::EncodeText(std::string_view text, std::vector<std::int32_t>& ids,
                               std::vector<std::string>* pieces) const {
  // BertNormalizer.
  std::u32string normalized;
  normalized.reserve(text.size());
  for (const char32_t c : unicode::Decode(text)) {
    if (clean_text_) {
      if (c == 0 || c == 0xFFFD || unicode::IsOther(c)) continue;
      if (unicode::IsWhitespace(c)) {
        normalized.push_back(U' ');
        continue;
      }
    }
    if (chinese_chars_ && unicode::IsChineseChar(c)) {
      normalized.push_back(U' ');
      normalized.push_back(c);
      normalized.push_back(U' ');
      continue;
    }
    normalized.push_back(c);
  }
  if (strip_accents_) {
    auto decomposed = unicode::Nfd(normalized);
    std::erase_if(decomposed, [](char32_t c) { return unicode::IsNonspacingMark(c); });
    normalized = std::move(decomposed);
  }
  if (lowercase_) normalized = unicode::Lowercase(normalized);

  // BertPreTokenizer: words end at whitespace; each punctuation character is a word.
  std::u32string word;
  const auto flush = [&] {
    if (!word.empty()) EncodeWord(word, ids, pieces);
    word.clear();
  };
  for (const char32_t c : normalized) {
    if (unicode::IsWhitespace(c)) {
      flush();
    } else if (unicode::IsPunctuation(c)) {
      flush();
      word.push_back(c);
      flush();
    } else {
      word.push_back(c);
    }
  }
  flush();
}

void BertTokenizer::EncodeWord(const std::u32string& word, std::vector<std::int32_t>& ids,
                               std::vector<std::string>* pieces) const {
  const auto unknown = [&] {
    ids.push_back(unk_);
    if (pieces != nullptr) pieces->push_back("[UNK]");
  };
  if (word.size() > max_word_chars_) return unknown();
  std::string utf8;
  std::vector<std::size_t> boundaries{0};  // byte offset after each character
  for (const char32_t c : word) {
    AppendCodePoint(c, utf8);
    boundaries.push_back(utf8.size());
  }
  // Longest vocabulary entry first, from each position on; one unspellable rest makes the
  // whole word [UNK].
  const auto first_id = ids.size();
  const auto first_piece = pieces != nullptr ? pieces->size() : 0;
  std::string candidate;
  std::size_t start = 0;  // in characters
  while (start < word.size()) {
    std::size_t end = word.size();
    bool found = false;
    for (; end > start; --end) {
      candidate.assign(start > 0 ? continuation_ : std::string());
      candidate.append(utf8, boundaries[start], boundaries[end] - boundaries[start]);
      if (const auto it = vocab_.find(candidate); it != vocab_.end()) {
        ids.push_back(it->second);
        if (pieces != nullptr) pieces->push_back(candidate);
        found = true;
        break;
      }
    }
    if (!found) {
      ids.resize(first_id);
      if (pieces != nullptr) pieces->resize(first_piece);
      return unknown();
    }
    start = end;
  }
}

}  // namespace tributary::embedder::local
