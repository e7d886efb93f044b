#pragma once
// The character classes BERT's tokenizer works with, as Hugging Face `tokenizers` defines them
// (its normalizer and pre-tokenizer), over ICU's Unicode data. `tokenizers` takes categories
// from Unicode 8 tables (the unicode_categories crate): a character assigned later is in none
// of these classes, so it is not here either (it stays in its word, which becomes [UNK]).
#include <string>
#include <string_view>

namespace tributary::embedder::local::unicode {

// UTF-8 to code points; an invalid byte becomes U+FFFD (common/base/utf8.hpp encodes).
std::u32string Decode(std::string_view utf8);

// White_Space, plus tab, newline and carriage return.
bool IsWhitespace(char32_t c);
// Control, format, private-use or surrogate (Cc, Cf, Co, Cs, in Unicode 8; unassigned code
// points are not "other" to `tokenizers`); tab, newline and carriage return are not.
bool IsOther(char32_t c);
// The CJK ideograph blocks BERT puts spaces around.
bool IsChineseChar(char32_t c);
// ASCII punctuation (symbols such as $ + < = > ^ ` | ~ included) or a Unicode punctuation
// character (Pc, Pd, Ps, Pe, Pi, Pf, Po).
bool IsPunctuation(char32_t c);
// A nonspacing mark (Mn): what stripping accents drops after NFD.
bool IsNonspacingMark(char32_t c);

// Canonical decomposition (NFD).
std::u32string Nfd(const std::u32string& text);
// Each character's full lower-case mapping on its own (no context: 'Σ' is always 'σ').
std::u32string Lowercase(const std::u32string& text);

}  // namespace tributary::embedder::local::unicode
