"""Masking secrets and personal data in repository text before anything is stored.

Every text the database keeps (chunks, symbols, config keys, SQL, rules,
samples and their evidence) is read through `core.source`, which masks here,
so a password in `application.yml`, a key in a Java constant or a phone
number in a comment never reaches the database, a sample or an export. The
file's sha256 is still that of the bytes on disk, so evidence checks against
the repository as before; only the characters of a secret become `*`.

Detection is detect-secrets' (Yelp) plugins, called on their own (no network
verification, no baseline): cloud and SaaS keys and tokens, private key
blocks, URLs with credentials, secret-named assignments (per file type), and
high-entropy quoted strings. Our own rules add what it does not know:
Anthropic-style `sk-…` keys, Aliyun AccessKeys, e-mail addresses, Chinese
mobile and ID numbers in any grouping (`138-1234-5678`, `110101 19900307
123X`), and passwords after Chinese or English labels (`数据库密码：…`).

Masking keeps every line and its length (each masked character becomes one
`*`), so line numbers, and columns of everything around a secret, stay
those of the file. Cost: one screening regex per line, the plugins only on
lines that pass it; O(total characters).
"""

from __future__ import annotations

import bisect
import re
from functools import cache

MASK_CHAR = "*"

# settings named like secrets that hold none: `tokenHeader: Authorization`, `token-expiration: 3600`
HARMLESS_KEY = re.compile(
    r"(?i)(?:head(?:er)?|name|url|uri|expir\w*|time(?:out)?|ttl|length|enabled?|type|prefix|key-?name|field|param)"
    r"[\"'\s]*[:=]?[\s\"']*$")
PLACEHOLDER = re.compile(
    r"^(?:\$\{.*\}?|<.*>?|\*+|x+|\.\.\.|…|null|none|true|false|\{.*\}?|#\{.*\}?|%s|\?|your[_-]?\w*)$", re.I)

