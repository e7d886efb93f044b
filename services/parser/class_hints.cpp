#include "services/parser/class_hints.hpp"

#include <algorithm>
#include <array>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/base/ascii.hpp"

namespace tributary::parser::html {
namespace {

// The word lists, each a bit: a word that is in several lists has each of their bits.
enum WordList : std::uint16_t {
  kUnlikelyList = 1u << 0,  // chrome, when no "maybe" word is there too
  kMaybeList = 1u << 1,
  kBylineList = 1u << 2,
  kNegativeList = 1u << 3,  // weighs an attribute -25
  kPositiveList = 1u << 4,  // weighs an attribute +25
};

constexpr std::string_view kUnlikelyListWords[] = {
    "-ad-", "ai2html", "banner", "breadcrumbs", "combx", "comment", "community", "cover-wrap",
    "disqus", "extra", "footer", "gdpr", "header", "legends", "menu", "related", "remark",
    "replies", "rss", "shoutbox", "sidebar", "skyscraper", "social", "sponsor", "supplemental",
    "ad-break", "agegate", "pagination", "pager", "popup", "yom-remote", "cookie", "consent"};
constexpr std::string_view kMaybeListWords[] = {"and",     "article", "body",    "column",
                                            "content", "main",    "mathjax", "shadow"};
constexpr std::string_view kBylineListWords[] = {"byline", "author", "dateline", "writtenby",
                                             "p-author"};
constexpr std::string_view kNegativeListWords[] = {
    "-ad-",   "hidden",   "banner",   "combx",   "comment",  "com-",     "contact",  "footer",
    "gdpr",   "masthead", "media",    "meta",    "outbrain", "promo",    "related",  "scroll",
    "share",  "shoutbox", "sidebar",  "skyscraper", "sponsor", "shopping", "tags",   "widget"};
constexpr std::string_view kPositiveListWords[] = {"article", "body",    "content",    "entry",
                                               "hentry",  "h-entry", "main",       "page",
                                               "pagination", "post", "text",       "blog",
                                               "story"};

struct ListWords {
  WordList list;
  std::span<const std::string_view> words;
};

constexpr ListWords kLists[] = {{kUnlikelyList, kUnlikelyListWords},
                                {kMaybeList, kMaybeListWords},
                                {kBylineList, kBylineListWords},
                                {kNegativeList, kNegativeListWords},
                                {kPositiveList, kPositiveListWords}};

// Finds every listed word inside a text in one pass: at each position only the words that
// start with its byte are compared. (Asking std::string_view::find once per word scanned a
// long class attribute ~80 times, which cost more than parsing the page.)
class WordMatcher {
 public:
  WordMatcher() {
    for (const auto& [list, words] : kLists) {
      for (const auto word : words) {
        auto same = std::find_if(entries_.begin(), entries_.end(),
                                 [&](const Entry& e) { return e.word == word; });
        if (same != entries_.end()) {
          same->lists = static_cast<std::uint16_t>(same->lists | list);
        } else {
          entries_.push_back({word, list});
        }
      }
    }
    std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
      return static_cast<unsigned char>(a.word[0]) < static_cast<unsigned char>(b.word[0]);
    });
    std::size_t k = 0;
    for (std::size_t c = 0; c < 256; ++c) {
      begin_[c] = static_cast<std::uint16_t>(k);
      while (k < entries_.size() && static_cast<unsigned char>(entries_[k].word[0]) == c) ++k;
    }
    begin_[256] = static_cast<std::uint16_t>(k);
  }

