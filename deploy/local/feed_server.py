#!/usr/bin/env python3
"""A local web of feeds for the demo, the end-to-end tests and the pipeline benchmark.

Serves a generated, deterministic corpus (same --seed, same bytes) on loopback:

  /opml                      OPML listing every feed (import it with `tributary sources import-opml`)
  /feeds/<n>.<ext>           feed n, in a format chosen by n: RSS 2.0 (.xml), Atom 1.0 (.atom),
                             JSON Feed 1.1 (.json), RSS 1.0/RDF (.rdf)
  /sitemap_index.xml         a sitemap index of /sitemaps/<k>.xml (urlsets of /pages/<k>/<j>.html)
  /articles/<n>/<i>          entry i's article page: its whole text in paragraphs, inside the
                             navigation, share bar, related links, cookie banner and footer
                             that real news pages carry; /articles/7/1 answers 404, so a
                             failed article fetch can be told from its feed's outcome
  /pages/<k>/<j>.html        article pages (title, description, canonical, Open Graph, text),
                             with an ETag, Last-Modified and max-age of their own; the sitemaps
                             also list two that fail: /pages/1/9.html (500) and /pages/2/9.html
                             (404), so a page's outcome can be told from its sitemap's (no
                             Retry-After: the fetcher would rightly hold back the whole host)
  /broken/404, /broken/500   error statuses (500 with Retry-After)
  /broken/not-a-feed         a 200 that no parser can read
  /broken/slow               answers after --slow-seconds (longer than a sane fetch deadline)

Most feeds carry each entry's whole text (160-260 words). Every third feed (n % 3 == 1, all four
formats among them) carries only a summary (its first 24 words and an ellipsis), as many real
feeds do: under the default full_text setting tributary fetches those entries' linked pages and
lands their text (--summary-every 0 turns summary feeds off).

Every feed honours conditional GET (ETag / Last-Modified -> 304). Some articles appear in several
feeds under the same link, so they become one story. POST /admin/touch/<n> changes the newest
entry of feed n (new title and text, same id) and POST /admin/add/<n> adds an entry, so tests can
show an update reaching its row; GET /admin/stats returns request counts as JSON, and
GET /admin/manifest every entry served (tab-separated: feed URL, entry id, link, summary-only
0/1), which the chaos test compares with what landed.

Usage: feed_server.py [--port 28080 (0: any free)] [--feeds 300] [--items 20] [--seed 1]
                      [--summary-every 3]
"""
import argparse
import hashlib
import json
import random
import threading
import time
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from xml.sax.saxutils import escape

WORDS = """river delta harbor signal engine market garden station archive lantern compass summit
orbit meadow canyon library bridge forest island valley beacon circuit atlas quarry harvest
glacier workshop festival gallery observatory railway vineyard lighthouse foundry chronicle
network council budget election science climate energy health culture travel sport economy""".split()
NAMES = ["Ada Park", "Ben Ortiz", "Chen Wei", "Dana Noor", "Eli Vance", "Femi Okafor",
         "Greta Lind", "Hiro Sato", "Ines Duarte", "Jon Berg"]
CATEGORIES = ["world", "tech", "science", "culture", "business", "sport", "climate", "local"]
FORMATS = ["rss", "atom", "json", "rdf"]
EXT = {"rss": "xml", "atom": "atom", "json": "json", "rdf": "rdf"}
EPOCH = datetime(2026, 11, 1, tzinfo=timezone.utc)


