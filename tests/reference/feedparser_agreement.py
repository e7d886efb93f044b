#!/usr/bin/env python3
"""Differential test: `tributary parse` against feedparser, field by field.

Both parse the same files with the same base URL and Content-Type; for every field feedparser
fills (feed title, link, id, subtitle, updated, authors with email and uri, categories; entry
title, link, id, summary, content and the URLs inside it, published, updated, authors,
categories, enclosures) we count
whether tributary keeps the same value. Agreement per folder = kept / fields feedparser filled.
Fields only tributary fills are not counted: the question is what we lose, not what we add.

Inputs: ../shared/corpus (feeds, jsonfeed), feedparser's own test feeds (unpacked by
scripts/install_peers.sh, ~2,200 edge cases) and the fixtures we wrote per fidelity class
(services/parser/tests/fixtures/fidelity). The baseline file holds the agreement per folder;
a folder below its baseline fails the run, a folder above it is reported so the baseline can be
raised (--update writes it). So the baseline only goes up.

Where feedparser is wrong and we keep our own answer, the field is listed in KNOWN_DIVERGENCES
with the reason.

Runs itself under the reference venv (.local/peers/venv, made by scripts/install_peers.sh);
exits 77 (skip) when that venv is missing, unless CI is set, where it is a failure.
"""
import argparse
import calendar
import concurrent.futures
import html.parser
import json
import os
import re
import subprocess
import sys
from collections import defaultdict

SKIP = 77

# (field, path suffix) -> why feedparser is wrong there and our answer is kept: counted as
# agreement, listed in the output.
KNOWN_DIVERGENCES = {
    ("feed.title", "tests/entities/lang.xml"):
        "HTML5 maps &lang; to U+27E8; feedparser uses HTML 4's U+2329",
    ("feed.title", "tests/entities/rang.xml"):
        "HTML5 maps &rang; to U+27E9; feedparser uses HTML 4's U+232A",
    ("entry.title", "fidelity/entities.xml"):
        "feedparser writes 'R&D' as 'R&D;' and leaves HTML5-only names (&NotEqualTilde;) "
        "undecoded",
    ("entry.link", "fidelity/atom03_modes.xml"):
        "feedparser takes an entry's Atom id for its link even when it is a tag: URI, no link",
    ("entry.summary", "fidelity/rss_extensions.xml"):
        "media:description is plain text unless type=\"html\" (Media RSS); feedparser strips "
        "what looks like a tag from it",
    ("feed.link", "fidelity/cdf.xml"):
        "feedparser lets a nested CDF channel's HREF replace the feed's own",
    # Charsets Python has no codec name for: feedparser falls back to windows-1252 (0x80 reads
    # as the euro sign); iconv knows them and decodes what the document declares.
    **{("feed.title", f"tests/encoding/x80_{name}.xml"):
       f"Python has no codec named '{name}'; iconv decodes the declared charset"
       for name in ("mac", "csmacintosh", "ms-cyrl", "tcvn", "tcvn-5712", "tcvn5712-1",
                    "viscii")},
    ("feed.title", "tests/encoding/bozo_invalid-bytes-with-bom.xml"):
        "a UTF-8 BOM with one invalid byte: we keep the valid UTF-8 and replace that byte; "
        "feedparser re-reads the whole document as windows-1252 (mojibake)",
}

BLOCK_TAGS = {
    "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th",
    "table", "blockquote", "pre", "hr", "section", "article", "dd", "dt", "dl",
}


class _TextOf(html.parser.HTMLParser):
    """Plain text of an HTML fragment: what a reader sees, scripts and styles dropped."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append(" ")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


# ASCII whitespace plus the Unicode spaces (no-break, thin, ideographic ...): tributary writes
# those as plain spaces on purpose (text for search and embeddings), feedparser keeps them.
SPACE = re.compile(r"[\s\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")


def squeeze(text):
    """Text compared without whitespace: block boundaries and line breaks are layout, not
    content; a lost character (an entity, a letter) still shows."""
    return SPACE.sub("", text or "")


class _UrlsOf(html.parser.HTMLParser):
    """The href and src values of an HTML fragment, in order."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls = []

    def handle_starttag(self, tag, attrs):
        self.urls.extend(v.strip() for k, v in attrs if k in ("href", "src") and v)


def urls_of(value):
    parser = _UrlsOf()
    parser.feed(value or "")
    parser.close()
    return parser.urls


