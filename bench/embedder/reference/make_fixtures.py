#!/usr/bin/env python3
"""Writes the local embedder's reference fixtures from Hugging Face's own implementation:

  tokenizer_ids.jsonl   1,200 varied texts and the token ids `tokenizers` gives them
                        (the model's tokenizer.json, truncated at 256 like sentence-transformers)
  vectors.jsonl         240 texts of every length up to and past the 256-token cut and the
                        vector sentence-transformers' encode() gives each (all-MiniLM-L6-v2)

into services/embedder/local/tests/fixtures/. Run once, by bench/embedder/reference/run.sh (which
makes the venv with the pinned requirements.txt); the outputs are committed as test data, so
neither the tests nor the build need Python. The texts are generated here, deterministically,
from word lists and character samples written for this purpose: plain sentences, accents, Greek,
Cyrillic, CJK, Hangul, kana, Arabic, Hebrew, Devanagari, Thai, emoji of many Unicode versions
(with ZWJ sequences, flags, skin tones), URLs, e-mail addresses, numbers, every kind of
punctuation and symbol, long words, control and format characters, odd whitespace, and the
tokenizer's own special tokens written into text.

  make_fixtures.py MODEL_DIR OUT_DIR
"""
import json
import random
import sys
from pathlib import Path

WORDS = (
    "the river harbor lighthouse city council voted on a new budget for schools and roads "
    "scientists found water ice near the lunar south pole while engineers tested rockets "
    "markets rallied after the central bank held interest rates steady for another quarter "
    "a storm closed ports along the coast and ferries stayed in harbor until morning "
    "researchers trained neural networks to translate ancient texts into modern languages "
    "football club signs striker in record transfer deal ahead of the summer tournament "
    "unbelievable transformation internationalization antidisestablishmentarianism "
    "quick brown fox jumps over lazy dog pneumonoultramicroscopicsilicovolcanoconiosis "
    "COVID-19 vaccines GPT-4 iPhone 15 Pro Max e-mail co-operation O'Brien rock'n'roll"
).split()

SAMPLES = [
    # Latin with accents and other Latin letters
    "café", "naïve", "Ångström", "São Paulo", "Zürich", "crème brûlée", "façade", "piñata",
    "Øresund", "straße", "STRASSE", "Łódź", "Dvořák", "İstanbul", "ıi", "ǅemal", "ﬁne ﬂow",
    "Ⅻ century", "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ", "Ǆ", "ẞ",
    # Greek, Cyrillic, Armenian, Georgian
    "ΟΔΥΣΣΕΥΣ", "Σίσυφος", "ὅτι ἐστίν", "Москва", "Ёлка", "Україна", "Հայաստան", "ქართული",
    # CJK, kana, Hangul
    "北京欢迎你", "東京タワー", "ひらがなとカタカナ", "한국어 텍스트", "漢字かな交じり文",
    "𠀀𠀁 rare ideographs", "中文，标点。", "「引用」", "ｶﾀｶﾅ",
    # Right-to-left and Indic, Thai
    "مرحبا بالعالم", "العَرَبِيَّة", "שָׁלוֹם עולם", "नमस्ते दुनिया", "हिन्दी", "ภาษาไทย",
    "தமிழ்", "বাংলা",
    # emoji across Unicode versions, sequences, flags, skin tones
    "😀", "🤣", "🥰", "🫠", "🦀", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "🇫🇷🇯🇵", "❤️", "☕", "⌚", "🧑🏿‍🚀",
    "1️⃣", "🪿", "🫎",
    # punctuation and symbols
    "$100 + 5% = ?", "a<b>c", "x^2 ~ y|z", "`code`", "¿Qué? ¡Sí!", "«guillemets»",
    "“curly” ‘quotes’", "em—dash – en-dash", "ellipsis…", "a·b", "§ 12 ¶ 3", "©®™",
    "€ £ ¥ ₹ ₿", "± × ÷ √ ∞ ≠ ≤", "→ ⇒ ↔", "★☆♠♣", "°C", "½ ¾", "•", "†‡", "‰",
    "#hashtag @mention", "under_score", "back\\slash", "{braces} [brackets] (parens)",
    # URLs, e-mail, numbers
    "https://example.com/path?query=1&x=y#frag", "http://sub.domain.co.uk:8080/a/b.html",
    "mailto:someone@example.org", "user.name+tag@mail.example.com", "192.168.0.1",
    "3.14159", "1,234,567.89", "2026-12-06T14:00:00Z", "+1 (555) 010-9999", "v2.3.1-rc1",
    # whitespace and invisible characters
    "tab\there", "new\nline", "carriage\rreturn", "no\u00a0break", "em\u2003space",
    "ideographic\u3000space", "zero\u200bwidth", "bom\ufeffinside", "soft\u00adhyphen",
    "joiner\u200dhere", "ctrl\x01char", "del\x7fchar", "nul\x00char", "replacement\ufffdchar",
    "private\ue000use", "line\u2028separator", "  leading and trailing  ",
    "combining\u0301 alone", "e\u0301 decomposed", "\u0300\u0301\u0302",
    # the edge of the Unicode version `tokenizers` classifies with (8.0): format characters,
    # nonspacing marks and punctuation of 8 and of 9, unassigned and private-use code points
    "a\u08e3b", "a\u08e2b", "a\u1dfbb", "a\u2e42b", "a\u2e44b", "a\u061cb", "a\u0378b",
    "a\U000110cdb", "a\u0890b", "a\x85b", "a\u2028b", "a\u1ab0b", "a\u0c00b",
    # special tokens written into text
    "[CLS]", "[SEP] between [SEP]", "[MASK] token", "[UNK]", "[PAD]", "[cls] lower",
    "x[MASK]y", "[[MASK]]",
    # long words and repetition
    "a" * 99, "b" * 100, "c" * 101, "supercalifragilisticexpialidocious" * 4,
    "ab" * 60, "x" * 300,
]