class Corpus:
    def __init__(self, feeds, items, seed, base, summary_every=3):
        self.feeds, self.items, self.seed, self.base = feeds, items, seed, base
        self.summary_every = summary_every
        self.lock = threading.Lock()
        self.version = {}   # feed -> number of touches
        self.extra = {}     # feed -> number of added entries
        self.hits = {}

    def rng(self, *key):
        return random.Random(f"{self.seed}:" + ":".join(map(str, key)))

    def title(self, rng):
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))).capitalize()

    def entries(self, n, whole_text=False):
        """Feed n's entries, newest first; summaries only in a summary feed unless whole_text."""
        with self.lock:
            touches, added = self.version.get(n, 0), self.extra.get(n, 0)
        out = []
        for i in range(self.items + added):
            rng = self.rng("entry", n, i)
            # One article in ten is shared with the next feed: same link, one story.
            shared = i % 10 == 0
            link_owner = n - n % 2 if shared else n
            link = f"{self.base}/pages/{link_owner % 50}/{i}.html" if shared else \
                f"{self.base}/articles/{n}/{i}?utm_source=feed"
            title = self.title(rng)
            # An article is about its title: half its words are the title's (a search by
            # meaning then finds the entries whose titles mean what it asks for).
            topic = title.lower().split()
            text = " ".join(rng.choice(topic) if rng.random() < 0.5 else rng.choice(WORDS)
                            for _ in range(rng.randint(160, 260)))
            if i == self.items + added - 1 and touches:
                title = f"{title} (update {touches})"
                text = f"Updated {touches} times. {text}"
            published = EPOCH + timedelta(hours=n % 24, minutes=i * 37)
            out.append({
                "id": f"urn:tributary-demo:{n}:{i}", "link": link, "title": title,
                "text": text, "author": rng.choice(NAMES), "category": rng.choice(CATEGORIES),
                "published": published,
            })
        out.reverse()  # newest first, as feeds usually are
        if self.is_summary_feed(n) and not whole_text:
            for e in out:
                e["text"] = " ".join(e["text"].split()[:24]) + " \u2026"
        return out

    def is_summary_feed(self, n):
        return self.summary_every > 0 and n % self.summary_every == 1

    def article(self, n, i):
        """Entry i of feed n as a news page: its whole text, and the chrome around it."""
        if n >= self.feeds:
            return None
        entry = next((e for e in self.entries(n, whole_text=True)
                      if e["id"] == f"urn:tributary-demo:{n}:{i}"), None)
        if entry is None:
            return None
        words = entry["text"].split()
        paragraphs = "".join(f"<p>{escape(' '.join(words[k:k + 40]))}.</p>"
                             for k in range(0, len(words), 40))
        related = "".join(f"<li><a href=\"/articles/{n}/{j}\">Related story {j}</a></li>"
                          for j in range(max(0, i - 3), i))
        return (f"<!doctype html><html lang=\"en\"><head><title>{escape(entry['title'])} - "
                f"Demo News</title><meta property=\"og:site_name\" content=\"Demo News\">"
                f"</head><body><div class=\"cookie-banner\">We use cookies. Accept all cookies"
                f"</div><nav class=\"menu\"><a href=\"/\">Home</a> <a href=\"/world\">World</a> "
                f"<a href=\"/tech\">Tech</a></nav><main><article>"
                f"<h1>{escape(entry['title'])}</h1><p class=\"byline\">By {entry['author']}</p>"
                f"{paragraphs}</article><div class=\"share\"><a href=\"/share\">Share on social"
                f"</a></div><aside class=\"related\"><h2>Related</h2><ul>{related}</ul></aside>"
                f"</main><footer>Copyright Demo News. All rights reserved.</footer></body></html>"
                ).encode()

    def validators(self, n):
        with self.lock:
            state = f"{self.version.get(n, 0)}:{self.extra.get(n, 0)}"
        etag = '"' + hashlib.sha1(f"{self.seed}:{n}:{state}".encode()).hexdigest()[:16] + '"'
        modified = EPOCH + timedelta(days=1, seconds=sum(map(int, state.split(":"))))
        return etag, format_datetime(modified, usegmt=True)

    def feed(self, n):
        fmt = FORMATS[n % len(FORMATS)]
        entries = self.entries(n)
        name = f"Demo feed {n}: {self.title(self.rng('feed', n))}"
        url = f"{self.base}/feeds/{n}.{EXT[fmt]}"
        if fmt == "json":
            return "application/feed+json", json.dumps({
                "version": "https://jsonfeed.org/version/1.1", "title": name,
                "home_page_url": f"{self.base}/", "feed_url": url, "language": "en",
                "items": [{
                    "id": e["id"], "url": e["link"], "title": e["title"],
                    "content_html": f"<p>{escape(e['text'])}</p>",
                    "date_published": e["published"].isoformat(),
                    "authors": [{"name": e["author"]}], "tags": [e["category"]],
                } for e in entries]}).encode()
        if fmt == "atom":
            body = "".join(
                f"<entry><id>{e['id']}</id><title>{escape(e['title'])}</title>"
                f"<link rel=\"alternate\" href=\"{escape(e['link'])}\"/>"
                f"<updated>{e['published'].isoformat()}</updated>"
                f"<author><name>{e['author']}</name></author>"
                f"<category term=\"{e['category']}\"/>"
                f"<content type=\"html\">&lt;p&gt;{escape(e['text'])}&lt;/p&gt;</content></entry>"
                for e in entries)
            return "application/atom+xml", (
                f"<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                f"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>{escape(name)}</title>"
                f"<id>{url}</id><updated>{EPOCH.isoformat()}</updated>"
                f"<link rel=\"self\" href=\"{url}\"/>{body}</feed>").encode()
        if fmt == "rdf":
            body = "".join(
                f"<item rdf:about=\"{escape(e['link'])}\"><title>{escape(e['title'])}</title>"
                f"<link>{escape(e['link'])}</link><description>{escape(e['text'])}</description>"
                f"<dc:creator>{e['author']}</dc:creator>"
                f"<dc:date>{e['published'].isoformat()}</dc:date></item>"
                for e in entries)
            return "application/rdf+xml", (
                "<?xml version=\"1.0\"?><rdf:RDF "
                "xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" "
                "xmlns=\"http://purl.org/rss/1.0/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
                f"<channel rdf:about=\"{url}\"><title>{escape(name)}</title>"
                f"<link>{self.base}/</link><description>demo</description></channel>"
                f"{body}</rdf:RDF>").encode()
        body = "".join(
            f"<item><guid isPermaLink=\"false\">{e['id']}</guid><title>{escape(e['title'])}</title>"
            f"<link>{escape(e['link'])}</link>"
            f"<description>&lt;p&gt;{escape(e['text'])}&lt;/p&gt;</description>"
            f"<author>{e['author']}</author><category>{e['category']}</category>"
            f"<pubDate>{format_datetime(e['published'], usegmt=True)}</pubDate></item>"
            for e in entries)
        return "application/rss+xml", (
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><rss version=\"2.0\"><channel>"
            f"<title>{escape(name)}</title><link>{self.base}/</link>"
            f"<description>A generated demo feed</description><language>en</language>"
            f"{body}</channel></rss>").encode()

    def opml(self):
        outlines = "".join(
            f"<outline type=\"rss\" text=\"Demo feed {n}\" xmlUrl=\"{self.base}/feeds/{n}."
            f"{EXT[FORMATS[n % len(FORMATS)]]}\"/>" for n in range(self.feeds))
        return ("<?xml version=\"1.0\"?><opml version=\"2.0\"><head><title>tributary demo"
                f"</title></head><body><outline text=\"Demo\">{outlines}</outline></body></opml>"
                ).encode()

    def manifest(self):
        """Every entry the feeds serve now, one per line: feed URL, the entry's id as its feed
        carries it (RSS 1.0 has none but rdf:about, the link), link, and whether the feed
        carries only its summary (so its page is fetched for the article)."""
        lines = []
        for n in range(self.feeds):
            fmt = FORMATS[n % len(FORMATS)]
            url = f"{self.base}/feeds/{n}.{EXT[fmt]}"
            summary = int(self.is_summary_feed(n))
            for e in self.entries(n):
                entry_id = e["link"] if fmt == "rdf" else e["id"]
                lines.append(f"{url}\t{entry_id}\t{e['link']}\t{summary}\n")
        return "".join(lines).encode()

    def sitemap_index(self):
        maps = "".join(f"<sitemap><loc>{self.base}/sitemaps/{k}.xml</loc></sitemap>"
                       for k in range(3))
        return ("<?xml version=\"1.0\"?><sitemapindex "
                "xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
                f"{maps}</sitemapindex>").encode()

    def sitemap(self, k):
        urls = "".join(
            f"<url><loc>{self.base}/pages/{k}/{j}.html</loc>"
            f"<lastmod>{(EPOCH + timedelta(days=j)).date().isoformat()}</lastmod></url>"
            for j in range(10))
        return ("<?xml version=\"1.0\"?><urlset "
                f"xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">{urls}</urlset>").encode()

    def page(self, k, j):
        rng = self.rng("page", k, j)
        title = self.title(rng)
        text = " ".join(rng.choice(WORDS) for _ in range(150))
        url = f"{self.base}/pages/{k}/{j}.html"
        return (f"<!doctype html><html lang=\"en\"><head><title>{escape(title)}</title>"
                f"<meta name=\"description\" content=\"{escape(text[:120])}\">"
                f"<link rel=\"canonical\" href=\"{url}\">"
                f"<meta property=\"og:title\" content=\"{escape(title)}\">"
                f"</head><body><nav>menu</nav><article><h1>{escape(title)}</h1>"
                f"<p>{escape(text)}</p></article></body></html>").encode()


def make_handler(corpus, slow_seconds):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, status, body=b"", ctype="text/plain", headers=()):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in headers:
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def count(self, key):
            with corpus.lock:
                corpus.hits[key] = corpus.hits.get(key, 0) + 1

        def do_POST(self):
            parts = self.path.strip("/").split("/")
            if len(parts) == 3 and parts[0] == "admin" and parts[1] in ("touch", "add"):
                n = int(parts[2])
                with corpus.lock:
                    table = corpus.version if parts[1] == "touch" else corpus.extra
                    table[n] = table.get(n, 0) + 1
                return self.send(200, b"ok\n")
            self.send(404, b"not found\n")

        def do_GET(self):
            path = self.path.split("?")[0]
            self.count(path.split("/")[1] if "/" in path else path)
            if path == "/opml":
                return self.send(200, corpus.opml(), "text/x-opml")
            if path == "/admin/manifest":
                return self.send(200, corpus.manifest(), "text/tab-separated-values")
            if path == "/admin/stats":
                with corpus.lock:
                    return self.send(200, json.dumps(corpus.hits).encode(), "application/json")
            if path == "/sitemap_index.xml":
                return self.send(200, corpus.sitemap_index(), "application/xml")
            if path.startswith("/sitemaps/"):
                return self.send(200, corpus.sitemap(int(path.split("/")[2].split(".")[0]) % 3),
                                 "application/xml")
            if path.startswith("/pages/"):
                _, _, k, j = path.split("/")
                k, j = int(k), int(j.split(".")[0])
                if (k, j) == (1, 9):
                    return self.send(500, b"oops\n")
                if (k, j) == (2, 9):
                    return self.send(404, b"gone\n")
                body = corpus.page(k, j)
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                return self.send(200, body, "text/html; charset=utf-8",
                                 [("ETag", etag), ("Cache-Control", "max-age=86400"),
                                  ("Last-Modified", format_datetime(EPOCH, usegmt=True))])
            if path.startswith("/feeds/"):
                n = int(path.split("/")[2].split(".")[0])
                if n >= corpus.feeds:
                    return self.send(404, b"no such feed\n")
                etag, modified = corpus.validators(n)
                validators = [("ETag", etag), ("Last-Modified", modified),
                              ("Cache-Control", "max-age=60")]
                if self.headers.get("If-None-Match") == etag:
                    self.count("304")
                    return self.send(304, b"", headers=validators)
                ctype, body = corpus.feed(n)
                return self.send(200, body, ctype, validators)
            if path == "/broken/404":
                return self.send(404, b"gone\n")
            if path == "/broken/500":
                return self.send(500, b"oops\n", headers=[("Retry-After", "120")])
            if path == "/broken/not-a-feed":
                return self.send(200, b"\x00\x01 this is not a feed \xff\xfe", "text/plain")
            if path == "/broken/slow":
                time.sleep(slow_seconds)
                return self.send(200, b"too late\n")
            if path.startswith("/articles/"):
                parts = path.split("/")
                body = None
                if parts[2:4] == ["7", "1"]:
                    return self.send(404, b"gone\n")
                if len(parts) == 4 and parts[2].isdigit() and parts[3].isdigit():
                    body = corpus.article(int(parts[2]), int(parts[3]))
                if body is None:
                    return self.send(404, b"no such article\n")
                return self.send(200, body, "text/html; charset=utf-8")
            self.send(404, b"not found\n")

        do_HEAD = do_GET

    return Handler


class FeedServer(ThreadingHTTPServer):
    # The socketserver default backlog of 5 overflows when a fetcher opens dozens of
    # connections at once: the kernel then drops the handshake's last ACK, the client believes
    # it is connected and waits for an answer that never comes (a read timeout).
    request_queue_size = 1024


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=28080)
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--feeds", type=int, default=300)
    parser.add_argument("--items", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--slow-seconds", type=float, default=60)
    parser.add_argument("--summary-every", type=int, default=3,
                        help="feeds n with n %% K == 1 carry summaries only (0: none)")
    args = parser.parse_args()
    corpus = Corpus(args.feeds, args.items, args.seed, base="", summary_every=args.summary_every)
    server = FeedServer((args.address, args.port), make_handler(corpus, args.slow_seconds))
    server.daemon_threads = True
    # --port 0 picks a free port; the first line says which (tests read it).
    corpus.base = f"http://{args.address}:{server.server_address[1]}"
    print(f"feed server on {corpus.base} ({args.feeds} feeds x {args.items} items)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
