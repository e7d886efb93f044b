#pragma once
// CDATA sections lifted out of a document before libxml2 parses it. libxml2 2.9 reads CDATA one
// character at a time (a function call and line bookkeeping per byte: a third of the parse of a
// typical feed, whose descriptions are HTML in CDATA), while it reads plain character data in
// bulk. So each section is copied aside and replaced by a short marker made of private-use
// characters; the text helpers in xml_document.* put the contents back when a field is read.
//
// Marker: U+E000, the section's index in decimal, one '\n' for every line break the section
// held (so libxml2's line numbers in warnings stay right), U+E001. A document that already holds
// U+E000, or a DOCTYPE with an internal subset, is left as it is.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tributary::parser::xml {

class LiftedCdata {
 public:
  // The document with its CDATA sections replaced by markers, or nullopt when there is nothing
  // to lift (or lifting is not safe for this document).
  static std::optional<std::pair<std::string, LiftedCdata>> Lift(std::string_view document);

  // Appends `text` to `out` with every marker replaced by its section's contents, XML-escaped
  // when `escape` (for serialized markup).
  void AppendExpanded(std::string_view text, std::string& out, bool escape) const;

  [[nodiscard]] static bool HasMarker(std::string_view text) {
    return text.find(kOpen) != std::string_view::npos;
  }

 private:
  static constexpr std::string_view kOpen = "\xEE\x80\x80";   // U+E000
  static constexpr std::string_view kClose = "\xEE\x80\x81";  // U+E001

  std::string contents_;  // every section, back to back
  std::vector<std::pair<std::uint32_t, std::uint32_t>> sections_;  // offset, size in contents_
};

}  // namespace tributary::parser::xml
