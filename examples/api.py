"""A Python API on the standard library only: PORT comes from apictl."""
import atexit
import json
import os
import signal
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT = int(os.environ["PORT"])


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        status = 200
        body = b"ok\n" if self.path == "/health" else json.dumps({"hello": "from Python", "pid": os.getpid()}).encode() + b"\n"
        self.send_response(status)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        print(f"{self.address_string()} {format % args}", flush=True)


atexit.register(lambda: print("api.py: atexit handler ran", flush=True))
# apictl stops with SIGTERM; Python's default SIGTERM action skips atexit, so exit cleanly instead.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
server = ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
print(f"api.py listening on port {PORT}", flush=True)
try:
    server.serve_forever()
except KeyboardInterrupt:
    pass
