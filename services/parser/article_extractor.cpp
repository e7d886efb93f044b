#include "services/parser/article_extractor.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "services/parser/article_cleaner.hpp"
#include "services/parser/article_stats.hpp"
#include "services/parser/class_hints.hpp"
#include "common/base/ascii.hpp"
#include "services/parser/html_dom.hpp"

namespace tributary::parser {
namespace {

using html::Node;
using html::IsAnyTag;
using html::IsElement;
using html::IsHeading;
using html::IsTag;

// An article shorter than this is tried again with fewer rules (characters of text).
constexpr double kEnoughText = 500;
constexpr std::size_t kTopCandidates = 5;
// Nodes a structural question ("any block inside?") looks at before answering "yes".
constexpr std::size_t kQuestionBudget = 10'000;

struct Attempt {
  bool strip_unlikely = true;
  bool weight_classes = true;
  bool clean_conditionally = true;
};

bool UnlikelyRole(std::string_view role) {
  return role == "menu" || role == "menubar" || role == "complementary" || role == "navigation" ||
         role == "alert" || role == "alertdialog" || role == "dialog";
}

bool Hidden(const Node* node) {
  std::string style;
  for (const char c : AsciiLower(html::Attr(node, "style"))) {
    if (c != ' ' && c != '\t' && c != '\n') style.push_back(c);
  }
  if (style.find("display:none") != std::string::npos ||
      style.find("visibility:hidden") != std::string::npos) {
    return true;
  }
  if (html::HasAttr(node, "hidden")) return true;
  // aria-hidden images that stand in for lazily loaded ones ("fallback-image") still show.
  return html::Attr(node, "aria-hidden") == "true" &&
         AsciiLower(html::Attr(node, "class")).find("fallback-image") == std::string::npos;
}

// The text below `node`, whitespace runs as one space, trimmed.
std::string InnerText(const Node* node) {
  std::string out;
  bool space = false;
  html::Walk(const_cast<Node*>(node), [&](Node* n) {
    for (const char c : n->text) {
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f') {
        space = !out.empty();
        continue;
      }
      if (space) out.push_back(' ');
      space = false;
      out.push_back(c);
    }
    return IsElement(n);
  });
  return out;
}

// Lowercased words: ASCII letters and digits, and any non-ASCII byte (so other scripts stay
// words).
std::vector<std::string> Words(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80) {
      word.push_back(static_cast<char>(c));
    } else if (c >= 'A' && c <= 'Z') {
      word.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if (!word.empty()) {
      words.push_back(std::move(word));
      word.clear();
    }
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

// How much of `b` is also in `a`: 1 - (length of b's words not in a) / (length of b's words).
double Similarity(std::string_view a, std::string_view b) {
  const auto words_a = Words(a);
  const auto words_b = Words(b);
  if (words_a.empty() || words_b.empty()) return 0;
  std::size_t total = 0;
  std::size_t unique = 0;
  for (const auto& word : words_b) {
    total += word.size() + 1;
    if (std::find(words_a.begin(), words_a.end(), word) == words_a.end()) unique += word.size() + 1;
  }
  return 1.0 - static_cast<double>(unique) / static_cast<double>(total);
}

bool PhrasingTag(const Node* node) {
  return IsAnyTag(node, {"abbr", "audio", "b", "bdo", "br", "button", "cite", "code", "data",
                         "datalist", "dfn", "em", "embed", "i", "img", "input", "kbd", "label",
                         "mark", "math", "meter", "noscript", "object", "output", "progress", "q",
                         "ruby", "samp", "script", "select", "small", "span", "strong", "sub",
                         "sup", "textarea", "time", "var", "wbr", "font", "u", "s", "strike",
                         "big", "tt"});
}

bool BlockTag(const Node* node) {
  return IsAnyTag(node, {"blockquote", "dl", "div", "img", "ol", "p", "pre", "table", "ul"});
}

// Text, inline elements, and links/edits that hold only those.
bool Phrasing(const Node* node, std::size_t& budget) {
  if (html::IsText(node)) return true;
  if (PhrasingTag(node)) return true;
  if (!IsAnyTag(node, {"a", "del", "ins"})) return false;
  for (const Node* child = node->first_child; child != nullptr; child = child->next) {
    if (budget == 0 || !Phrasing(child, --budget)) return false;
  }
  return true;
}

bool HasBlockInside(const Node* node) {
  std::size_t budget = kQuestionBudget;
  bool found = false;
  html::Walk(const_cast<Node*>(node), [&](Node* n) {
    if (found || budget == 0) return false;
    --budget;
    if (n != node && BlockTag(n)) found = true;
    return !found && IsElement(n);
  });
  return found || budget == 0;
}

bool OnlyWhitespace(const Node* text) {
  for (const char c : text->text) {
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f') return false;
  }
  return true;
}

// An element with no text and nothing in it but <br>/<hr>.
bool WithoutContent(const Node* node) {
  for (const Node* child = node->first_child; child != nullptr; child = child->next) {
    if (html::IsText(child) && !OnlyWhitespace(child)) return false;
    if (IsElement(child) && !IsAnyTag(child, {"br", "hr"})) return false;
  }
  return true;
}

// A div whose only element is one <p>, with no text of its own.
Node* SoleParagraph(const Node* div) {
  Node* only = nullptr;
  for (Node* child = div->first_child; child != nullptr; child = child->next) {
    if (html::IsText(child) && !OnlyWhitespace(child)) return nullptr;
    if (!IsElement(child)) continue;
    if (only != nullptr || !IsTag(child, "p")) return nullptr;
    only = child;
  }
  return only;
}

// The share of `node`'s text inside links (as TreeStats weighs it, html::LinkWeight), in
// one walk of its subtree.
double LinkDensity(const Node* node) {
  double text = 0;
  double link_text = 0;
  // Each entry: a node and the weight of the outermost link around it (0: none).
  std::vector<std::pair<const Node*, double>> stack{{node, 0.0}};
  while (!stack.empty()) {
    auto [n, link] = stack.back();
    stack.pop_back();
    if (html::IsText(n)) {
      const double length = html::CountedLength(n);
      text += length;
      link_text += length * link;
      continue;
    }
    if (link == 0 && n != node && IsTag(n, "a")) link = html::LinkWeight(n);
    for (const Node* child = n->first_child; child != nullptr; child = child->next) {
      stack.emplace_back(child, link);
    }
  }
  return text > 0 ? link_text / text : 0;
}

// Runs of text and inline elements directly inside a div become paragraphs of their own, so
// that they are scored like the paragraphs beside them.
void WrapLooseText(html::Document& doc, Node* div) {
  Node* paragraph = nullptr;
  std::size_t budget = kQuestionBudget;
  for (Node* child = div->first_child; child != nullptr;) {
    Node* next = child->next;
    if (budget > 0 && Phrasing(child, budget)) {
      if (paragraph == nullptr) {
        if (html::IsText(child) && OnlyWhitespace(child)) {
          child = next;
          continue;
        }
        paragraph = doc.NewElement("p");
        html::InsertBefore(child, paragraph);
      }
      html::Unlink(child);
      html::AppendChild(paragraph, child);
    } else {
      paragraph = nullptr;
    }
    child = next;
  }
}

double TagWeight(const Node* node) {
  if (IsTag(node, "div")) return 5;
  if (IsAnyTag(node, {"pre", "td", "blockquote"})) return 3;
  if (IsAnyTag(node, {"address", "ol", "ul", "dl", "dd", "dt", "li", "form"})) return -3;
  if (IsHeading(node) || IsTag(node, "th")) return -5;
  return 0;
}

class Scorer {
 public:
  // `first_node_id`: the id of the body's copy this attempt works on (all it scores is newer).
  Scorer(html::Document& doc, const Attempt& attempt, std::string_view title,
         std::uint32_t first_node_id)
      : doc_(doc),
        attempt_(attempt),
        title_(title),
        first_node_id_(first_node_id),
        scores_(first_node_id),
        stats_(first_node_id) {
    // The copy and the boxes and paragraphs made while scoring it, with room to spare.
    const auto end = doc.size() + (doc.size() - first_node_id) / 4 + 64;
    scores_.Reserve(end);
    stats_.Reserve(end);
  }

  // Prunes `body` (a copy) and returns the article container built from it, with the
  // characters of text it holds.
  Node* Run(Node* body, std::string& byline, double& text);

 private:
  void Prune(Node* body, std::string& byline);
  void Score();
  Node* PickTop(Node* body);
  Node* GatherSiblings(Node* top);
  double& ScoreOf(Node* node);
  bool Scored(const Node* node) const { return scores_.Get(node).scored; }
  double CurrentScore(const Node* node) const { return scores_.Get(node).score; }

  struct Entry {
    double score = 0;
    bool scored = false;
  };

  html::Document& doc_;
  Attempt attempt_;
  std::string_view title_;
  bool title_removed_ = false;
  std::vector<Node*> to_score_;
  std::uint32_t first_node_id_;
  html::NodeTable<Entry> scores_;
  std::vector<Node*> candidates_;
  html::TreeStats stats_;
};

double& Scorer::ScoreOf(Node* node) {
  auto& entry = scores_[node];
  if (!entry.scored) {
    entry = {TagWeight(node) + (attempt_.weight_classes ? html::ClassWeight(node) : 0), true};
    candidates_.push_back(node);
  }
  return entry.score;
}

void Scorer::Prune(Node* body, std::string& byline) {
  // Pre-order with each element's "inside a table or <code>" (unlikely-looking words in there
  // name data, not chrome).
  std::vector<std::pair<Node*, bool>> stack;
  for (Node* child = body->first_child; child != nullptr; child = child->next) {
    stack.emplace_back(child, false);
  }
  std::reverse(stack.begin(), stack.end());
  while (!stack.empty()) {
    auto [node, sheltered] = stack.back();
    stack.pop_back();
    if (!IsElement(node)) continue;
    if (Hidden(node) ||
        (html::Attr(node, "aria-modal") == "true" && html::Attr(node, "role") == "dialog")) {
      html::Unlink(node);
      continue;
    }
    if (byline.empty() &&
        (html::Attr(node, "rel") == "author" ||
         AsciiLower(html::Attr(node, "itemprop")).find("author") != std::string::npos ||
         html::HasHint(node, html::kBylineWords))) {
      // A schema.org author block names the person in its itemprop="name" child.
      const Node* name = nullptr;
      html::Walk(node, [&](Node* n) {
        if (name != nullptr || !IsElement(n)) return false;
        if (n != node && html::Attr(n, "itemprop") == "name") name = n;
        return name == nullptr;
      });
      // Only a short line is a byline (an author box with a biography is content).
      const auto text = InnerText(node);
      if (!text.empty() && text.size() < 100) {
        byline = name != nullptr ? InnerText(name) : text;
        html::Unlink(node);
        continue;
      }
    }
    if (!title_removed_ && IsAnyTag(node, {"h1", "h2"}) && !title_.empty() &&
        Similarity(title_, InnerText(node)) > 0.75) {
      title_removed_ = true;
      html::Unlink(node);
      continue;
    }
    if (attempt_.strip_unlikely) {
      if (html::HasHint(node, html::kUnlikely) && !html::HasHint(node, html::kMaybe) &&
          !sheltered &&
          !IsAnyTag(node, {"body", "a"})) {
        html::Unlink(node);
        continue;
      }
      if (UnlikelyRole(html::Attr(node, "role"))) {
        html::Unlink(node);
        continue;
      }
    }
    if ((IsAnyTag(node, {"div", "section", "header"}) || IsHeading(node)) &&
        WithoutContent(node)) {
      html::Unlink(node);
      continue;
    }
    if (IsAnyTag(node, {"section", "h2", "h3", "h4", "h5", "h6", "p", "td", "pre"})) {
      to_score_.push_back(node);
    }
    if (IsTag(node, "div")) {
      WrapLooseText(doc_, node);
      if (Node* paragraph = SoleParagraph(node); paragraph != nullptr) {
        // Keep the paragraph in the div's place when the div adds nothing but a box; a
        // link-heavy paragraph stays boxed, where it is scored as a div.
        if (LinkDensity(node) < 0.25) {
          html::Replace(node, paragraph);
          to_score_.push_back(paragraph);
          node = paragraph;
        }
      } else if (!HasBlockInside(node)) {
        html::Rename(node, "p");
        to_score_.push_back(node);
      }
    }
    const bool inside = sheltered || IsAnyTag(node, {"table", "code"});
    const auto first = stack.size();
    for (Node* child = node->first_child; child != nullptr; child = child->next) {
      stack.emplace_back(child, inside);
    }
    std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first), stack.end());
  }
}