def text_of(value, looks_html):
    if not value:
        return ""
    if looks_html:
        parser = _TextOf()
        parser.feed(value)
        parser.close()
        value = "".join(parser.parts)
    return squeeze(value)


def fp_text(value, detail):
    kind = (detail or {}).get("type", "text/plain")
    return text_of(value, kind in ("text/html", "application/xhtml+xml"))


def instant(struct):
    return calendar.timegm(struct) if struct else None


def our_instant(text):
    if not text:
        return None
    match = re.match(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?Z$", text)
    if not match:
        return None
    return calendar.timegm(tuple(int(g) for g in match.groups()) + (0, 0, 0))


def people_fp(people):
    out = []
    for person in people or []:
        out.append({k: squeeze(person.get(k, "")) for k in ("name", "email", "href")})
    return out


def people_ours(names, details):
    if details:
        return [{"name": squeeze(p.get("name", "")), "email": squeeze(p.get("email", "")),
                 "href": squeeze(p.get("uri", ""))} for p in details]
    return [{"name": squeeze(n), "email": "", "href": ""} for n in names or []]


class Tally:
    def __init__(self):
        self.kept = defaultdict(int)
        self.total = defaultdict(int)
        self.misses = defaultdict(list)
        self.divergences = []

    def check(self, field, theirs, ours, where):
        if theirs in (None, "", []):
            return
        self.total[field] += 1
        if theirs == ours:
            self.kept[field] += 1
        elif any(field == f and where.split("#")[0].endswith(suffix)
                 for f, suffix in KNOWN_DIVERGENCES):
            self.kept[field] += 1
            self.divergences.append((field, where))
        else:
            self.misses[field].append((where, theirs, ours))

    def add(self, other):
        for field, n in other.total.items():
            self.total[field] += n
            self.kept[field] += other.kept[field]
            self.misses[field].extend(other.misses[field])
        self.divergences.extend(other.divergences)

    def ratio(self):
        total = sum(self.total.values())
        return (sum(self.kept.values()) / total) if total else 1.0


def compare_people(tally, prefix, theirs, ours, where):
    for index, person in enumerate(theirs):
        mine = ours[index] if index < len(ours) else {}
        # A person is matched by name when both have one, else by position.
        if person["name"]:
            mine = next((p for p in ours if p["name"] == person["name"]), mine)
        for key in ("name", "email", "href"):
            tally.check(f"{prefix}.{key}", person[key], mine.get(key, ""), where)


def compare(parsed, ours, where):
    tally = Tally()
    feed = parsed.feed
    tally.check("feed.title", fp_text(feed.get("title"), feed.get("title_detail")),
                squeeze(ours.get("title")), where)
    tally.check("feed.link", squeeze(feed.get("link")), squeeze(ours.get("link")), where)
    tally.check("feed.id", squeeze(feed.get("id")), squeeze(ours.get("id")), where)
    tally.check("feed.subtitle", fp_text(feed.get("subtitle"), feed.get("subtitle_detail")),
                squeeze(ours.get("description")), where)
    tally.check("feed.updated", instant(feed.get("updated_parsed")),
                our_instant(ours.get("updated")), where)
    compare_people(tally, "feed.author", people_fp(feed.get("authors")),
                   people_ours(ours.get("authors"), ours.get("authorDetails")), where)
    our_categories = {squeeze(c) for c in ours.get("categories", [])}
    for tag in feed.get("tags", []):
        term = squeeze(tag.get("term"))
        kept = term if term in our_categories or squeeze(tag.get("label")) in our_categories else ""
        tally.check("feed.category", term, kept, where)

    items = ours.get("items", [])
    for index, entry in enumerate(parsed.entries):
        item = items[index] if index < len(items) else {}
        at = f"{where}#{index}"
        tally.check("entry.title", fp_text(entry.get("title"), entry.get("title_detail")),
                    squeeze(item.get("title")), at)
        tally.check("entry.link", squeeze(entry.get("link")), squeeze(item.get("url")), at)
        tally.check("entry.id", squeeze(entry.get("id")), squeeze(item.get("externalId")), at)
        contents = entry.get("content") or []
        # feedparser's summary falls back to the first content when an entry has none.
        summary_detail = entry.get("summary_detail") or (contents[0] if contents else None)
        tally.check("entry.summary", fp_text(entry.get("summary"), summary_detail),
                    squeeze(item.get("summary")), at)
        if contents:
            tally.check("entry.content", fp_text(contents[0].get("value"), contents[0]),
                        squeeze(item.get("contentText")), at)
            # Links and image sources inside the content, resolved (xml:base, document URL).
            if contents[0].get("type") in ("text/html", "application/xhtml+xml"):
                ours = set(urls_of(item.get("contentHtml")))
                for url in urls_of(contents[0].get("value")):
                    tally.check("entry.content.url", url, url if url in ours else "", at)
        tally.check("entry.published", instant(entry.get("published_parsed")),
                    our_instant(item.get("publishedAt")), at)
        tally.check("entry.updated", instant(entry.get("updated_parsed")),
                    our_instant(item.get("updatedAt")), at)
        compare_people(tally, "entry.author", people_fp(entry.get("authors")),
                       people_ours(item.get("authors"), item.get("authorDetails")), at)
        our_categories = {squeeze(c) for c in item.get("categories", [])}
        for tag in entry.get("tags", []):
            term = squeeze(tag.get("term"))
            label = squeeze(tag.get("label"))
            kept = term if term in our_categories or (label and label in our_categories) else ""
            tally.check("entry.category", term, kept, at)
        our_enclosures = {squeeze(e.get("url")): e for e in item.get("enclosures", [])}
        for enclosure in entry.get("enclosures", []):
            href = squeeze(enclosure.get("href"))
            mine = our_enclosures.get(href, {})
            tally.check("entry.enclosure.href", href, href if mine else "", at)
            tally.check("entry.enclosure.type", squeeze(enclosure.get("type")),
                        squeeze(mine.get("type")), at)
            length = str(enclosure.get("length") or "").strip()
            if length.isdigit() and int(length) > 0:
                tally.check("entry.enclosure.length", int(length), int(mine.get("length") or 0), at)
    return tally


HEADER = re.compile(rb"^Header:\s+([^:]+):(.+)$", re.MULTILINE)


def headers_of(data):
    """feedparser's test files name the HTTP headers they are served with in a comment."""
    head = data[:2048]
    return {k.decode().strip().lower(): v.decode().strip() for k, v in HEADER.findall(head)}


def run_one(tributary, path, url):
    import feedparser  # noqa: E402 (only in the reference venv)

    with open(path, "rb") as f:
        data = f.read()
    headers = headers_of(data)
    headers["content-location"] = url
    parsed = feedparser.parse(data, response_headers=headers)
    command = [tributary, "parse", "--compact", "--base-url", url]
    if "content-type" in headers:
        command += ["--content-type", headers["content-type"]]
    result = subprocess.run(command + [path], capture_output=True, timeout=60)
    ours = {}
    if result.returncode == 0:
        ours = json.loads(result.stdout)
    elif result.returncode != 1:  # 1 = not a document we can parse: everything is lost
        raise RuntimeError(f"tributary parse {path} exited {result.returncode}: "
                           f"{result.stderr.decode(errors='replace')[-500:]}")
    return compare(parsed, ours, path)


def inputs(roots):
    """(folder, path, base url) for every feed file under the roots."""
    out = []
    for label, root, pick in roots:
        for directory, _, files in os.walk(root):
            for name in sorted(files):
                path = os.path.join(directory, name)
                rel = os.path.relpath(path, root)
                if not pick(rel):
                    continue
                folder = os.path.join(label, os.path.dirname(rel)).rstrip("/")
                out.append((folder, path, "http://127.0.0.1:8097/" + label + "/" + rel))
    return out


def corpus_pick(rel):
    name = os.path.basename(rel)
    if rel.startswith("feeds/gofeed/testdata/translator/") and name.endswith(".json") \
            and "/json/" not in rel:
        return False  # gofeed's expected output beside the input
    if "expected" in name or name.endswith((".golden", ".txt", ".md")) or name == "SOURCE.txt":
        return False
    return name.endswith((".xml", ".rss", ".atom", ".rdf", ".json"))


def feedparser_pick(rel):
    # http/ and compression/ exercise feedparser's HTTP client, not parsing.
    return rel.endswith(".xml") and not rel.startswith(("http/", "compression/"))


def read_baseline(path):
    baseline = {}
    if os.path.exists(path):
        with open(path) as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if line:
                    folder, ratio = line.rsplit(None, 1)
                    baseline[folder] = float(ratio)
    return baseline


def write_baseline(path, results):
    with open(path, "w") as f:
        f.write("# Agreement with feedparser per folder (kept / fields feedparser filled), written by\n"
                "# tests/reference/feedparser_agreement.py --update. Only ever raised.\n")
        for folder in sorted(results):
            f.write(f"{folder} {results[folder].ratio():.4f}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tributary", required=True, help="the tributary CLI binary")
    parser.add_argument("--corpus", help="default $TRIBUTARY_CORPUS_DIR or ../shared/corpus "
                        "beside the checkout; skipped when absent")
    parser.add_argument("--feedparser-tests", help="feedparser's tests/ folder (default: the "
                        "one scripts/install_peers.sh unpacked for the installed version)")
    parser.add_argument("--fixtures", help="our fidelity fixtures")
    parser.add_argument("--baseline", required=True)
    parser.add_argument("--update", action="store_true", help="write the baseline when none fell")
    parser.add_argument("--show", metavar="FIELD", help="print the misses of FIELD (or 'all')")
    parser.add_argument("--folder", help="only folders starting with this")
    args = parser.parse_args()

    try:
        import feedparser
    except ImportError:
        repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        venv_python = os.path.join(repo, ".local", "peers", "venv", "bin", "python")
        # The venv's python is a symlink to the system one: compare the paths, not the targets.
        if os.path.exists(venv_python) and os.path.abspath(sys.executable) != venv_python:
            os.execv(venv_python, [venv_python] + sys.argv)
        message = "feedparser is not installed: run scripts/install_peers.sh"
        if os.environ.get("CI"):
            sys.exit("FAIL: " + message)
        print("SKIP: " + message)
        sys.exit(SKIP)

    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    if not args.corpus:
        args.corpus = os.environ.get("TRIBUTARY_CORPUS_DIR") or os.path.join(
            repo, "..", "shared", "corpus")
    if not args.feedparser_tests:
        args.feedparser_tests = os.path.join(
            repo, ".local", "peers", f"feedparser-{feedparser.__version__}", "tests")
    roots = []
    if args.corpus and os.path.isdir(args.corpus):
        roots.append(("corpus", args.corpus, corpus_pick))
    else:
        print(f"note: no corpus at {args.corpus}: its folders are not checked")
    if args.feedparser_tests and os.path.isdir(args.feedparser_tests):
        roots.append(("feedparser", args.feedparser_tests, feedparser_pick))
    elif os.environ.get("CI"):
        sys.exit(f"FAIL: no feedparser tests at {args.feedparser_tests} (scripts/install_peers.sh)")
    if args.fixtures:
        roots.append(("tributary", args.fixtures, lambda rel: not rel.endswith(".md")))
    files = [f for f in inputs(roots) if not args.folder or f[0].startswith(args.folder)]

    results = defaultdict(Tally)
    with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        futures = {pool.submit(run_one, args.tributary, path, url): folder
                   for folder, path, url in files}
        for future in concurrent.futures.as_completed(futures):
            results[futures[future]].add(future.result())

    everything = Tally()
    for tally in results.values():
        everything.add(tally)
    print(f"{len(files)} files, {sum(everything.total.values())} fields feedparser filled, "
          f"agreement {everything.ratio():.4f}")
    print("per field:")
    for field in sorted(everything.total):
        print(f"  {field:28} {everything.kept[field]:6} / {everything.total[field]:6}"
              f"  {everything.kept[field] / everything.total[field]:.4f}")
    for field, where in sorted(everything.divergences):
        print(f"known divergence (ours kept): {field} {where}")
    if args.show:
        for field in sorted(everything.misses):
            if args.show in ("all", field):
                for where, theirs, ours in everything.misses[field]:
                    print(f"MISS {field} {where}\n  feedparser: {theirs!r}\n  tributary:  {ours!r}")

    baseline = read_baseline(args.baseline)
    fell, rose = [], []
    print("per folder (agreement, baseline):")
    for folder in sorted(results):
        ratio = results[folder].ratio()
        floor = baseline.get(folder)
        mark = ""
        if floor is not None and round(ratio, 4) < floor:
            fell.append(folder)
            mark = "  FELL"
        elif floor is None or round(ratio, 4) > floor:
            rose.append(folder)
            mark = "  new" if floor is None else "  rose"
        print(f"  {folder:60} {ratio:.4f}  {'-' if floor is None else f'{floor:.4f}'}{mark}")
    if fell:
        print(f"FAIL: agreement fell below the baseline in {len(fell)} folder(s): "
              + ", ".join(fell))
        return 1
    if args.update and not args.folder:
        write_baseline(args.baseline, results)
        print(f"baseline written: {args.baseline}")
    elif rose:
        print(f"{len(rose)} folder(s) above the baseline or new: raise it with --update")
    return 0


if __name__ == "__main__":
    sys.exit(main())
