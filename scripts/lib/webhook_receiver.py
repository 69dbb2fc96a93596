#!/usr/bin/env python3
"""The demo's webhook receiver: verifies each notification the way docs/rewards.md (Webhooks)
describes, answers 204, and prints one line per notification.

    webhook_receiver.py PORT SECRET_FILE
"""
import base64
import hashlib
import hmac
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

port, secret_file = int(sys.argv[1]), sys.argv[2]
with open(secret_file, encoding="ascii") as f:
    KEY = base64.b64decode(f.readline().strip().removeprefix("whsec_"))
seen = set()


def verified(headers, body):
    msg_id, ts = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "0")
    if abs(time.time() - int(ts)) > 300:
        return False
    expected = base64.b64encode(
        hmac.new(KEY, f"{msg_id}.{ts}.".encode() + body, hashlib.sha256).digest()).decode()
    return any(hmac.compare_digest(expected, s.split(",", 1)[1])
               for s in headers.get("webhook-signature", "").split() if s.startswith("v1,"))


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        if not verified(self.headers, body):
            self.send_response(401)
            self.end_headers()
            return
        self.send_response(204)
        self.end_headers()
        msg_id = self.headers["webhook-id"]
        if msg_id in seen:
            return
        seen.add(msg_id)
        n = json.loads(body)
        d = n["data"]
        amount = (d["amount"] or 0) / (100 if d["currency"] != "PTS" else 1)
        who = d["code"] + (f" ({d['customer']})" if d["customer"] else "")
        level = f", level {d['level']}" if d["level"] is not None else ""
        reason = f", {d['reason']}" if d["reason"] else ""
        print(f"  [notification] {n['type']}: {who} {amount:.2f} {d['currency']}, "
              f"order {d['order']}{level}{reason}", flush=True)

    def log_message(self, *args):
        pass


HTTPServer(("127.0.0.1", port), Handler).serve_forever()