void Scorer::Score() {
  for (Node* element : to_score_) {
    if (element->parent == nullptr || !IsElement(element->parent)) continue;
    const auto& s = stats_.Of(element);
    if (s.text < 25) continue;
    const double points =
        1.0 + static_cast<double>(s.commas + 1) + std::min(std::floor(s.text / 100), 3.0);
    Node* ancestor = element->parent;
    for (int level = 0; level < 5 && ancestor != nullptr && IsElement(ancestor);
         ++level, ancestor = ancestor->parent) {
      // The root (no element above it) is not a candidate.
      if (ancestor->parent == nullptr || !IsElement(ancestor->parent)) break;
      const double divider = level == 0 ? 1 : (level == 1 ? 2 : level * 3);
      ScoreOf(ancestor) += points / divider;
    }
  }
  // Link-heavy containers are navigation, however much text they hold.
  for (Node* candidate : candidates_) {
    scores_[candidate].score *= 1.0 - stats_.Of(candidate).LinkDensity();
  }
}

Node* Scorer::PickTop(Node* body) {
  std::vector<Node*> top;
  for (Node* candidate : candidates_) {
    top.push_back(candidate);
    std::sort(top.begin(), top.end(),
              [&](const Node* a, const Node* b) { return CurrentScore(a) > CurrentScore(b); });
    if (top.size() > kTopCandidates) top.pop_back();
  }
  if (top.empty() || IsTag(top.front(), "body")) {
    // Nothing scored: the whole body, boxed, is the article.
    Node* box = doc_.NewElement("div");
    while (body->first_child != nullptr) {
      Node* child = body->first_child;
      html::Unlink(child);
      html::AppendChild(box, child);
    }
    html::AppendChild(body, box);
    stats_.Compute(box);
    ScoreOf(box);
    return box;
  }
  Node* best = top.front();
  const double best_score = CurrentScore(best);
  // Several near-best candidates under one ancestor: the article is that ancestor.
  std::vector<std::vector<const Node*>> near_best;
  for (std::size_t i = 1; i < top.size(); ++i) {
    if (best_score > 0 && CurrentScore(top[i]) / best_score >= 0.75) {
      std::vector<const Node*> ancestors;
      for (const Node* a = top[i]->parent; a != nullptr && IsElement(a); a = a->parent) {
        ancestors.push_back(a);
      }
      near_best.push_back(std::move(ancestors));
    }
  }
  constexpr std::size_t kAgreeing = 3;
  if (near_best.size() >= kAgreeing) {
    for (Node* parent = best->parent; parent != nullptr && IsElement(parent) &&
                                         !IsTag(parent, "body");
         parent = parent->parent) {
      std::size_t containing = 0;
      for (const auto& ancestors : near_best) {
        if (std::find(ancestors.begin(), ancestors.end(), parent) != ancestors.end()) ++containing;
      }
      if (containing >= kAgreeing) {
        best = parent;
        break;
      }
    }
  }
  ScoreOf(best);
  // Climb while the parent scores at least a third of the best, and take it when it scores
  // more: the article's paragraphs are often split over sibling boxes.
  double last = CurrentScore(best);
  const double threshold = last / 3;
  for (Node* parent = best->parent;
       parent != nullptr && IsElement(parent) && !IsTag(parent, "body"); parent = parent->parent) {
    if (!Scored(parent)) continue;
    const double score = CurrentScore(parent);
    if (score < threshold) break;
    if (score > last) {
      best = parent;
      break;
    }
    last = score;
  }
  // A box holding only the article is the article.
  while (best->parent != nullptr && IsElement(best->parent) && !IsTag(best->parent, "body") &&
         html::ElementChildren(best->parent).size() == 1) {
    best = best->parent;
  }
  ScoreOf(best);
  return best;
}

