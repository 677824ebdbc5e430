#!/usr/bin/python3
"""fake-server.py - misbehaving HTTP servers on loopback for the monitor sources' fault tests.

Usage: fake-server.py MODE --port-file F [--pidfile F] [--size BYTES]
  hang       accepts connections, reads the request, never answers
  garbage    /metrics is an exposition with good and bad lines
  big        /metrics is a valid exposition of --size bytes (no Content-Length)
  alternate  /metrics serves "a 1, b 1" then "a 2" then "a 3, b 3" ...
  status     /CODE answers HTTP CODE (e.g. /503, /301 redirects to /200)
Binds 127.0.0.1 on a free port, written to --port-file; stops on SIGTERM.
"""
import argparse
import os
import signal
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

GARBAGE = (b"# HELP good_total fine\n"
           b"# TYPE good_total counter\n"
           b"good_total{a=\"1\"} 7\n"
           b"bad{a=\"x\\q\"} 1\n"
           b"\x00\xff\xfe nonsense\n"
           b"also_good 3.5\n"
           b"broken{ 1\n"
           b"no_newline_at_end 9")


def serve_hang(sock):
    held = []
    while True:
        c, _ = sock.accept()
        held.append(c)  # keep it open, never write


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    mode = None
    size = 0
    count = 0
    lock = threading.Lock()

    def log_message(self, fmt, *args):
        pass

    def send(self, code, body, length=True, headers=()):
        self.send_response(code)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        for k, v in headers:
            self.send_header(k, v)
        if length:
            self.send_header("Content-Length", str(len(body)))
        else:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        m = Handler.mode
        if m == "garbage":
            self.send(200, GARBAGE)
        elif m == "big":
            line = b"big_series{i=\"%08d\"} 1\n"
            n = Handler.size // len(line % 0) + 1
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                chunk = []
                for i in range(n):
                    chunk.append(line % i)
                    if len(chunk) == 4096:
                        self.wfile.write(b"".join(chunk))
                        chunk = []
                self.wfile.write(b"".join(chunk))
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
        elif m == "alternate":
            with Handler.lock:
                Handler.count += 1
                k = Handler.count
            body = b"a %d\n" % k
            if k % 2 == 1:
                body += b"b{x=\"y\"} %d\n" % k
            self.send(200, body)
        elif m == "status":
            code = int(self.path.strip("/") or "200")
            if 300 <= code < 400:
                self.send(code, b"", headers=[("Location", "/200")])
            else:
                self.send(code, b"status %d\n" % code)
        else:
            self.send(404, b"")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode")
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--pidfile")
    ap.add_argument("--size", type=int, default=1 << 20)
    a = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda s, f: os._exit(0))
    if a.mode == "hang":
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen(64)
        port = sock.getsockname()[1]
    else:
        Handler.mode = a.mode
        Handler.size = a.size
        srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        srv.daemon_threads = True
        port = srv.server_address[1]
    if a.pidfile:
        with open(a.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    with open(a.port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.replace(a.port_file + ".tmp", a.port_file)
    if a.mode == "hang":
        serve_hang(sock)
    else:
        srv.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    sys.exit(main())
