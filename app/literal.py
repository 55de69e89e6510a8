"""Text shown exactly as it will be trained on: never rendered as Markdown, never loading anything.

Sample text and names typed by curators reach the page through these
helpers only. `literal_html` escapes every character HTML could act on and
keeps line breaks and spaces; spans in backticks (and fenced blocks) are
set in monospace with their backticks still shown, so what the curator
reads is the training string character for character. `md_escape` is for
the few places where a value sits inside Markdown we write ourselves
(badges, headers): every mark Markdown could act on mid-line is
backslash-escaped, which CommonMark guarantees to print as itself, so
`![x](http://…)` or `$x^2$` stays text.
"""

from __future__ import annotations

import html
import re

_FENCE = re.compile(r"(```[^\n]*\n.*?```)", re.S)
_TICKS = re.compile(r"(`[^`\n]+`)")
# The marks Markdown (and Streamlit's :color[...] / :icon: / $math$ extensions) can act on mid-line.
_PUNCT = re.compile(r"([\\`*_{}\[\]()#+!|<>$~:&=^\"'])")


def md_escape(text: object) -> str:
    return _PUNCT.sub(r"\\\1", str(text)).replace("\n", " ")


def literal_html(text: str, css_class: str = "acdp-literal") -> str:
    """`text` as escaped HTML in a pre-wrapped block; code spans and fenced blocks in monospace."""
    parts = []
    for block in _FENCE.split(text):
        if block.startswith("```") and block.endswith("```") and len(block) >= 6:
            parts.append(f'<code class="acdp-fence">{html.escape(block)}</code>')
            continue
        for piece in _TICKS.split(block):
            if piece.startswith("`") and piece.endswith("`") and len(piece) > 2:
                parts.append(f"<code>{html.escape(piece)}</code>")
            else:
                parts.append(html.escape(piece))
    return f'<div class="{css_class}">{"".join(parts)}</div>'


STYLE = """<style>
.acdp-literal { white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.95rem; line-height: 1.55;
  padding: 0.6rem 0.8rem; border: 1px solid rgba(49, 51, 63, 0.2); border-radius: 0.5rem; }
.acdp-literal.q { background: rgba(28, 131, 225, 0.08); }
.acdp-literal code { font-family: "Source Code Pro", monospace; font-size: 0.88em; background: rgba(0, 0, 0, 0.05);
  padding: 0 2px; border-radius: 3px; }
.acdp-literal code.acdp-fence { display: block; white-space: pre; overflow-x: auto; padding: 0.4rem; }
.acdp-claim { white-space: pre-wrap; overflow-wrap: anywhere; }
</style>"""
