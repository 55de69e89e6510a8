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
    out: list[ConfigKey] = []

    def visit(node: yaml.Node, prefix: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                key = f"{prefix}.{key_node.value}" if prefix else str(key_node.value)
                if isinstance(value_node, yaml.ScalarNode):
                    value, masked = mask(key, value_node.value)
                    out.append(ConfigKey(key, value, key_node.start_mark.line + 1, masked))
                else:
                    visit(value_node, key)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                if isinstance(item, yaml.ScalarNode):
                    value, masked = mask(prefix, item.value)
                    out.append(ConfigKey(f"{prefix}[{index}]", value, item.start_mark.line + 1, masked))
                else:
                    visit(item, f"{prefix}[{index}]")

    for document in yaml.compose_all(text, Loader=yaml.SafeLoader):
        if document is not None:
            visit(document, "")
    return out


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
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise MalformedSource(f"malformed YAML: {str(exc).splitlines()[0]}", mark.line + 1 if mark else 1) from None
