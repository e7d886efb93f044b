#include "services/parser/cdata.hpp"

#include <algorithm>

namespace tributary::parser::xml {
namespace {

constexpr std::string_view kCdataOpen = "<![CDATA[";

// A DOCTYPE with an internal subset can hold markup-looking text in entity values and
// comments; such documents (rare in feeds, common among attacks) are parsed as they are.
bool HasInternalSubset(std::string_view document) {
  const auto doctype = document.find("<!DOCTYPE");
  if (doctype == std::string_view::npos) return false;
  const auto end = document.find('>', doctype);
  const auto bracket = document.find('[', doctype);
  return bracket != std::string_view::npos && (end == std::string_view::npos || bracket < end);
}

void AppendEscaped(std::string_view text, std::string& out) {
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out.push_back(c);
    }
  }
}

}  // namespace

std::optional<std::pair<std::string, LiftedCdata>> LiftedCdata::Lift(std::string_view document) {
  if (document.find(kCdataOpen) == std::string_view::npos || HasMarker(document) ||
      HasInternalSubset(document)) {
    return std::nullopt;
  }
  std::string out;
  out.reserve(document.size());
  LiftedCdata lifted;
  std::size_t copied = 0;  // document[0, copied) is in `out`
  std::size_t i = 0;
  while (true) {
    i = document.find("<!", i);
    if (i == std::string_view::npos) break;
    const auto rest = document.substr(i);
    if (rest.substr(0, 4) == "<!--") {
      // Comments are copied as they are: "<![CDATA[" inside one is not a section.
      const auto end = document.find("-->", i + 4);
      if (end == std::string_view::npos) break;
      i = end + 3;
      continue;
    }
    if (rest.substr(0, kCdataOpen.size()) != kCdataOpen) {
      i += 2;
      continue;
    }
    const auto begin = i + kCdataOpen.size();
    const auto end = document.find("]]>", begin);
    if (end == std::string_view::npos) break;  // unterminated: libxml2 recovers as it does
    const auto contents = document.substr(begin, end - begin);
    out.append(document.substr(copied, i - copied));
    out.append(kOpen);
    out.append(std::to_string(lifted.sections_.size()));
    out.append(static_cast<std::size_t>(std::count(contents.begin(), contents.end(), '\n')), '\n');
    out.append(kClose);
    lifted.sections_.emplace_back(static_cast<std::uint32_t>(lifted.contents_.size()),
                                  static_cast<std::uint32_t>(contents.size()));
    lifted.contents_.append(contents);
    i = end + 3;
    copied = i;
  }
  if (lifted.sections_.empty()) return std::nullopt;
  out.append(document.substr(copied));
  return std::make_pair(std::move(out), std::move(lifted));
}

void LiftedCdata::AppendExpanded(std::string_view text, std::string& out, bool escape) const {
  while (!text.empty()) {
    const auto open = text.find(kOpen);
    if (open == std::string_view::npos) break;
    const auto close = text.find(kClose, open + kOpen.size());
    if (close == std::string_view::npos) break;
    out.append(text.substr(0, open));
    std::size_t index = 0;
    bool digits = false;
    for (auto k = open + kOpen.size(); k < close && text[k] >= '0' && text[k] <= '9'; ++k) {
      index = index * 10 + static_cast<std::size_t>(text[k] - '0');
      digits = true;
      if (index > sections_.size()) break;
    }
    if (digits && index < sections_.size()) {
      const auto [offset, size] = sections_[index];
      const auto contents = std::string_view(contents_).substr(offset, size);
      if (escape) {
        AppendEscaped(contents, out);
      } else {
        out.append(contents);
      }
    }
    text.remove_prefix(close + kClose.size());
  }
  out.append(text);
}

}  // namespace tributary::parser::xml
