#include "services/parser/article_extractor.hpp"

#include <libxml/HTMLtree.h>

#include <algorithm>
#include <cmath>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "services/parser/article_cleaner.hpp"
#include "services/parser/article_stats.hpp"
#include "common/base/ascii.hpp"
#include "services/parser/html_dom.hpp"

namespace tributary::parser {
namespace {

using html::ClassAndId;
using html::ContainsAny;
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

bool UnlikelyWords(std::string_view class_id) {
  return ContainsAny(class_id,
                     {"-ad-", "ai2html", "banner", "breadcrumbs", "combx", "comment", "community",
                      "cover-wrap", "disqus", "extra", "footer", "gdpr", "header", "legends",
                      "menu", "related", "remark", "replies", "rss", "shoutbox", "sidebar",
                      "skyscraper", "social", "sponsor", "supplemental", "ad-break", "agegate",
                      "pagination", "pager", "popup", "yom-remote", "cookie", "consent"});
}
bool MaybeWords(std::string_view class_id) {
  return ContainsAny(class_id,
                     {"and", "article", "body", "column", "content", "main", "mathjax", "shadow"});
}
bool UnlikelyRole(const std::string& role) {
  return role == "menu" || role == "menubar" || role == "complementary" || role == "navigation" ||
         role == "alert" || role == "alertdialog" || role == "dialog";
}

bool Hidden(const xmlNode* node) {
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

// xmlFree is a variable holding libxml2's deallocator, not a function: wrap it.
struct XmlFree {
  void operator()(xmlChar* p) const { xmlFree(p); }
};

std::string InnerText(const xmlNode* node) {
  std::unique_ptr<xmlChar, XmlFree> content(xmlNodeGetContent(node));
  std::string out;
  bool space = false;
  for (const char* p = reinterpret_cast<const char*>(content.get()); p != nullptr && *p != 0;
       ++p) {
    if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(*p);
  }
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

bool PhrasingTag(const xmlNode* node) {
  return IsAnyTag(node, {"abbr", "audio", "b", "bdo", "br", "button", "cite", "code", "data",
                         "datalist", "dfn", "em", "embed", "i", "img", "input", "kbd", "label",
                         "mark", "math", "meter", "noscript", "object", "output", "progress", "q",
                         "ruby", "samp", "script", "select", "small", "span", "strong", "sub",
                         "sup", "textarea", "time", "var", "wbr", "font", "u", "s", "strike",
                         "big", "tt"});
}

bool BlockTag(const xmlNode* node) {
  return IsAnyTag(node, {"blockquote", "dl", "div", "img", "ol", "p", "pre", "table", "ul"});
}

// Text, inline elements, and links/edits that hold only those.
bool Phrasing(const xmlNode* node, std::size_t& budget) {
  if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE) return true;
  if (!IsElement(node)) return node->type == XML_COMMENT_NODE;
  if (PhrasingTag(node)) return true;
  if (!IsAnyTag(node, {"a", "del", "ins"})) return false;
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (budget == 0 || !Phrasing(child, --budget)) return false;
  }
  return true;
}

bool HasBlockInside(const xmlNode* node) {
  std::size_t budget = kQuestionBudget;
  bool found = false;
  html::Walk(const_cast<xmlNode*>(node), [&](xmlNode* n) {
    if (found || budget == 0) return false;
    --budget;
    if (n != node && BlockTag(n)) found = true;
    return !found && IsElement(n);
  });
  return found || budget == 0;
}

bool OnlyWhitespace(const xmlNode* text) {
  if (text->content == nullptr) return true;
  for (const auto* p = text->content; *p != 0; ++p) {
    if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r' && *p != '\f') return false;
  }
  return true;
}

// An element with no text and nothing in it but <br>/<hr>.
bool WithoutContent(const xmlNode* node) {
  for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
    if (child->type == XML_TEXT_NODE && !OnlyWhitespace(child)) return false;
    if (IsElement(child) && !IsAnyTag(child, {"br", "hr"})) return false;
  }
  return true;
}

// A div whose only element is one <p>, with no text of its own.
xmlNode* SoleParagraph(const xmlNode* div) {
  xmlNode* only = nullptr;
  for (xmlNode* child = div->children; child != nullptr; child = child->next) {
    if (child->type == XML_TEXT_NODE && !OnlyWhitespace(child)) return nullptr;
    if (!IsElement(child)) continue;
    if (only != nullptr || !IsTag(child, "p")) return nullptr;
    only = child;
  }
  return only;
}

// Runs of text and inline elements directly inside a div become paragraphs of their own, so
// that they are scored like the paragraphs beside them.
void WrapLooseText(xmlDoc* doc, xmlNode* div) {
  xmlNode* paragraph = nullptr;
  std::size_t budget = kQuestionBudget;
  for (xmlNode* child = div->children; child != nullptr;) {
    xmlNode* next = child->next;
    if (budget > 0 && Phrasing(child, budget)) {
      if (paragraph == nullptr) {
        if (child->type == XML_TEXT_NODE && OnlyWhitespace(child)) {
          child = next;
          continue;
        }
        paragraph = xmlNewDocNode(doc, nullptr, reinterpret_cast<const xmlChar*>("p"), nullptr);
        xmlAddPrevSibling(child, paragraph);
      }
      xmlUnlinkNode(child);
      xmlAddChild(paragraph, child);
    } else {
      paragraph = nullptr;
    }
    child = next;
  }
}

double TagWeight(const xmlNode* node) {
  if (IsTag(node, "div")) return 5;
  if (IsAnyTag(node, {"pre", "td", "blockquote"})) return 3;
  if (IsAnyTag(node, {"address", "ol", "ul", "dl", "dd", "dt", "li", "form"})) return -3;
  if (IsHeading(node) || IsTag(node, "th")) return -5;
  return 0;
}

class Scorer {
 public:
  Scorer(xmlDoc* doc, const Attempt& attempt, std::string_view title)
      : doc_(doc), attempt_(attempt), title_(title) {}

