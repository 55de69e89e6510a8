"""A local stand-in for the Claude Messages API and the OpenAI chat API, for tests and bench/bench_llm.py.

It answers every request after a fixed delay (a Message Batch ends at once), the way a real server would
take time to generate, with an answer built from the request's own evidence
(a name quoted from the first evidence span, every evidence id cited), so
the answer passes the generation gate. `--fail-every N` answers every Nth
request with 429 or 529 (alternately) and a short retry-after, to show
that nothing is lost to rate limits. Not a model: it only speaks the wire
format, which is what the backends' HTTP, retry, concurrency and cost code
needs. Run: python tests/llm_standin.py --port 8765 --delay 0.05
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_EVIDENCE = re.compile(r'<evidence id="(E\d+)" path="([^"]+)"[^>]*>\n(.*?)\n</evidence>', re.S)
_EVIDENCE_LINE = re.compile(r"^\s*\d+\| (.*)$", re.M)
_NAME = re.compile(r"\b([a-z][A-Za-z0-9]{3,})\s*\(|\b([A-Z][a-z0-9]+[A-Z][A-Za-z0-9]+)\b")
_LANG = re.compile(r"\(language: (en|zh)\)")


def answer_for(prompt: str, design: bool) -> dict:
    """A short answer that names something the evidence really contains and cites every evidence id."""
    spans = _EVIDENCE.findall(prompt)
    ids = [i for i, _, _ in spans] or ["E1"]
    code = "\n".join(_EVIDENCE_LINE.findall(spans[0][2])) if spans else ""
    match = _NAME.search(code)
    name = (match.group(1) or match.group(2)) if match else ""
    zh = (m := _LANG.search(prompt)) is not None and m.group(1) == "zh"
    subject = f"`{name}`" if name else ("这段代码" if zh else "this code")
    if zh:
        text = f"关键在于 {subject}：证据中的代码展示了它在哪里被调用，以及调用之后发生的处理。"
        claim = f"证据中的代码调用了 {subject}。"
    else:
        text = f"It comes down to {subject}: the evidence shows where it is called and what happens after the call."
        claim = f"The evidence calls {subject}."
    trace = [{"claim": claim, "evidence_ids": ids}]
    if not design:
        return {"answer": text, "trace": trace}
    owner = spans[0][1].rsplit("/", 1)[-1].removesuffix(".java") if spans else "Service"
    return {"design": {"understanding": text, "reuse": [{"component": owner, "why": claim, "evidence_ids": ids}],
                       "changes": [], "data_changes": [], "flow": [text], "risks": [], "test_plan": [text]},
            "trace": trace}


class StandIn(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int = 0, delay: float = 0.05, fail_every: int = 0):
        super().__init__(("127.0.0.1", port), _Handler)
        self.delay, self.fail_every = delay, fail_every
        self.lock = threading.Lock()
        self.requests = 0
        self.failed = 0
        self.batches: dict[str, list[dict]] = {}     # Message Batches: ended as soon as they are created

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def start(self) -> StandIn:
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self


class _Handler(BaseHTTPRequestHandler):
    server: StandIn
    protocol_version = "HTTP/1.1"      # keep-alive, as real API servers: no new TCP connection per request

    def log_message(self, *args) -> None:
        pass

    def _send(self, status: int, body: dict, headers: dict | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        """/stats: requests and refusals (for a bench in another process); a batch and its results."""
        parts = self.path.strip("/").split("/")            # v1 messages batches ID [results]
        if parts[:3] == ["v1", "messages", "batches"] and len(parts) >= 4 and parts[3] in self.server.batches:
            if len(parts) == 5 and parts[4] == "results":
                return self._results(parts[3])
            return self._send(200, self._batch(parts[3]))
        self._send(200, {"requests": self.server.requests, "refused": self.server.failed})

    def _batch(self, batch_id: str) -> dict:
        done = len(self.server.batches[batch_id])
        return {"id": batch_id, "type": "message_batch", "processing_status": "ended",
                "request_counts": {"processing": 0, "succeeded": done, "errored": 0, "canceled": 0, "expired": 0},
                "ended_at": "2026-11-25T03:04:12Z", "created_at": "2026-11-25T03:00:00Z",
                "expires_at": "2026-11-26T03:00:00Z", "archived_at": None, "cancel_initiated_at": None,
                "results_url": f"http://127.0.0.1:{self.server.server_address[1]}/v1/messages/batches/{batch_id}/results"}

    def _results(self, batch_id: str) -> None:
        lines = [json.dumps({"custom_id": r["custom_id"], "result": {"type": "succeeded", "message": self._message(
            r["params"])}}) for r in self.server.batches[batch_id]]
        data = "\n".join(lines).encode()
        self.send_response(200)
        self.send_header("content-type", "application/binary")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802
        body = json.loads(self.rfile.read(int(self.headers.get("content-length", 0))) or b"{}")
        server = self.server
        with server.lock:
            server.requests += 1
            n = server.requests
        time.sleep(server.delay)
        if server.fail_every and n % server.fail_every == 0:
            with server.lock:
                server.failed += 1
            status = 429 if (n // server.fail_every) % 2 else 529
            kind = "rate_limit_error" if status == 429 else "overloaded_error"
            return self._send(status, {"type": "error", "error": {"type": kind, "message": "stand-in says wait"}},
                              {"retry-after": "0.05"})
        if self.path.endswith("/chat/completions"):
            return self._chat(body)
        if self.path.endswith("/messages"):
            return self._send(200, self._message(body))
        if self.path.endswith("/messages/batches"):
            batch_id = f"msgbatch_standin_{n}"
            self.server.batches[batch_id] = body["requests"]
            return self._send(200, self._batch(batch_id))
        self._send(404, {"type": "error", "error": {"type": "not_found_error", "message": self.path}})

    def _message(self, body: dict) -> dict:
        prompt = body["messages"][-1]["content"]
        tool = body["tools"][0]
        design = "design" in tool["input_schema"].get("properties", {})
        output = answer_for(prompt, design)
        return {
            "id": f"msg_standin_{self.server.requests}", "type": "message", "role": "assistant", "model": body["model"],
            "content": [{"type": "tool_use", "id": "toolu_standin", "name": tool["name"], "input": output}],
            "stop_reason": "tool_use", "stop_sequence": None,
            "usage": {"input_tokens": len(prompt) // 4, "output_tokens": len(json.dumps(output)) // 4,
                      "cache_read_input_tokens": 900, "cache_creation_input_tokens": 0},
        }

    def _chat(self, body: dict) -> None:
        prompt = body["messages"][-1]["content"]
        design = "design" in body.get("response_format", {}).get("json_schema", {}).get("schema", {}).get("properties", {})
        content = json.dumps(answer_for(prompt, design), ensure_ascii=False)
        self._send(200, {
            "id": f"chatcmpl-standin-{self.server.requests}", "object": "chat.completion", "created": int(time.time()),
            "model": body["model"],
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": len(prompt) // 4, "completion_tokens": len(content) // 4,
                      "total_tokens": (len(prompt) + len(content)) // 4},
        })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--fail-every", type=int, default=0, help="answer every Nth request with 429/529")
    args = parser.parse_args()
    server = StandIn(args.port, args.delay, args.fail_every)
    print(f"stand-in LLM server on {server.url}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