def make_texts(count, seed):
    rng = random.Random(seed)
    texts = list(SAMPLES)
    while len(texts) < count:
        parts = []
        for _ in range(rng.randint(1, 12)):
            pick = rng.random()
            if pick < 0.55:
                parts.append(rng.choice(WORDS))
            elif pick < 0.9:
                parts.append(rng.choice(SAMPLES))
            else:
                parts.append("".join(rng.choice(WORDS).capitalize() for _ in range(rng.randint(2, 4))))
        seps = [" ", " ", " ", "", "\n", "  ", "\t", ", ", ". "]
        text = parts[0]
        for part in parts[1:]:
            text += rng.choice(seps) + part
        texts.append(text)
    return texts[:count]


def long_texts(count, seed):
    """Texts from a few words to well past 256 tokens."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        words = max(1, int(2 + (i / count) ** 2 * 420))
        body = " ".join(rng.choice(WORDS) for _ in range(words))
        if i % 7 == 0:
            body += " " + rng.choice(SAMPLES)
        out.append(body)
    return out


def main():
    model_dir, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    out_dir.mkdir(parents=True, exist_ok=True)

    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.enable_truncation(256)
    texts = make_texts(1200, seed=17)
    with open(out_dir / "tokenizer_ids.jsonl", "w", encoding="utf-8") as out:
        for text in texts:
            ids = tokenizer.encode(text).ids
            out.write(json.dumps({"text": text, "ids": ids}, ensure_ascii=False) + "\n")

    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu")
    assert model.max_seq_length == 256, model.max_seq_length
    vector_texts = long_texts(200, seed=29) + make_texts(40, seed=31)
    vectors = model.encode(vector_texts, batch_size=32, normalize_embeddings=False)
    whole = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    whole.no_padding()
    whole.no_truncation()
    with open(out_dir / "vectors.jsonl", "w", encoding="utf-8") as out:
        for text, vector in zip(vector_texts, vectors):
            tokens = len(whole.encode(text).ids)  # before the cut at 256
            out.write(json.dumps({"text": text, "tokens": tokens,
                                  "vector": [round(float(v), 7) for v in vector]},
                                 ensure_ascii=False) + "\n")
    print(f"wrote {len(texts)} tokenizations and {len(vector_texts)} vectors to {out_dir}")


if __name__ == "__main__":
    main()
