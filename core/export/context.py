"""Open-book exports (`export --context evidence`): the evidence code in the user turn.

A closed-book sample asks the model to answer from memory, line numbers
included. An open-book sample puts the cited snippets (with their paths and
line ranges) before the question, so the model learns to answer from code it
is given, as a retrieval setup would give it. The answer and its citations
are unchanged; training and inference read the messages as exported, and the
manifest records which kind an export is.
"""

from __future__ import annotations

CONTEXTS = ("none", "evidence")
_LANG = {".java": "java", ".xml": "xml", ".yml": "yaml", ".yaml": "yaml", ".properties": "properties", ".sql": "sql"}
_HEAD = {"en": ("Code from the repository:", "Question:"), "zh": ("仓库中的代码：", "问题：")}


def _fence(path: str) -> str:
    return next((lang for ext, lang in _LANG.items() if path.endswith(ext)), "")


def with_evidence(messages: list[dict], sample) -> list[dict]:
    """The same conversation with the sample's evidence snippets before the user's question."""
    code_head, question_head = _HEAD.get(sample.language, _HEAD["en"])
    blocks = [f"[{e.id}] {e.label()}\n```{_fence(e.path)}\n{e.text.rstrip()}\n```" for e in sample.evidence]
    out = [dict(m) for m in messages]
    user = next(m for m in out if m["role"] == "user")
    user["content"] = f"{code_head}\n\n" + "\n\n".join(blocks) + f"\n\n{question_head}\n{user['content']}"
    return out
