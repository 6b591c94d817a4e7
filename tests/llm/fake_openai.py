#!/usr/bin/env python3
"""A local stand-in for an OpenAI-compatible server, for the llm tests (no network, stdlib only).

It follows the documented request/response schema of POST /v1/completions and
POST /v1/chat/completions with logprobs, and checks the requests it gets against it (a request
that does not follow it is answered 400). The path chooses the behaviour and counts requests:

    /<mode>/<tag>/v1/completions      /<mode>/<tag>/v1/chat/completions

modes: normal   - 200 with top logprobs (see answer())
       flaky    - 429 on the first request for each distinct prompt, then like normal
       error500 - always 500 with an error object
       slow     - sleeps SLOW_SECONDS, then like normal
       malformed- 200 with a body that is not JSON
       nologprobs - 200, valid JSON, but "logprobs": null
       auth     - 401 unless "Authorization: Bearer test-key", then like normal
GET /stats returns {"<mode>/<tag>": requests, ...}; GET /last/<mode>/<tag> the last request body.

Usage: fake_openai.py PORT_FILE   (binds 127.0.0.1 on a free port, writes the port to PORT_FILE)
"""
import json
import math
import re
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOW_SECONDS = 3.0
LOCK = threading.Lock()
COUNTS = {}
LAST = {}
SEEN_PROMPTS = set()


def answer(prompt):
    """Top logprobs for the option letters listed in the prompt ("\nA. ...").

    A gets 0.5 (split over the tokens " A" 0.3 and "A" 0.2), B 0.2 (as "B)"), C 0.1 (as " C."), the
    word "The" 0.15 and the letter Z 0.05 (not an option unless the prompt lists 26 of them).
    Letters after C are not named (the client gives them its floor).
    """
    letters = re.findall(r"\n([A-Z]{1,3})\. ", prompt)
    top = [("The", 0.15), (" Z", 0.05)]
    for letter, toks in zip(letters[:3], [[(" A", 0.3), ("A", 0.2)], [("B)", 0.2)], [(" C.", 0.1)]]):
        top += toks
    return [(t, math.log(p)) for t, p in top]


def check_request(path, req):
    """None if the request follows the documented schema, else the reason."""
    if not isinstance(req, dict):
        return "body is not an object"
    if not isinstance(req.get("model"), str) or not req["model"]:
        return "missing model"
    if req.get("max_tokens") != 1:
        return "max_tokens must be 1 for this client"
    if req.get("temperature") != 0:
        return "temperature must be 0 for this client"
    if path.endswith("/v1/chat/completions"):
        msgs = req.get("messages")
        if not isinstance(msgs, list) or not msgs or not all(
                isinstance(m, dict) and m.get("role") in ("system", "user", "assistant") and isinstance(m.get("content"), str)
                for m in msgs):
            return "messages must be a non-empty list of {role, content}"
        if req.get("logprobs") is not True or not isinstance(req.get("top_logprobs"), int) or not 0 <= req["top_logprobs"] <= 20:
            return "chat needs logprobs: true and top_logprobs in 0..20"
    else:
        if not isinstance(req.get("prompt"), str):
            return "prompt must be a string"
        if not isinstance(req.get("logprobs"), int) or isinstance(req.get("logprobs"), bool) or not 0 <= req["logprobs"] <= 20:
            return "completions needs logprobs: an integer in 0..20"
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, ctype="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        with LOCK:
            if self.path == "/stats":
                return self.send(200, json.dumps(COUNTS))
            if self.path.startswith("/last/"):
                return self.send(200, json.dumps(LAST.get(self.path[len("/last/"):])))
        self.send(404, json.dumps({"error": {"message": "not found"}}))

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        m = re.fullmatch(r"/([a-z0-9]+)/([A-Za-z0-9_-]+)(/v1/(?:chat/)?completions)", self.path)
        if not m:
            return self.send(404, json.dumps({"error": {"message": f"no route {self.path}", "type": "not_found"}}))
        mode, tag, endpoint = m.groups()
        key = f"{mode}/{tag}"
        try:
            req = json.loads(body)
        except ValueError:
            req = None
        with LOCK:
            COUNTS[key] = COUNTS.get(key, 0) + 1
            LAST[key] = req
        why = check_request(endpoint, req)
        if why:
            return self.send(400, json.dumps({"error": {"message": why, "type": "invalid_request_error"}}))
        chat = endpoint.endswith("chat/completions")
        prompt = req["messages"][-1]["content"] if chat else req["prompt"]
        if mode == "flaky":
            with LOCK:
                first = (key, prompt) not in SEEN_PROMPTS
                SEEN_PROMPTS.add((key, prompt))
            if first:
                return self.send(429, json.dumps({"error": {"message": "rate limited", "type": "rate_limit"}}))
        elif mode == "error500":
            return self.send(500, json.dumps({"error": {"message": "internal failure", "type": "server_error"}}))
        elif mode == "slow":
            time.sleep(SLOW_SECONDS)
        elif mode == "malformed":
            return self.send(200, '{"choices": [{"text": "A", "logprobs": {"top_logprobs": [{" A": -0.1,')
        elif mode == "auth" and self.headers.get("Authorization") != "Bearer test-key":
            return self.send(401, json.dumps({"error": {"message": "invalid api key", "type": "auth"}}))
        k = req["top_logprobs"] if chat else req["logprobs"]
        top = sorted(answer(prompt), key=lambda t: -t[1])[:k]
        first_tok = top[0][0] if top else "A"
        if mode == "nologprobs":
            logprobs = None
        elif chat:
            logprobs = {"content": [{"token": first_tok, "logprob": top[0][1], "bytes": list(first_tok.encode()),
                                     "top_logprobs": [{"token": t, "logprob": lp, "bytes": list(t.encode())} for t, lp in top]}]}
        else:
            logprobs = {"tokens": [first_tok], "token_logprobs": [top[0][1]], "text_offset": [0],
                        "top_logprobs": [{t: lp for t, lp in top}]}
        if chat:
            choice = {"index": 0, "message": {"role": "assistant", "content": first_tok}, "logprobs": logprobs,
                      "finish_reason": "length"}
            obj = "chat.completion"
        else:
            choice = {"index": 0, "text": first_tok, "logprobs": logprobs, "finish_reason": "length"}
            obj = "text_completion"
        self.send(200, json.dumps({"id": "fake-1", "object": obj, "created": int(time.time()), "model": req["model"],
                                   "choices": [choice],
                                   "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": 1,
                                             "total_tokens": len(prompt.split()) + 1}}))


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    import os
    os.replace(sys.argv[1] + ".tmp", sys.argv[1])
    server.serve_forever()


if __name__ == "__main__":
    main()
