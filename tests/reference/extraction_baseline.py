#!/usr/bin/env python3
"""Article extraction quality of `tributary parse --kind page`, page by page, against a baseline
that may only go up (issue 19).

The pages are ../shared/corpus/pages/readability/<case>/source.html; the reference text of each
is the visible text of <case>/expected.html (what Mozilla's Readability extracts). The score is
the one public article-extraction benchmarks use: the multiset of word 4-grams ("shingles") of
the reference against those of our contentText, precision and recall per page, averaged over the
pages, and the F1 of the two averages. Beside it, the page's metadata (title, byline, published
time, site name, language) against Readability's expected-metadata.json, as shares that may
only go up too.

  extraction_baseline.py --tributary build/bin/tributary --baseline FILE [--update] [--show N]

A page scoring below its line in FILE, or an overall F1 or precision below the file's, fails the
run; a page above it is listed so the baseline can be raised (--update writes the current
scores). Exits 77 (skipped) when the corpus is absent: it is third-party data that lives outside
the repository."""
import argparse
import collections
import concurrent.futures
import datetime
import html
import json
import os
import re
import subprocess
import sys

SKIP = 77
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.path.join(ROOT, "..", "shared", "corpus", "pages", "readability")
WORD = re.compile(r"\w+")
HIDDEN = re.compile(r"(?is)<(script|style|noscript)[^>]*>.*?</\1>")
TAG = re.compile(r"<[^>]+>")


def visible_text(markup):
    return html.unescape(TAG.sub(" ", HIDDEN.sub(" ", markup)))


def shingles(text, n=4):
    words = WORD.findall(text or "")
    if len(words) < n:
        return collections.Counter([tuple(words)] if words else [])
    return collections.Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def precision_recall(reference, extracted):
    expected, got = shingles(reference), shingles(extracted)
    if expected == got:
        return 1.0, 1.0
    shared = sum((expected & got).values())
    precision = shared / sum(got.values()) if got else 0.0
    recall = shared / sum(expected.values()) if expected else 0.0
    return precision, recall


def f1(precision, recall):
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def normalized(text):
    return " ".join((text or "").split())


def instant(text):
    try:
        when = datetime.datetime.fromisoformat((text or "").strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=datetime.timezone.utc)
    return when.replace(microsecond=0)


def metadata_agreement(expected, document, item):
    """Per field that Readability filled for the page: whether ours says the same."""
    authors = item.get("authors") or []
    ours = {
        "title": normalized(item.get("title")) == normalized(expected.get("title")),
        "byline": normalized(expected.get("byline")) in
        (normalized(", ".join(authors)), normalized(authors[0] if authors else "")),
        "publishedTime": instant(item.get("publishedAt")) is not None and
        instant(item.get("publishedAt")) == instant(expected.get("publishedTime")),
        "siteName": normalized(document.get("title")) == normalized(expected.get("siteName")),
        "lang": normalized(item.get("language")).lower() ==
        normalized(expected.get("lang")).lower(),
    }
    return {field: agree for field, agree in ours.items() if expected.get(field)}


def score_page(tributary, folder):
    with open(os.path.join(folder, "expected.html"), encoding="utf-8", errors="replace") as f:
        reference = visible_text(f.read())
    expected_metadata = {}
    metadata_path = os.path.join(folder, "expected-metadata.json")
    if os.path.exists(metadata_path):
        with open(metadata_path, encoding="utf-8") as f:
            expected_metadata = json.load(f)
    run = subprocess.run([tributary, "parse", "--kind", "page", "--content-type", "text/html",
                          os.path.join(folder, "source.html")], capture_output=True, timeout=60)
    if run.returncode != 0:
        why = f"exit {run.returncode}: {run.stderr.decode(errors='replace')[-200:]}"
        return 0.0, 0.0, {}, why
    document = json.loads(run.stdout)
    items = document.get("items") or []
    text = items[0].get("contentText", "") if items else ""
    metadata = metadata_agreement(expected_metadata, document, items[0] if items else {})
    # Tags are stripped from our text too, as the public scorer (../shared/tools/extraction-f1.py)
    # does, so that both report the same figures.
    precision, recall = precision_recall(reference, visible_text(text or ""))
    return precision, recall, metadata, None


