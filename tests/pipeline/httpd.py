#!/usr/bin/env python3
# httpd.py - a tiny HTTP server for the URL-dependency tests: serves DIR on 127.0.0.1 with ETag and Last-Modified.
"""Usage: httpd.py DIR PORTFILE [--no-etag] [--no-validators]

Binds 127.0.0.1 on a free port, writes the port to PORTFILE, serves the
files of DIR (GET and HEAD).  ETag is the SHA-256 of the content, unless
--no-etag (then only Last-Modified, as python's http.server sends) or
--no-validators (neither).  Stops on SIGTERM."""
import hashlib
import http.server
import os
import sys


class Handler(http.server.SimpleHTTPRequestHandler):
    mode = "etag"

    def log_message(self, *args):
        pass

    def end_headers(self):
        path = self.translate_path(self.path)
        if self.mode == "etag" and os.path.isfile(path):
            with open(path, "rb") as f:
                self.send_header("ETag", '"%s"' % hashlib.sha256(f.read()).hexdigest())
        super().end_headers()

    def send_header(self, keyword, value):
        if self.mode == "none" and keyword.lower() == "last-modified":
            return
        super().send_header(keyword, value)


def main():
    root, portfile = sys.argv[1], sys.argv[2]
    if "--no-etag" in sys.argv:
        Handler.mode = "lastmod"
    if "--no-validators" in sys.argv:
        Handler.mode = "none"
    os.chdir(root)
    srv = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.server_address[1])
    os.rename(tmp, portfile)
    srv.serve_forever()


if __name__ == "__main__":
    main()
