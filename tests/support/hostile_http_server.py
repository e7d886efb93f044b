#!/usr/bin/env python3
"""A local HTTP(S) server for the fetcher's tests: serves small documents and misbehaves on
demand, chosen by the request path. Python standard library only.

    hostile_http_server.py [--tls-cert PEM --tls-key PEM] [--bind 127.0.0.1]

Prints "PORT <n>" on stdout once listening (port 0 is picked by the kernel), then serves until
killed. Paths:
  /etag, /ok          200 with an ETag and Last-Modified; 304 when If-None-Match matches
  /gzip               gzip-encoded 200
  /close-after        200 that promises keep-alive, then the server closes the connection
  /bomb               a gzip body that inflates to 512 MiB (decompression bomb)
  /big                200 with a 20 MiB body (over a 16 MiB cap)
  /huge-header        a 128 KiB header field
  /slowloris          the status line trickles out one byte every 2 seconds
  /never              reads the request and never answers
  /lying-length       announces 100000 bytes, sends 10, closes
  /endless-chunked    chunked body that never ends
  /garbage            bytes that are not HTTP, then close
  /redirect-loop      302 -> /redirect-loop-b -> 302 -> /redirect-loop
  /redirect/N         N redirects in all, the last to /ok
  /redirect-to?url=U  302 to U
  /status/N           answers status N (429 and 503 with Retry-After: 120)
  /robots.txt         disallows /private for everyone (or answers --robots-status)
  /private/...        200 (robots.txt forbids it)
"""
import argparse
import gzip
import io
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

FEED = (b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        b'<item><guid>1</guid><title>one</title></item></channel></rss>')
ETAG = '"v1-feed"'
LAST_MODIFIED = 'Sun, 06 Nov 1994 08:49:37 GMT'

_bomb = None
_bomb_lock = threading.Lock()


def bomb_bytes():
    """512 MiB of zeros, gzip-compressed in chunks (about 500 KiB), built once."""
    global _bomb
    with _bomb_lock:
        if _bomb is None:
            out = io.BytesIO()
            with gzip.GzipFile(fileobj=out, mode='wb', compresslevel=9) as gz:
                chunk = bytes(1 << 20)
                for _ in range(512):
                    gz.write(chunk)
            _bomb = out.getvalue()
        return _bomb


class Handler(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    server_version = 'hostile/1'

    def log_message(self, fmt, *args):  # quiet: the tests read only our PORT line
        pass

    def send_body(self, status, body, content_type='application/rss+xml', headers=()):
        self.send_response(status)
        self.send_header('Content-Type', content_type)
        self.send_header('Content-Length', str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def raw(self, data):
        self.wfile.write(data)
        self.wfile.flush()

    def do_GET(self):  # noqa: N802 (http.server's naming)
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        try:
            self.route(path, urllib.parse.parse_qs(url.query))
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
            self.close_connection = True

    def route(self, path, query):
        if path in ('/ok', '/etag'):
            if self.headers.get('If-None-Match') == ETAG:
                self.send_response(304)
                self.send_header('ETag', ETAG)
                self.end_headers()
                return
            self.send_body(200, FEED, headers=[('ETag', ETAG), ('Last-Modified', LAST_MODIFIED),
                                               ('Cache-Control', 'max-age=300')])
        elif path == '/close-after':
            self.send_body(200, FEED)
            self.close_connection = True  # without saying so: a keep-alive the server drops
        elif path == '/gzip':
            self.send_body(200, gzip.compress(FEED), headers=[('Content-Encoding', 'gzip')])
        elif path == '/bomb':
            self.send_body(200, bomb_bytes(), headers=[('Content-Encoding', 'gzip')])
        elif path == '/big':
            size = 20 << 20
            self.send_response(200)
            self.send_header('Content-Length', str(size))
            self.end_headers()
            chunk = b'x' * 65536
            for _ in range(size // len(chunk)):
                self.wfile.write(chunk)
        elif path == '/huge-header':
            self.send_body(200, b'x', headers=[('X-Huge', 'a' * (128 << 10))])
        elif path == '/slowloris':
            for byte in b'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello':
                self.raw(bytes([byte]))
                time.sleep(2)
        elif path == '/never':
            self.close_connection = True
            while True:
                time.sleep(1)
                try:  # stop once the client gave up
                    if self.connection.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b'':
                        return
                except BlockingIOError:
                    pass
        elif path == '/lying-length':
            self.raw(b'HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n0123456789')
            self.close_connection = True
        elif path == '/endless-chunked':
            self.raw(b'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n')
            chunk = b'%x\r\n%s\r\n' % (65536, b'y' * 65536)
            while True:
                self.raw(chunk)
        elif path == '/garbage':
            self.raw(b'\x00\xffSSH-2.0-OpenSSH_9.0 this is not http at all\r\n\r\n' * 4)
            self.close_connection = True
        elif path == '/redirect-loop':
            self.redirect('/redirect-loop-b')
        elif path == '/redirect-loop-b':
            self.redirect('/redirect-loop')
        elif path.startswith('/redirect/'):
            n = int(path.rsplit('/', 1)[1])
            self.redirect('/ok' if n <= 1 else '/redirect/%d' % (n - 1))
        elif path == '/redirect-to':
            self.redirect(query['url'][0])
        elif path.startswith('/status/'):
            status = int(path.rsplit('/', 1)[1])
            headers = [('Retry-After', '120')] if status in (429, 503) else []
            self.send_body(status, b'status', 'text/plain', headers)
        elif path == '/robots.txt':
            status = self.server.robots_status
            body = b'User-agent: *\nDisallow: /private\n' if status == 200 else b'unavailable'
            self.send_body(status, body, 'text/plain')
        else:
            self.send_body(200 if path.startswith('/private') else 404, b'page', 'text/plain')

    def redirect(self, location):
        self.send_response(302)
        self.send_header('Location', location)
        self.send_header('Content-Length', '0')
        self.end_headers()


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # clients hanging up mid-misbehaviour (or rejecting our certificate) is the point


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--bind', default='127.0.0.1')
    parser.add_argument('--tls-cert')
    parser.add_argument('--tls-key')
    parser.add_argument('--robots-status', type=int, default=200)
    args = parser.parse_args()
    server = Server((args.bind, 0), Handler)
    server.robots_status = args.robots_status
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        # Handshake lazily in the handler thread so one stuck client never blocks accept().
        server.socket = context.wrap_socket(server.socket, server_side=True,
                                            do_handshake_on_connect=False)
    print('PORT %d' % server.server_address[1], flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == '__main__':
    sys.exit(main())
