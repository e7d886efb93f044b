#!/usr/bin/env python3
"""A web of hosts on loopback that writes down when each request came and went.

Listens on 127.0.0.1 .. 127.0.0.<N> (one server per address, each on a free port; Linux routes
all of 127.0.0.0/8 to the loopback interface). Every GET /<anything> waits --delay seconds (so
that requests in flight overlap where a client allows it) and answers 200 with a small page.
GET /__log (on any of them) returns every request so far as JSON: address, path, user agent,
start and end on one monotonic clock. The first line on stdout lists the ports:
"recording server ports 127.0.0.1:P1 127.0.0.2:P2 ...".

Usage: recording_http_server.py [--hosts 3] [--delay 0.1]
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOG = []
LOCK = threading.Lock()


def make_handler(address, delay):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def send(self, status, body, ctype):
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            if self.path == "/__log":
                with LOCK:
                    body = json.dumps(LOG).encode()
                return self.send(200, body, "application/json")
            start = time.monotonic()
            time.sleep(delay)
            end = time.monotonic()
            with LOCK:
                LOG.append({"address": address, "path": self.path, "start": start, "end": end,
                            "agent": self.headers.get("User-Agent", "")})
            self.send(200, f"<html><body>{self.path}</body></html>".encode(),
                      "text/html; charset=utf-8")

    return Handler


class Server(ThreadingHTTPServer):
    request_queue_size = 1024
    daemon_threads = True


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hosts", type=int, default=3)
    parser.add_argument("--delay", type=float, default=0.1)
    args = parser.parse_args()
    servers = []
    for n in range(1, args.hosts + 1):
        address = f"127.0.0.{n}"
        server = Server((address, 0), make_handler(address, args.delay))
        servers.append(server)
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ports = " ".join(f"{s.server_address[0]}:{s.server_address[1]}" for s in servers)
    print(f"recording server ports {ports}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