  // The lists (WordList bits) of every word found in `text`, in any case.
  [[nodiscard]] std::uint16_t Lists(std::string_view text) const {
    unsigned found = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
      const auto c = static_cast<unsigned char>(AsciiLower(text[i]));
      for (auto k = begin_[c]; k < begin_[c + 1]; ++k) {
        const auto& entry = entries_[k];
        if ((found & entry.lists) == entry.lists) continue;  // nothing new to learn
        if (StartsWith(text, i, entry.word)) found |= entry.lists;
      }
    }
    return static_cast<std::uint16_t>(found);
  }

 private:
  struct Entry {
    std::string_view word;
    std::uint16_t lists;
  };
  static bool StartsWith(std::string_view text, std::size_t at, std::string_view word) {
    if (text.size() - at < word.size()) return false;
    for (std::size_t j = 1; j < word.size(); ++j) {  // word[0] matched by the bucket
      if (AsciiLower(text[at + j]) != word[j]) return false;
    }
    return true;
  }
  std::vector<Entry> entries_;
  // The entries that start with byte c: [begin_[c], begin_[c + 1]).
  std::array<std::uint16_t, 257> begin_{};
};

const WordMatcher& Matcher() {
  static const WordMatcher matcher;
  return matcher;
}

// "hid" as a whole word (space-separated, any case) also weighs an attribute -25.
bool HidWord(std::string_view value) {
  std::size_t start = 0;
  while (start <= value.size()) {
    auto end = value.find(' ', start);
    if (end == std::string_view::npos) end = value.size();
    if (AsciiEqualsLower(value.substr(start, end - start), "hid")) return true;
    start = end + 1;
  }
  return false;
}

// class or id naming a share bar: "share" or "sharedaddy" as a word in any case ('-', '_' and
// spaces split).
bool ShareWords(std::string_view value) {
  std::size_t start = 0;
  for (std::size_t i = 0; i <= value.size(); ++i) {
    const char c = i < value.size() ? AsciiLower(value[i]) : ' ';
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) continue;
    const auto word = value.substr(start, i - start);
    if (AsciiEqualsLower(word, "share") || AsciiEqualsLower(word, "sharedaddy")) return true;
    start = i + 1;
  }
  return false;
}

std::uint16_t WorkOut(const Node* node) {
  unsigned hints = kHintsKnown;
  const auto class_name = Attr(node, "class");
  const auto id = Attr(node, "id");
  if (class_name.empty() && id.empty()) return static_cast<std::uint16_t>(hints);
  // No listed word holds a space, so none is found across the two: class and id are read
  // apart, as the weights need, and their lists joined for the class-or-id tests. Words are
  // matched in any case, as the lowercased copies of class and id used to be.
  const auto class_lists = class_name.empty() ? 0u : Matcher().Lists(class_name);
  const auto id_lists = id.empty() ? 0u : Matcher().Lists(id);
  const auto either = class_lists | id_lists;
  if ((either & kUnlikelyList) != 0) hints |= kUnlikely;
  if ((either & kMaybeList) != 0) hints |= kMaybe;
  if ((either & kBylineList) != 0) hints |= kBylineWords;
  if (ShareWords(class_name) || ShareWords(id)) hints |= kShareWords;
  if ((class_lists & kNegativeList) != 0 || (!class_name.empty() && HidWord(class_name))) {
    hints |= kClassNegative;
  }
  if ((class_lists & kPositiveList) != 0) hints |= kClassPositive;
  if ((id_lists & kNegativeList) != 0 || (!id.empty() && HidWord(id))) hints |= kIdNegative;
  if ((id_lists & kPositiveList) != 0) hints |= kIdPositive;
  return static_cast<std::uint16_t>(hints);
}

}  // namespace

std::uint16_t ClassHints(const Node* node) {
  if ((node->class_hints & kHintsKnown) == 0) node->class_hints = WorkOut(node);
  return node->class_hints;
}

int ClassWeight(const Node* node) {
  const auto hints = ClassHints(node);
  int weight = 0;
  if ((hints & kClassNegative) != 0) weight -= 25;
  if ((hints & kClassPositive) != 0) weight += 25;
  if ((hints & kIdNegative) != 0) weight -= 25;
  if ((hints & kIdPositive) != 0) weight += 25;
  return weight;
}

}  // namespace tributary::parser::html
