#!/usr/bin/env python3
"""A local OpenAI-compatible embeddings server for the embedder's tests and benchmark.
Python standard library only.

    openai_stub_server.py [--bind 127.0.0.1] [--port 0] [--dims 8] [--latency-ms 0]
                          [--mode ok|429|quota|500|hang|wrong_dims] [--retry-after 1]
                          [--reject TEXT] [--echo-key]

Prints "PORT <n>" on stdout once listening (port 0 is picked by the kernel), then serves until
killed. HTTP/1.1 with keep-alive, one thread per connection.

POST /v1/embeddings   {"model", "input": str | [str], "dimensions"?}
    mode ok          200 with one vector per input, deterministic per (text, dims): the
                     SHAKE-256 of the text read as signed 16-bit values, L2-normalized (real-
                     looking: dense, unit length, equal texts equal, different texts differ)
    mode 429         429 rate_limit_exceeded with Retry-After: <retry-after> seconds
    mode quota       429 insufficient_quota (OpenAI's "you exceeded your current quota")
    mode 500         500 server_error
    mode hang        reads the request and answers nothing until the mode changes
    mode wrong_dims  200 with vectors of dims + 1 values
    --reject TEXT    400 invalid_request_error when any input contains TEXT (in every mode
                     that answers 200), naming the input, as OpenAI does for one bad input;
                     with --echo-key the message also quotes the Authorization header
    --latency-ms N   every answer waits N ms first (a fixed backend latency for benchmarks)

Control (JSON), so a test can change the behaviour while a client is connected:
    POST /admin/mode   {"mode": "...", "retry_after": s, "reject": "...", "latency_ms": n}
                       (only the given fields change)
    GET|POST /admin/stats  {"requests": n, "inputs": n, "embedded": n, "by_status": {...},
                        "mode": "..."}  (requests = calls to /v1/embeddings, any outcome)
    POST /admin/reset  zeroes the counters
"""
import argparse
import hashlib
import json
import math
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class State:
    def __init__(self, args):
        self.lock = threading.Lock()
        self.changed = threading.Condition(self.lock)
        self.dims = args.dims
        self.mode = args.mode
        self.retry_after = args.retry_after
        self.reject = args.reject
        self.echo_key = args.echo_key
        self.latency_ms = args.latency_ms
        self.reset()

    def reset(self):
        self.requests = 0
        self.inputs = 0
        self.embedded = 0
        self.by_status = {}

    def stats(self):
        return {"requests": self.requests, "inputs": self.inputs, "embedded": self.embedded,
                "by_status": dict(self.by_status), "mode": self.mode}


def vector(text, dims):
    raw = hashlib.shake_256(text.encode("utf-8")).digest(2 * dims)
    values = struct.unpack("<%dh" % dims, raw)
    norm = math.sqrt(sum(v * v for v in values)) or 1.0
    return [v / norm for v in values]


def render_vector(values):
    # Six significant digits keep the JSON small without looking fake.
    return "[" + ",".join("%.6g" % v for v in values) + "]"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "openai-stub/1"

    def log_message(self, fmt, *args):  # quiet: tests read stdout for the port only
        pass

    def send_json(self, status, body, headers=()):
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def do_GET(self):
        state = self.server.state
        if self.path == "/admin/stats":
            with state.lock:
                self.send_json(200, state.stats())
        elif self.path == "/healthz":
            self.send_json(200, {"ok": True})
        else:
            self.send_json(404, {"error": {"message": "not found", "type": "invalid_request_error"}})

    def do_POST(self):
        state = self.server.state
        body = self.read_body()
        if self.path == "/admin/mode":
            change = json.loads(body or b"{}")
            with state.lock:
                for field in ("mode", "retry_after", "reject", "latency_ms", "dims"):
                    if field in change:
                        setattr(state, field, change[field])
                state.changed.notify_all()
                self.send_json(200, state.stats())
            return
        if self.path == "/admin/stats":
            with state.lock:
                self.send_json(200, state.stats())
            return
        if self.path == "/admin/reset":
            with state.lock:
                state.reset()
            self.send_json(200, {"ok": True})
            return
        if self.path.split("?")[0] != "/v1/embeddings":
            self.send_json(404, {"error": {"message": "unknown path " + self.path,
                                           "type": "invalid_request_error"}})
            return
        try:
            request = json.loads(body)
            inputs = request["input"]
            if isinstance(inputs, str):
                inputs = [inputs]
            if not isinstance(inputs, list) or not all(isinstance(t, str) for t in inputs):
                raise ValueError("input must be a string or an array of strings")
        except (ValueError, KeyError, TypeError) as e:
            self.answer(400, {"error": {"message": "bad request: %s" % e,
                                        "type": "invalid_request_error"}})
            return
        with state.lock:
            state.requests += 1
            state.inputs += len(inputs)
            mode, retry_after, reject = state.mode, state.retry_after, state.reject
            latency_ms, dims = state.latency_ms, int(request.get("dimensions") or state.dims)
        if mode == "hang":
            with state.lock:
                while state.mode == "hang":
                    state.changed.wait(1.0)
            # The client has given up long ago; close instead of answering.
            self.close_connection = True
            return
        if latency_ms:
            time.sleep(latency_ms / 1000.0)
        if mode == "429":
            self.answer(429, {"error": {"message": "Rate limit reached for requests",
                                        "type": "requests", "code": "rate_limit_exceeded"}},
                        [("Retry-After", str(retry_after))])
        elif mode == "quota":
            self.answer(429, {"error": {
                "message": "You exceeded your current quota, please check your plan and "
                           "billing details.",
                "type": "insufficient_quota", "code": "insufficient_quota"}})
        elif mode == "500":
            self.answer(500, {"error": {"message": "The server had an error while processing "
                                                   "your request.", "type": "server_error"}})
        else:
            for i, text in enumerate(inputs):
                if reject and reject in text:
                    message = ("Invalid input at index %d: the input contains text this "
                               "server refuses" % i)
                    if state.echo_key:
                        message += " (request made with %s)" % self.headers.get(
                            "Authorization", "no key")
                    self.answer(400, {"error": {
                        "message": message, "type": "invalid_request_error", "param": "input"}})
                    return
            size = dims + 1 if mode == "wrong_dims" else dims
            data = ",".join('{"object":"embedding","index":%d,"embedding":%s}'
                            % (i, render_vector(vector(t, size))) for i, t in enumerate(inputs))
            tokens = sum(max(1, len(t) // 4) for t in inputs)
            payload = ('{"object":"list","data":[%s],"model":%s,"usage":{"prompt_tokens":%d,'
                       '"total_tokens":%d}}' % (data, json.dumps(request.get("model", "")),
                                                 tokens, tokens)).encode()
            with state.lock:
                state.embedded += len(inputs)
            self.answer(200, payload)

    def answer(self, status, body, headers=()):
        state = self.server.state
        with state.lock:
            state.by_status[str(status)] = state.by_status.get(str(status), 0) + 1
        self.send_json(status, body, headers)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bind", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dims", type=int, default=8)
    parser.add_argument("--latency-ms", type=int, default=0)
    parser.add_argument("--mode", default="ok",
                        choices=["ok", "429", "quota", "500", "hang", "wrong_dims"])
    parser.add_argument("--retry-after", type=int, default=1)
    parser.add_argument("--reject", default="")
    parser.add_argument("--echo-key", action="store_true",
                        help="quote the request's Authorization header in --reject errors, as "
                             "careless servers do with keys")
    args = parser.parse_args()
    server = ThreadingHTTPServer((args.bind, args.port), Handler)
    server.daemon_threads = True
    server.state = State(args)
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
