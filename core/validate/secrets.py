"""Secrets and personal data that must never reach a training set: the export gate.

Index time masks them already (`core.masking`, through `core.source`), so a
sample built from the index holds none; this gate is the second line, for
text that did not come through the index (an LLM's answer, a curator's edit,
evidence of a database indexed before masking). It runs the same detectors
as the masking plus the patterns below.

A fine-tuned model repeats what it saw, so a database password quoted from
`application.yml`, an access key in a Java constant, a JWT in a test, an
email address or a Chinese mobile or ID number in a comment fails the
sample. Config files are the usual source: there any `password: value`
line counts; in Java only string literals do (`password = encoder.encode(p)`
is code, not a secret). Placeholders (`${DB_PASSWORD}`, `<secret>`, `***`)
are not secrets.
"""

from __future__ import annotations

import re

from core import masking

_KEYWORD = (r"(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key(?:[_-]?id)?|secret[_-]?key"
            r"|private[_-]?key|credential)")
# key: value / key=value in config files (yml, properties, xml attributes or elements)
_CONFIG_ASSIGN = re.compile(
    rf"(?i)(?P<key>[\w.-]*{_KEYWORD}[\w.-]*)\s*[:=]\s*[\"']?(?P<value>[^\s\"'#,;<>]{{3,}})"
)
# settings named like secrets that hold none: `tokenHeader: Authorization`, `token-expiration: 3600`
_HARMLESS_KEY = re.compile(r"(?i)(?:head(?:er)?|name|url|uri|expir\w*|time(?:out)?|ttl|length|enabled?|type|prefix|key-?name)$")
_XML_ELEMENT = re.compile(rf"(?i)<(?P<tag>[\w.-]*{_KEYWORD}[\w.-]*)>\s*(?P<value>[^<\s]{{3,}})\s*</(?P=tag)>")
# a secret-named variable given a string literal, in code or prose
_LITERAL_ASSIGN = re.compile(rf"(?i)\b\w*{_KEYWORD}\w*\s*[:=]\s*\"(?P<value>[^\"\s]{{4,}})\"")

_PATTERNS = (
    ("private key", re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----")),
    ("JWT", re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")),
    ("AWS access key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("Aliyun AccessKey", re.compile(r"\bLTAI[0-9A-Za-z]{12,24}\b")),
    ("bearer token", re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/-]{20,}=*")),
    ("email address", re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")),
    ("phone number", re.compile(r"(?<![\d.])(?:\+?86[- ]?)?1[3-9]\d{9}(?![\d.])")),
    ("ID number", re.compile(
        r"(?<![\d.])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx](?![\d.])")),
)
# Every pattern above needs one of these; most texts have none, and one search rules them all out.
_SCREEN = re.compile(r"(?i:passw|pwd|secret|token|key|credential|bearer|-----BEGIN|eyJ|AKIA|ASIA|LTAI|@)|\d{11}")
_PLACEHOLDER = re.compile(r"^(?:\$\{.*\}?|<.*>?|\*+|x+|\.\.\.|…|null|none|true|false|\{.*\}?|#\{.*\}?|%s|\?)$", re.I)
_CONFIG_SUFFIXES = (".yml", ".yaml", ".properties", ".xml", ".conf", ".env", ".ini", ".json")
_CODE_REFERENCE = re.compile(r"^[A-Za-z_][\w.]*\(?\)?$")  # e.g. jwt.tokenHeader -> a reference, not a value


def _real_value(value: str, config: bool) -> bool:
    value = value.strip().rstrip(";,")
    if _PLACEHOLDER.match(value):
        return False
    if not config and _CODE_REFERENCE.match(value) and not value.isalnum():
        return False
    return True


def find_secrets(text: str, is_config: bool) -> list[str]:
    """What kind of secret or personal data `text` holds, each with a masked excerpt."""
    hits = [f"{kind} {_mask(line)}" for kind, line in masking.find(text, "x.yml" if is_config else "x.java")]
    if not _SCREEN.search(text):
        return hits
    assigns = [_LITERAL_ASSIGN]
    if is_config:
        assigns = [_CONFIG_ASSIGN, _XML_ELEMENT, _LITERAL_ASSIGN]
    for pattern in assigns:
        for m in pattern.finditer(text):
            key = m.groupdict().get("key") or ""
            if _real_value(m["value"], is_config) and not _HARMLESS_KEY.search(key):
                hits.append(f"credential {_mask(m[0])}")
                break
    for kind, pattern in _PATTERNS:
        m = pattern.search(text)
        if m:
            hits.append(f"{kind} {_mask(m[0])}")
    return hits


def is_config_path(path: str) -> bool:
    return path.lower().endswith(_CONFIG_SUFFIXES)


def _mask(found: str) -> str:
    """Enough to find the line, never the secret itself."""
    found = " ".join(found.split())
    keep = min(6, len(found) // 3)
    return repr(found[:keep] + "***")
