#!/usr/bin/env python3
"""webhook-sink.py - a tiny HTTP receiver for the notification tests: on
127.0.0.1 and a free port (written to --port-file), appends each POSTed
body as one line to --out and answers --status (default 200)."""
import argparse
import http.server
import json


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--status", type=int, default=200)
    a = ap.parse_args()

    class H(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            rec = {"path": self.path,
                   "type": self.headers.get("Content-Type", ""),
                   "body": json.loads(body)}
            with open(a.out, "a") as f:
                f.write(json.dumps(rec) + "\n")
            self.send_response(a.status)
            self.end_headers()
            self.wfile.write(b"ok\n")

        def log_message(self, *args):
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), H)
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
