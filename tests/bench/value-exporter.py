#!/usr/bin/env python3
"""value-exporter.py - a tiny Prometheus exporter on 127.0.0.1 for the
alert latency benchmark: /metrics serves `bench_value{trial="K"} V`, K
and V read from --value-file ("K V") at each scrape, so the benchmark
moves the value across a threshold at a moment it knows."""
import argparse
import http.server
import os


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--value-file", required=True)
    a = ap.parse_args()

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            try:
                with open(a.value_file) as f:
                    k, v = f.read().split()
            except (OSError, ValueError):
                k, v = "0", "0"
            body = ('# TYPE bench_value gauge\nbench_value{trial="%s"} %s\n'
                    % (k, v)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    srv = http.server.HTTPServer(("127.0.0.1", 0), H)
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
