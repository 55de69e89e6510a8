"""Spring configuration (`application*.yml|yaml|properties`) as keys and lines, secrets masked.

Keys tell the later stages which knobs exist (a timeout, a queue name) and
where; values of anything that looks like a credential never reach the
database, so they can never reach a sample.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from core.index.mybatis import MalformedSource

MASK = "******"
MAX_KEYS = 20_000
_SECRET_KEY = re.compile(r"pass(word)?|pwd|secret|token|credential|private|api[-_]?key|access[-_]?key|\bkey$",
                         re.IGNORECASE)
_SECRET_VALUE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9+/=_\-]{24,}$")
_CONFIG_NAME = re.compile(r"(application|bootstrap)([-.][\w.-]+)?\.(ya?ml|properties)$")


@dataclass
class ConfigKey:
    key: str
    value: str | None
    line: int
    masked: bool


def is_config(name: str) -> bool:
    return bool(_CONFIG_NAME.fullmatch(name))


def mask(key: str, value: str | None) -> tuple[str | None, bool]:
    if value is None or value == "":
        return value, False
    if _SECRET_KEY.search(key.rsplit(".", 1)[-1]) or _SECRET_VALUE.match(value) or "://" in value and "@" in value:
        return MASK, True
    return value, False


def _yaml_keys(text: str) -> list[ConfigKey]:
    """Keys of the composed YAML graph, each node visited once.

    An alias (`*a`) is the node its anchor names; visiting it again would expand a 700-byte alias
    bomb into billions of keys, so a node already visited is not entered again: O(nodes in the file),
    and never more than MAX_KEYS keys. Iterative, so nesting depth cannot exhaust the Python stack
    (PyYAML's own composer is recursive: its RecursionError is caught by `parse_config`).
    """
    out: list[ConfigKey] = []
    seen: set[int] = set()
    for document in yaml.compose_all(text, Loader=yaml.SafeLoader):
        stack: list[tuple[yaml.Node, str]] = [(document, "")] if document is not None else []
        while stack and len(out) < MAX_KEYS:
            node, prefix = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, yaml.MappingNode):
                items = [(f"{prefix}.{k.value}" if prefix else str(k.value), v, k) for k, v in node.value]
            elif isinstance(node, yaml.SequenceNode):
                items = [(f"{prefix}[{i}]", v, v) for i, v in enumerate(node.value)]
            else:
                continue
            nested = []
            for key, value_node, mark_node in items:
                if isinstance(value_node, yaml.ScalarNode):
                    value, masked = mask(key, value_node.value)
                    out.append(ConfigKey(key, value, mark_node.start_mark.line + 1, masked))
                elif id(value_node) in seen:   # an alias of a node read already: the key, not a copy
                    out.append(ConfigKey(key, None, mark_node.start_mark.line + 1, False))
                else:
                    nested.append((value_node, key))
            stack.extend(reversed(nested))
    return out[:MAX_KEYS]


def _properties_keys(text: str) -> list[ConfigKey]:
    out = []
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#!":
            continue
        match = re.match(r"([^=:\s]+)\s*[=:]?\s*(.*)", line)
        if match:
            value, masked = mask(match[1], match[2])
            out.append(ConfigKey(match[1], value, number, masked))
    return out


def parse_config(name: str, text: str) -> list[ConfigKey]:
    """Keys of one config file; raises ValueError when the YAML does not parse."""
    if name.endswith(".properties"):
        return _properties_keys(text)
    try:
        return _yaml_keys(text)
    except RecursionError:
        raise MalformedSource("YAML nested too deeply to read", 1) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise MalformedSource(f"malformed YAML: {str(exc).splitlines()[0]}", mark.line + 1 if mark else 1) from None