Node* Scorer::GatherSiblings(Node* top) {
  Node* article = doc_.NewElement("div");
  const double top_score = CurrentScore(top);
  const double threshold = std::max(10.0, top_score * 0.2);
  const auto top_class = html::Attr(top, "class");
  Node* parent = top->parent;
  const auto siblings = parent != nullptr ? html::ElementChildren(parent) : std::vector{top};
  for (Node* sibling : siblings) {
    bool append = sibling == top;
    if (!append) {
      const double bonus =
          !top_class.empty() && html::Attr(sibling, "class") == top_class ? top_score * 0.2 : 0;
      if (Scored(sibling) && CurrentScore(sibling) + bonus >= threshold) {
        append = true;
      } else if (IsTag(sibling, "p")) {
        const auto& s = stats_.Of(sibling);
        const double density = s.LinkDensity();
        if (s.text > 80 && density < 0.25) {
          append = true;
        } else if (s.text < 80 && s.text > 0 && density == 0) {
          // A short paragraph that ends a sentence.
          const auto text = InnerText(sibling);
          const auto dot = text.find('.');
          append = dot != std::string::npos &&
                   (text.find(". ") != std::string::npos || text.back() == '.');
        }
      }
    }
    if (append) {
      html::Unlink(sibling);
      html::AppendChild(article, sibling);
    }
  }
  return article;
}