  // Prunes `body` (a copy) and returns the article container built from it, with the
  // characters of text it holds.
  xmlNode* Run(xmlNode* body, std::string& byline, double& text);

 private:
  void Prune(xmlNode* body, std::string& byline);
  void Score();
  xmlNode* PickTop(xmlNode* body);
  xmlNode* GatherSiblings(xmlNode* top);
  double& ScoreOf(xmlNode* node);
  bool Scored(const xmlNode* node) const { return scores_.count(node) != 0; }

  xmlDoc* doc_;
  Attempt attempt_;
  std::string_view title_;
  bool title_removed_ = false;
  std::vector<xmlNode*> to_score_;
  std::unordered_map<const xmlNode*, double> scores_;
  std::vector<xmlNode*> candidates_;
  html::TreeStats stats_;
};

double& Scorer::ScoreOf(xmlNode* node) {
  auto [it, inserted] = scores_.try_emplace(node, 0.0);
  if (inserted) {
    it->second = TagWeight(node) + (attempt_.weight_classes ? html::ClassWeight(node) : 0);
    candidates_.push_back(node);
  }
  return it->second;
}

void Scorer::Prune(xmlNode* body, std::string& byline) {
  // Pre-order with each element's "inside a table or <code>" (unlikely-looking words in there
  // name data, not chrome).
  std::vector<std::pair<xmlNode*, bool>> stack;
  for (xmlNode* child = body->children; child != nullptr; child = child->next) {
    stack.emplace_back(child, false);
  }
  std::reverse(stack.begin(), stack.end());
  while (!stack.empty()) {
    auto [node, sheltered] = stack.back();
    stack.pop_back();
    if (!IsElement(node)) continue;
    const auto class_id = ClassAndId(node);
    if (Hidden(node) ||
        (html::Attr(node, "aria-modal") == "true" && html::Attr(node, "role") == "dialog")) {
      html::Remove(node);
      continue;
    }
    if (byline.empty() &&
        (html::Attr(node, "rel") == "author" ||
         AsciiLower(html::Attr(node, "itemprop")).find("author") != std::string::npos ||
         ContainsAny(class_id, {"byline", "author", "dateline", "writtenby", "p-author"}))) {
      // A schema.org author block names the person in its itemprop="name" child.
      const xmlNode* name = nullptr;
      html::Walk(node, [&](xmlNode* n) {
        if (name != nullptr || !IsElement(n)) return false;
        if (n != node && html::Attr(n, "itemprop") == "name") name = n;
        return name == nullptr;
      });
      // Only a short line is a byline (an author box with a biography is content).
      const auto text = InnerText(node);
      if (!text.empty() && text.size() < 100) {
        byline = name != nullptr ? InnerText(name) : text;
        html::Remove(node);
        continue;
      }
    }
    if (!title_removed_ && IsAnyTag(node, {"h1", "h2"}) && !title_.empty() &&
        Similarity(title_, InnerText(node)) > 0.75) {
      title_removed_ = true;
      html::Remove(node);
      continue;
    }
    if (attempt_.strip_unlikely) {
      if (UnlikelyWords(class_id) && !MaybeWords(class_id) && !sheltered &&
          !IsAnyTag(node, {"body", "a"})) {
        html::Remove(node);
        continue;
      }
      if (UnlikelyRole(html::Attr(node, "role"))) {
        html::Remove(node);
        continue;
      }
    }
    if ((IsAnyTag(node, {"div", "section", "header"}) || IsHeading(node)) &&
        WithoutContent(node)) {
      html::Remove(node);
      continue;
    }
    if (IsAnyTag(node, {"section", "h2", "h3", "h4", "h5", "h6", "p", "td", "pre"})) {
      to_score_.push_back(node);
    }
    if (IsTag(node, "div")) {
      WrapLooseText(doc_, node);
      if (xmlNode* paragraph = SoleParagraph(node); paragraph != nullptr) {
        // Keep the paragraph in the div's place when the div adds nothing but a box; a
        // link-heavy paragraph stays boxed, where it is scored as a div.
        html::TreeStats local;
        local.Compute(node);
        if (local.Of(node).LinkDensity() < 0.25) {
          xmlUnlinkNode(paragraph);
          xmlReplaceNode(node, paragraph);
          xmlFreeNode(node);
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
    for (xmlNode* child = node->children; child != nullptr; child = child->next) {
      stack.emplace_back(child, inside);
    }
    std::reverse(stack.begin() + static_cast<std::ptrdiff_t>(first), stack.end());
  }
}

void Scorer::Score() {
  for (xmlNode* element : to_score_) {
    if (element->parent == nullptr || !IsElement(element->parent)) continue;
    const auto& s = stats_.Of(element);
    if (s.text < 25) continue;
    const double points =
        1.0 + static_cast<double>(s.commas + 1) + std::min(std::floor(s.text / 100), 3.0);
    xmlNode* ancestor = element->parent;
    for (int level = 0; level < 5 && ancestor != nullptr && IsElement(ancestor);
         ++level, ancestor = ancestor->parent) {
      // The root (no element above it) is not a candidate.
      if (ancestor->parent == nullptr || !IsElement(ancestor->parent)) break;
      const double divider = level == 0 ? 1 : (level == 1 ? 2 : level * 3);
      ScoreOf(ancestor) += points / divider;
    }
  }
  // Link-heavy containers are navigation, however much text they hold.
  for (xmlNode* candidate : candidates_) {
    scores_[candidate] *= 1.0 - stats_.Of(candidate).LinkDensity();
  }
}

xmlNode* Scorer::PickTop(xmlNode* body) {
  std::vector<xmlNode*> top;
  for (xmlNode* candidate : candidates_) {
    top.push_back(candidate);
    std::sort(top.begin(), top.end(),
              [&](const xmlNode* a, const xmlNode* b) { return scores_[a] > scores_[b]; });
    if (top.size() > kTopCandidates) top.pop_back();
  }
  if (top.empty() || IsTag(top.front(), "body")) {
    // Nothing scored: the whole body, boxed, is the article.
    xmlNode* box = xmlNewDocNode(doc_, nullptr, reinterpret_cast<const xmlChar*>("div"), nullptr);
    while (body->children != nullptr) {
      xmlNode* child = body->children;
      xmlUnlinkNode(child);
      xmlAddChild(box, child);
    }
    xmlAddChild(body, box);
    stats_.Compute(box);
    ScoreOf(box);
    return box;
  }
  xmlNode* best = top.front();
  const double best_score = scores_[best];
  // Several near-best candidates under one ancestor: the article is that ancestor.
  std::vector<std::vector<const xmlNode*>> near_best;
  for (std::size_t i = 1; i < top.size(); ++i) {
    if (best_score > 0 && scores_[top[i]] / best_score >= 0.75) {
      std::vector<const xmlNode*> ancestors;
      for (const xmlNode* a = top[i]->parent; a != nullptr && IsElement(a); a = a->parent) {
        ancestors.push_back(a);
      }
      near_best.push_back(std::move(ancestors));
    }
  }
  constexpr std::size_t kAgreeing = 3;
  if (near_best.size() >= kAgreeing) {
    for (xmlNode* parent = best->parent; parent != nullptr && IsElement(parent) &&
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
  double last = scores_[best];
  const double threshold = last / 3;
  for (xmlNode* parent = best->parent;
       parent != nullptr && IsElement(parent) && !IsTag(parent, "body"); parent = parent->parent) {
    if (!Scored(parent)) continue;
    const double score = scores_[parent];
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

xmlNode* Scorer::GatherSiblings(xmlNode* top) {
  xmlNode* article = xmlNewDocNode(doc_, nullptr, reinterpret_cast<const xmlChar*>("div"), nullptr);
  const double top_score = scores_[top];
  const double threshold = std::max(10.0, top_score * 0.2);
  const auto top_class = html::Attr(top, "class");
  xmlNode* parent = top->parent;
  const auto siblings = parent != nullptr ? html::ElementChildren(parent) : std::vector{top};
  for (xmlNode* sibling : siblings) {
    bool append = sibling == top;
    if (!append) {
      const double bonus =
          !top_class.empty() && html::Attr(sibling, "class") == top_class ? top_score * 0.2 : 0;
      if (Scored(sibling) && scores_[sibling] + bonus >= threshold) {
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
      xmlUnlinkNode(sibling);
      xmlAddChild(article, sibling);
    }
  }
  return article;
}

xmlNode* Scorer::Run(xmlNode* body, std::string& byline, double& text) {
  Prune(body, byline);
  stats_.Compute(body);
  Score();
  xmlNode* top = PickTop(body);
  xmlNode* article = GatherSiblings(top);
  text = html::CleanArticle(article, {.weight_classes = attempt_.weight_classes,
                                      .clean_conditionally = attempt_.clean_conditionally});
  return article;
}

// Markup before the body that never holds article text (and would be scored as text).
void RemoveNonContent(xmlNode* root) {
  std::vector<xmlNode*> doomed;
  html::Walk(root, [&](xmlNode* node) {
    if (node->type == XML_COMMENT_NODE) {
      doomed.push_back(node);
      return false;
    }
    if (!IsElement(node)) return false;
    if (IsAnyTag(node, {"script", "style", "noscript", "template", "svg", "canvas", "nav",
                        "dialog", "link", "meta"})) {
      doomed.push_back(node);
      return false;
    }
    return true;
  });
  for (auto* node : doomed) html::Remove(node);
}

std::string Serialize(xmlDoc* doc, xmlNode* node) {
  std::unique_ptr<xmlBuffer, decltype(&xmlBufferFree)> buffer(xmlBufferCreate(), &xmlBufferFree);
  htmlNodeDump(buffer.get(), doc, node);
  return {reinterpret_cast<const char*>(xmlBufferContent(buffer.get())),
          static_cast<std::size_t>(xmlBufferLength(buffer.get()))};
}

}  // namespace

Article ExtractArticle(xmlDoc* doc, xmlNode* body, std::string_view title) {
  constexpr Attempt kAttempts[] = {{true, true, true},
                                   {false, true, true},
                                   {false, false, true},
                                   {false, false, false}};
  // Once, before the copies: no attempt keeps any of it.
  RemoveNonContent(body);
  Article best;
  double best_length = -1;
  for (const auto& attempt : kAttempts) {
    std::unique_ptr<xmlNode, decltype(&xmlFreeNode)> copy(xmlDocCopyNode(body, doc, 1),
                                                          &xmlFreeNode);
    if (copy == nullptr) break;
    std::string byline;
    Scorer scorer(doc, attempt, title);
    double length = 0;
    std::unique_ptr<xmlNode, decltype(&xmlFreeNode)> article(
        scorer.Run(copy.get(), byline, length), &xmlFreeNode);
    if (length > best_length) {
      best_length = length;
      best.html = Serialize(doc, article.get());
      best.byline = std::move(byline);
    }
    if (length >= kEnoughText) break;
  }
  if (best_length <= 0) best.html.clear();
  return best;
}

}  // namespace tributary::parser
