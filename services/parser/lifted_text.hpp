#pragma once
// Text lifted out of a document before libxml2 parses it. libxml2 2.9 reads CDATA one character
// at a time, and each entity reference in text through its entity machinery (a name lookup and
// a callback per `&lt;`), while it reads plain character data in bulk. Feeds put their HTML in
// exactly those two forms, so parsing was mostly that. Hence CDATA sections, and runs of element
// text that hold references, are decoded here (exactly as XML defines them: the five predefined
// entities, character references, line ends normalized to '\n') and replaced by a short marker
// made of private-use characters; the text helpers in xml_document.* put the text back.
//
// Marker: U+E000, the piece's index in decimal, one '\n' for every line break the piece held
// (so libxml2's line numbers in warnings stay right), U+E001. Left to libxml2 as written: a run
// with any other entity or a malformed '&' (its recovery rules decide), and the whole document
// when it already holds U+E000/U+E001 (or a reference to them), U+FFFE/U+FFFF, or a DOCTYPE
// with an internal subset.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tributary::parser::xml {

class LiftedText {
 public:
  // The document with the pieces replaced by markers, or nullopt when nothing was lifted.
  static std::optional<std::pair<std::string, LiftedText>> Lift(std::string_view document);

  // Appends `text` to `out` with every marker replaced by its piece, XML-escaped when `escape`
  // (for serialized markup, as libxml2 would have written the text).
  void AppendExpanded(std::string_view text, std::string& out, bool escape) const;

  [[nodiscard]] static bool HasMarker(std::string_view text) {
    return text.find(kOpen) != std::string_view::npos;
  }

 private:
  static constexpr std::string_view kOpen = "\xEE\x80\x80";   // U+E000
  static constexpr std::string_view kClose = "\xEE\x80\x81";  // U+E001

  void AddPiece(std::string_view raw, std::string& out);

  std::string contents_;  // every piece, decoded, back to back
  std::vector<std::pair<std::uint32_t, std::uint32_t>> pieces_;  // offset, size in contents_
};

}  // namespace tributary::parser::xml
