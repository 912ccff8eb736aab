#!/usr/bin/env python3
"""A local HTTP receiver for tests/timeliness/test_webhook.c.

Listens on 127.0.0.1 (a free port, written to --port-file once listening) and records every
request as one JSON line in --log, in the order they arrive:
    {"path": "/all", "status": 200, "headers": {"content-type": ...}, "body": {...}}
headers with lower-case names; body parsed as JSON (null when it is not JSON, with "raw").

Per path, for testing a sender's retries:
    --fail PATH=N     answer 500 to the first N requests
    --hang PATH=N     hold the first N requests for --hang-seconds without answering
                      (recorded with status "hung")
    --status PATH=C   answer C (default 200) otherwise
"""
import argparse
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def path_counts(items):
    table = {}
    for item in items or []:
        path, _, value = item.partition("=")
        table[path] = int(value)
    return table


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--log", required=True)
    parser.add_argument("--port-file", required=True)
    parser.add_argument("--fail", action="append")
    parser.add_argument("--hang", action="append")
    parser.add_argument("--status", action="append")
    parser.add_argument("--hang-seconds", type=float, default=5.0)
    args = parser.parse_args()
    fail = path_counts(args.fail)
    hang = path_counts(args.hang)
    status = path_counts(args.status)
    lock = threading.Lock()
    log = open(args.log, "a", encoding="utf-8")

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *unused):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            raw = self.rfile.read(length).decode("utf-8", "replace")
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            with lock:
                if hang.get(self.path, 0) > 0:
                    hang[self.path] -= 1
                    answer = "hung"
                elif fail.get(self.path, 0) > 0:
                    fail[self.path] -= 1
                    answer = 500
                else:
                    answer = status.get(self.path, 200)
                record = {"path": self.path, "status": answer,
                          "headers": {k.lower(): v for k, v in self.headers.items()},
                          "body": body}
                if body is None:
                    record["raw"] = raw
                log.write(json.dumps(record) + "\n")
                log.flush()
            if answer == "hung":
                time.sleep(args.hang_seconds)
                return
            self.send_response(answer)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    temporary = args.port_file + ".tmp"
    with open(temporary, "w", encoding="utf-8") as out:
        out.write("%d\n" % server.server_address[1])
    os.rename(temporary, args.port_file)  # the test never reads half a number
    server.serve_forever()


if __name__ == "__main__":
    main()