Node* Scorer::Run(Node* body, std::string& byline, double& text) {
  Prune(body, byline);
  stats_.Compute(body);
  Score();
  Node* top = PickTop(body);
  Node* article = GatherSiblings(top);
  text = html::CleanArticle(article, {.weight_classes = attempt_.weight_classes,
                                      .clean_conditionally = attempt_.clean_conditionally,
                                      .first_node_id = first_node_id_},
                            stats_);
  return article;
}

// Markup before the body that never holds article text (and would be scored as text).
void RemoveNonContent(Node* root) {
  std::vector<Node*> doomed;
  html::Walk(root, [&](Node* node) {
    if (!IsElement(node)) return false;
    if (IsAnyTag(node, {"script", "style", "noscript", "template", "svg", "canvas", "nav",
                        "dialog", "link", "meta"})) {
      doomed.push_back(node);
      return false;
    }
    return true;
  });
  for (auto* node : doomed) html::Unlink(node);
}

}  // namespace

Article ExtractArticle(html::Document& doc, Node* body, std::string_view title) {
  constexpr Attempt kAttempts[] = {{true, true, true},
                                   {false, true, true},
                                   {false, false, true},
                                   {false, false, false}};
  // Once, before the copies: no attempt keeps any of it, and all share the text's counts.
  RemoveNonContent(body);
  html::CountText(body);
  Article best;
  double best_length = -1;
  for (const auto& attempt : kAttempts) {
    // Each attempt prunes a copy of its own (in the document's arena, freed with it).
    Node* copy = doc.Copy(body);
    std::string byline;
    Scorer scorer(doc, attempt, title, copy->id);
    double length = 0;
    const Node* article = scorer.Run(copy, byline, length);
    if (length > best_length) {
      best_length = length;
      best.html = html::OuterHtml(article);
      best.byline = std::move(byline);
    }
    if (length >= kEnoughText) break;
  }
  if (best_length <= 0) best.html.clear();
  return best;
}

}  // namespace tributary::parser