_LABEL_VALUE = r"[\"'“‘]?(?P<value>[^\s\"'“”‘’，,;；。<>(){}\[\]\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]{3,})"
_OWN_RULES: tuple[tuple[str, re.Pattern], ...] = (
    ("API key", re.compile(r"\bsk-(?:ant-)?[A-Za-z0-9][A-Za-z0-9_-]{19,}")),
    ("URL credentials", re.compile(r"://[^/\s:@\"'<>]+:(?P<value>[^@\s/\"'<>]+)@")),
    ("Aliyun AccessKey", re.compile(r"\bLTAI[0-9A-Za-z]{12,24}\b")),
    ("bearer token", re.compile(r"(?i)\bbearer\s+(?P<value>[A-Za-z0-9._~+/-]{20,}=*)")),
    ("email address", re.compile(r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b")),
    # a run of digits with single spaces or dashes between groups; kept only if it is a phone or ID number
    ("number", re.compile(r"(?<![\w.+-])(?:\+?86[ -]?)?\d(?:[ -]?\d){10,17}(?:[ -]?[Xx])?(?![\w.])")),
    ("password", re.compile(r"(?:密码|口令|密钥|秘钥|私钥)\s*(?:(?:是|为)\s*[:：]?|[:：=])\s*" + _LABEL_VALUE)),
    ("password", re.compile(r"(?i)\b(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key)\s*[:：]\s*"
                            + _LABEL_VALUE)),
)
_PHONE = re.compile(r"(?:86)?1[3-9]\d{9}")
_ID_NUMBER = re.compile(r"[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]")
# Every rule and plugin needs one of these on the line (a key word, a plugin's prefix, a quoted token
# long enough for the entropy limits, a digit run, a label); most lines have none. The words are
# matched in lower-cased text: a case-insensitive alternation is ten times slower in `re`.
_SCREEN_WORDS = re.compile(r"passw|pwd|secret|token|key|credential|bearer|auth|contrase|://")
_SCREEN_MARKS = re.compile(
    r"-----|eyJ|AKIA|ASIA|LTAI|gh[pousr]_|glpat|xox|sk[-_]|rk_|npm_|pypi-|SG\.|AC[0-9a-f]|SK[0-9a-f]|sq0|AKC|"
    r"AP[0-9A-F]|AccountKey|-us\d|\d{8,10}:|\.[\w-]{6}\.[\w-]{27}|(?<=[\w.%+-])@[\w-]|[\"'][^\"'\s]{16,}[\"']|"
    r"\d[ -]?\d{2}[ -]?\d{3}|密码|口令|密钥|秘钥|私钥")
_KEYWORD_SCREEN = re.compile(r"key|pass|pwd|secret|contrase")   # what detect-secrets' keyword regexes need
_BEGIN_KEY = re.compile(r"-----BEGIN[A-Z ]*PRIVATE KEY( BLOCK)?-----")
_END_KEY = re.compile(r"-----END[A-Z ]*PRIVATE KEY( BLOCK)?-----")
_CODE_REFERENCE = re.compile(r"^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+$")


@cache
def _plugins() -> tuple:
    """detect-secrets' line plugins with their default limits (the ones `detect-secrets scan` enables)."""
    from detect_secrets.plugins import (
        artifactory,
        aws,
        azure_storage_key,
        basic_auth,
        discord,
        github_token,
        gitlab_token,
        high_entropy_strings,
        jwt,
        mailchimp,
        npm,
        openai,
        private_key,
        pypi_token,
        sendgrid,
        slack,
        square_oauth,
        stripe,
        telegram_token,
        twilio,
    )
    return (
        artifactory.ArtifactoryDetector(), aws.AWSKeyDetector(), azure_storage_key.AzureStorageKeyDetector(),
        basic_auth.BasicAuthDetector(), discord.DiscordBotTokenDetector(), github_token.GitHubTokenDetector(),
        gitlab_token.GitLabTokenDetector(), jwt.JwtTokenDetector(), mailchimp.MailchimpDetector(),
        npm.NpmDetector(), openai.OpenAIDetector(), private_key.PrivateKeyDetector(), pypi_token.PypiTokenDetector(),
        sendgrid.SendGridDetector(), slack.SlackDetector(), square_oauth.SquareOAuthDetector(),
        stripe.StripeDetector(), telegram_token.TelegramBotTokenDetector(), twilio.TwilioKeyDetector(),
        high_entropy_strings.Base64HighEntropyString(limit=4.5), high_entropy_strings.HexHighEntropyString(limit=3.0),
    )


@cache
def _keyword_rules(path: str) -> dict:
    """detect-secrets' secret-keyword regexes for this kind of file (quotes required in code, not in config)."""
    from detect_secrets.plugins import keyword
    from detect_secrets.util.filetype import determine_file_type
    return keyword.REGEX_BY_FILETYPE.get(determine_file_type(path), keyword.QUOTES_REQUIRED_DENYLIST_REGEX_TO_GROUP)


def _suffix(path: str) -> str:
    dot = path.rfind(".")
    return "x" + path[dot:].lower() if dot >= 0 else "x"


def _locate(line: str, value: str, spans: list[tuple[int, int, str]], kind: str) -> None:
    start = line.find(value)
    while value and start >= 0:
        spans.append((start, start + len(value), kind))
        start = line.find(value, start + len(value))


def _real_value(value: str) -> bool:
    value = value.strip().rstrip(";,")
    return not PLACEHOLDER.match(value) and not _CODE_REFERENCE.match(value)


def _number_kind(run: str) -> str | None:
    digits = re.sub(r"[ +-]", "", run)
    if _PHONE.fullmatch(digits):
        return "phone number"
    return "ID number" if _ID_NUMBER.fullmatch(digits) else None


def _screen(line: str) -> bool:
    return bool(_SCREEN_WORDS.search(line.lower()) or _SCREEN_MARKS.search(line))


def secret_spans(line: str, path: str = "") -> list[tuple[int, int, str]]:
    """(start, end, kind) of every secret or personal datum on one line of `path`."""
    return _spans(line, path) if _screen(line) else []


def _spans(line: str, path: str) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []
    for plugin in _plugins():
        limit = getattr(plugin, "entropy_limit", None)
        if limit is None:   # a regex detector: its whole match (findall would give a group such as 'ghp' only)
            for regex in plugin.denylist:
                spans.extend((m.start(), m.end(), plugin.secret_type) for m in regex.finditer(line))
            continue
        for value in plugin.analyze_string(line):
            if len(value) >= 4 and plugin.calculate_shannon_entropy(value) > limit:
                _locate(line, value, spans, plugin.secret_type)
    for regex, group in _keyword_rules(_suffix(path)).items() if _KEYWORD_SCREEN.search(line.lower()) else ():
        match = regex.search(line)
        if match and match.group(group) and _real_value(match.group(group)) \
                and not HARMLESS_KEY.search(line[:match.start(group)]):
            spans.append((match.start(group), match.end(group), "secret keyword"))
    for kind, pattern in _OWN_RULES:
        for match in pattern.finditer(line):
            found = kind if kind != "number" else _number_kind(match[0])
            value = match.groupdict().get("value")
            if found is None or value is not None and not _real_value(value):
                continue
            group = "value" if value is not None else 0
            spans.append((match.start(group), match.end(group), found))
    return spans


def _blank(line: str, spans: list[tuple[int, int, str]]) -> str:
    chars = list(line)
    for start, end, _ in spans:
        for i in range(start, end):
            if not chars[i].isspace():
                chars[i] = MASK_CHAR
    return "".join(chars)


def _screened_lines(text: str, starts: list[int]) -> set[int]:
    """Indexes of the lines (starting at `starts`) that pass the screen: two scans of the whole text."""
    lower = text.lower()
    found = {m.start() for m in _SCREEN_MARKS.finditer(text)}
    if len(lower) == len(text):   # lower() kept every offset (it does unless a rare letter grows)
        found |= {m.start() for m in _SCREEN_WORDS.finditer(lower)}
        return {bisect.bisect_right(starts, pos) - 1 for pos in found}
    return {bisect.bisect_right(starts, pos) - 1 for pos in found} | {
        i for i, start in enumerate(starts) if _SCREEN_WORDS.search(text[start:starts[i + 1]
                                                                              if i + 1 < len(starts) else None].lower())}


def mask_text(text: str, path: str = "") -> str:
    """`text` with every secret's characters replaced by `*`; lines, line breaks and lengths unchanged.

    The body of a PEM private key block is masked whole, whatever each of its lines looks like.
    O(characters): the screen runs over the whole text, the detectors only on the lines it keeps.
    """
    lines = text.splitlines(keepends=True)
    starts, offset = [], 0
    for raw in lines:
        starts.append(offset)
        offset += len(raw)
    hits = _screened_lines(text, starts)
    if not hits:
        return text
    changed = False
    for i in sorted(hits):
        body = lines[i].rstrip("\r\n")
        masked = _blank(body, spans) if (spans := _spans(body, path)) else body
        if masked != body:
            lines[i] = masked + lines[i][len(body):]
            changed = True
    for begin in _BEGIN_KEY.finditer(text):
        i = bisect.bisect_right(starts, begin.start())   # the line after BEGIN
        if _END_KEY.search(lines[i - 1]):
            continue
        while i < len(lines) and not _END_KEY.search(lines[i]):
            body = lines[i].rstrip("\r\n")
            lines[i] = _blank(body, [(0, len(body), "private key")]) + lines[i][len(body):]
            changed = True
            i += 1
    return "".join(lines) if changed else text


def find(text: str, path: str = "") -> list[tuple[str, str]]:
    """(kind, the line with the secret masked) of each secret in `text`, for reports that must not repeat it."""
    found = []
    for line in text.splitlines():
        spans = secret_spans(line, path)
        if spans:
            found.extend((kind, _blank(line, spans).strip()[:120]) for _, _, kind in spans)
    if _BEGIN_KEY.search(text):
        found.append(("private key", "-----BEGIN … PRIVATE KEY-----"))
    return found
