#include "services/embedder/text.hpp"

#include "common/base/utf8.hpp"
#include "tributary/v1/item.pb.h"

namespace tributary::embedder {
namespace {

constexpr std::size_t kAsciiBytesPerToken = 4;

void Append(std::string& out, const std::string& part) {
  auto normalized = NormalizeWhitespace(part);
  if (normalized.empty()) return;
  if (!out.empty()) out += "\n\n";
  out += normalized;
}

}  // namespace

std::size_t WhitespaceLength(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') return 1;
  if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0) return 2;
  if (i + 2 >= s.size()) return 0;
  const auto c1 = static_cast<unsigned char>(s[i + 1]);
  const auto c2 = static_cast<unsigned char>(s[i + 2]);
  if (c == 0xE2 && c1 == 0x80 && (c2 <= 0x8A || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF)) return 3;
  if (c == 0xE2 && c1 == 0x81 && c2 == 0x9F) return 3;
  if (c == 0xE3 && c1 == 0x80 && c2 == 0x80) return 3;
  return 0;
}

std::string NormalizeWhitespace(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool pending_space = false;
  for (std::size_t i = 0; i < text.size();) {
    if (const auto n = WhitespaceLength(text, i); n > 0) {
      pending_space = !out.empty();
      i += n;
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += text[i++];
  }
  return out;
}

std::size_t EstimateTokens(std::string_view text) {
  std::size_t ascii = 0;
  std::size_t code_points = 0;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      ++ascii;
    } else if (!IsUtf8Continuation(ch)) {
      ++code_points;
    }
  }
  return (ascii + kAsciiBytesPerToken - 1) / kAsciiBytesPerToken + code_points;
}

std::string_view TruncateUtf8(std::string_view text, const TextLimits& limits) {
  std::size_t end = 0;
  std::size_t ascii = 0;
  std::size_t code_points = 0;
  while (end < text.size()) {
    // The whole sequence that starts here (lead byte plus continuation bytes).
    std::size_t next = end + 1;
    while (next < text.size() && IsUtf8Continuation(text[next])) ++next;
    const bool is_ascii = static_cast<unsigned char>(text[end]) < 0x80;
    const auto a = ascii + (is_ascii ? 1 : 0);
    const auto p = code_points + (is_ascii ? 0 : 1);
    const auto tokens = (a + kAsciiBytesPerToken - 1) / kAsciiBytesPerToken + p;
    if (next > limits.max_bytes || tokens > limits.max_tokens) break;
    ascii = a;
    code_points = p;
    end = next;
  }
  return text.substr(0, end);
}

PreparedText PrepareText(const v1::Item& item, const TextLimits& limits) {
  std::string text;
  Append(text, item.title());
  const auto summary = NormalizeWhitespace(item.summary());
  const auto content = NormalizeWhitespace(item.content_text());
  if (!summary.empty() && !content.starts_with(summary)) Append(text, summary);
  Append(text, content);
  if (text.empty()) Append(text, item.url());
  if (text.empty()) Append(text, item.external_id());
  PreparedText prepared;
  const auto kept = TruncateUtf8(text, limits);
  prepared.truncated = kept.size() < text.size();
  text.resize(kept.size());
  // A cut can leave a separator or space at the end; models see the same text either way.
  while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.pop_back();
  prepared.tokens = EstimateTokens(text);
  prepared.text = std::move(text);
  return prepared;
}

}  // namespace tributary::embedder