def read_baseline(path):
    pages, overall = {}, {}
    if not os.path.exists(path):
        return pages, overall
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            name, value = line.rsplit(None, 1)
            if name.startswith("overall "):
                overall[name.split(None, 1)[1]] = float(value)
            else:
                pages[name] = float(value)
    return pages, overall


def floor3(value):
    # Written rounded down, so a score equal to its baseline never reads as a fall.
    return int(value * 1000 + 1e-9) / 1000


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tributary", required=True)
    ap.add_argument("--baseline", required=True)
    ap.add_argument("--corpus", default=CORPUS)
    ap.add_argument("--update", action="store_true", help="write the current scores")
    ap.add_argument("--show", type=int, default=10, help="list the N lowest pages")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--show-metadata", action="append", metavar="FIELD",
                    help="list the pages where FIELD (title, byline, ...) differs")
    a = ap.parse_args()
    if not os.path.isdir(a.corpus):
        print(f"skipped: no page corpus at {a.corpus} (see ../shared/corpus/README)")
        return SKIP
    cases = sorted(d for d in os.listdir(a.corpus)
                   if os.path.isfile(os.path.join(a.corpus, d, "expected.html")))
    with concurrent.futures.ThreadPoolExecutor(a.jobs) as pool:
        results = dict(zip(cases, pool.map(
            lambda case: score_page(a.tributary, os.path.join(a.corpus, case)), cases)))
    errors = [(case, why) for case, (_, _, _, why) in results.items() if why]
    precision = sum(p for p, _, _, _ in results.values()) / len(cases)
    recall = sum(r for _, r, _, _ in results.values()) / len(cases)
    overall = {"f1": f1(precision, recall), "precision": precision}
    page_f1 = {case: f1(p, r) for case, (p, r, _, _) in results.items()}
    agreement = collections.defaultdict(list)
    for case, (_, _, metadata, _) in results.items():
        for field, agree in metadata.items():
            agreement[field].append((case, agree))
    for field, outcomes in sorted(agreement.items()):
        overall[field] = sum(agree for _, agree in outcomes) / len(outcomes)

    for case in sorted(page_f1, key=page_f1.get)[:a.show]:
        p, r, _, _ = results[case]
        print(f"  {case:<48} F1 {page_f1[case]:.3f} precision {p:.3f} recall {r:.3f}")
    for case, why in errors:
        print(f"  error {case}: {why}")
    print(f"extraction F1 {overall['f1']:.3f} precision {precision:.3f} recall {recall:.3f} "
          f"({len(cases)} pages, {len(errors)} errors)")
    print("metadata agreement with Readability, over the pages where it found the field: " +
          ", ".join(f"{field} {sum(agree for _, agree in outcomes)}/{len(outcomes)}"
                    for field, outcomes in sorted(agreement.items())))
    for field in a.show_metadata or []:
        for case, agree in agreement.get(field, []):
            if not agree:
                print(f"  {field} differs: {case}")

    if a.update:
        with open(a.baseline, "w", encoding="utf-8") as f:
            f.write("# Article extraction F1 per page of ../shared/corpus/pages/readability, and\n"
                    "# overall; may only go up. Written by tests/reference/extraction_baseline.py"
                    " --update.\n")
            for name in sorted(overall):
                f.write(f"overall {name} {floor3(overall[name]):.3f}\n")
            for case in cases:
                f.write(f"{case} {floor3(page_f1[case]):.3f}\n")
        print(f"baseline written: {a.baseline}")
        return 0

    baseline_pages, baseline_overall = read_baseline(a.baseline)
    fell = [f"overall {name} {overall[name]:.3f} < {value:.3f}"
            for name, value in baseline_overall.items() if overall.get(name, 0) < value]
    rose = []
    for case, value in baseline_pages.items():
        if case not in page_f1:
            continue
        if page_f1[case] < value:
            fell.append(f"{case} {page_f1[case]:.3f} < {value:.3f}")
        elif floor3(page_f1[case]) > value:
            rose.append(f"{case} {value:.3f} -> {page_f1[case]:.3f}")
    for line in rose:
        print(f"  rose: {line}")
    for line in fell:
        print(f"  FELL: {line}")
    if rose and not fell:
        print("scores rose above the baseline: raise it with --update")
    return 1 if fell or errors else 0


if __name__ == "__main__":
    sys.exit(main())
