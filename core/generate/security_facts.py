"""Whether an endpoint needs a signed-in caller, read from a Spring Security filter chain's own code.

"What must a caller send" is not answered by the handler's parameters alone where a filter chain requires
authentication: mall's portal rejects `POST /order/cancelUserOrder` without a login token long before the handler
runs (blind reads 23AA, 24JJ). The chain is read only where every rule that lets a request through is known:

- the chain method ends its rules with `.anyRequest().authenticated()`;
- each `.permitAll()` before it is either a matcher of string patterns (`.antMatchers("/sso/**").permitAll()`), a
  matcher of the HTTP method OPTIONS only (CORS preflight, which no contract question asks about), or a loop over a
  `@ConfigurationProperties` list (`for (String url : ignoreUrlsConfig.getUrls()) registry.antMatchers(url)
  .permitAll()`) whose items the endpoint's module configures in one file;
- the chain's module is the endpoint's own or one the module's `pom.xml` depends on.

A route is let through when an Ant pattern of the list matches it (`**` any path, `*` one segment's characters).
The token's header is named where a `OncePerRequestFilter` reads `request.getHeader(field)` and the field is
`@Value("${key}")`: the answer names the key, not the configured value (which the index masks as a secret).
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path

from core.generate.interceptors import ant_match
from core.models import Span

_ANY = re.compile(r"\.anyRequest\(\)\s*\.authenticated\(\)")
_MATCHER = r"\.(?:antMatchers|requestMatchers|mvcMatchers)"
_LOOP = re.compile(rf"for\s*\(\s*String\s+(\w+)\s*:\s*(\w+)\.get(\w+)\(\)\s*\)\s*\{{?\s*\w+{_MATCHER}\(\s*\1\s*\)"
                   r"\s*\.permitAll\(\)")
_LITERAL = re.compile(rf"{_MATCHER}\(([^()]*)\)\s*\.permitAll\(\)")
_CONFIG_FILE = re.compile(r"/src/main/resources/application(?:-[\w-]+)?\.(?:ya?ml|properties)$")
MAX_LIST_LINES = 40


class SecurityChain:
    """The one filter chain of a repository that ends in `.anyRequest().authenticated()`, or none."""

    def __init__(self, planner):
        self.p = planner
        self.chain = self._chain()
        self._beans: dict[tuple[str, str], dict | None] = {}   # every contract of a module asks the same

    def _chain(self) -> dict | None:
        found = []
        for f in self.p.data["files"]:
            if not f["path"].endswith(".java"):
                continue
            text = self.p.files.get(f["path"]).text
            for m in _ANY.finditer(text):
                found.append((f, text.count("\n", 0, m.start()) + 1))
        if len(found) != 1:
            return None                      # none, or several chains: which one serves a module is not read here
        f, any_line = found[0]
        method = next((s for s in self.p.data["symbols"] if s["kind"] == "method" and s["path"] == f["path"]
                       and s["start_line"] <= any_line <= s["end_line"]), None)
        if method is None:
            return None
        lines = self.p.files.get(f["path"]).lines
        body = "\n".join(lines[method["start_line"] - 1:any_line])
        rest = _LOOP.sub("", body)
        patterns, loop = [], None
        for m in _LITERAL.finditer(rest):
            args = m.group(1)
            strings = re.findall(r'"([^"]*)"', args)
            if not strings:
                if args.strip() != "HttpMethod.OPTIONS":
                    return None              # a method-only permit other than the CORS preflight
                continue
            if "HttpMethod." in args:
                return None                  # patterns for one verb only: not read here
            line = next((n for n in range(method["start_line"], any_line + 1) if f'"{strings[0]}"' in lines[n - 1]), None)
            patterns += [(x, line) for x in strings]
        if rest.count(".permitAll()") != len(_LITERAL.findall(rest)):
            return None                      # a permit this reading does not understand
        if (lm := _LOOP.search(body)) is not None:
            loop = self._list_holder(method, lm.group(2), lm.group(3))
            if loop is None:
                return None
        start = min([n for n, t in enumerate(lines[:any_line], 1) if n >= method["start_line"]
                     and (".permitAll()" in t or re.match(r"\s*for\s*\(", t))] or [any_line])
        filters = self._filters(method, lines)
        if filters is None:
            return None
        return {"path": f["path"], "module": f.get("module"), "start": start,
                "end": any_line + (0 if ".authenticated()" in lines[any_line - 1] else 1),
                "label": f"{method['parent_id'].rsplit('.', 1)[-1]}.{method['name']}", "patterns": patterns,
                "loop": loop, "filters": filters}

    def _filters(self, method: dict, lines: list[str]) -> list[dict] | None:
        """The filters the chain adds besides the one that reads the token: each under `if (bean != null)`, so it runs
        only where the application defines that bean (mall's `DynamicSecurityFilter`, which mall-admin switches on
        and mall-portal does not: blind read 24LL). An unconditional one, or one under another test: None."""
        body = lines[method["start_line"] - 1:method["end_line"]]
        token = {c["name"] for c in self.p.data["classes"] if "OncePerRequestFilter" in " ".join(c.get("extends") or [])}
        fields = {s["name"]: (s.get("type") or "").rsplit(".", 1)[-1] for s in self.p.data["symbols"]
                  if s["kind"] == "field" and s.get("parent_id") == method["parent_id"]}
        out = []
        for k, t in enumerate(body):
            added = re.search(r"\.addFilter(?:Before|After|At)?\(\s*(\w+)", t)
            if not added or fields.get(added.group(1)) in token:
                continue
            guard = next((j for j in range(k - 1, max(k - 3, -1), -1)
                          if re.search(r"\bif\s*\(\s*(\w+)\s*!=\s*null\s*\)", body[j])), None)
            if guard is None:
                return None
            bean = re.search(r"\bif\s*\(\s*(\w+)\s*!=\s*null\s*\)", body[guard]).group(1)
            if not fields.get(bean) or not fields.get(added.group(1)):
                return None
            close = next((j for j in range(k, min(k + 3, len(body))) if body[j].strip() == "}"), k)
            out.append({"filter": fields[added.group(1)], "bean_type": fields[bean],
                        "start": method["start_line"] + guard, "end": method["start_line"] + close})
        return out

    def _bean(self, type_name: str, module: str) -> dict | None:
        """A `@Bean` method of the module that returns the type: the filter it switches on runs there."""
        if (type_name, module) not in self._beans:
            self._beans[type_name, module] = self._find_bean(type_name, module)
        return self._beans[type_name, module]

    def _find_bean(self, type_name: str, module: str) -> dict | None:
        for f in self.p.data["files"]:
            if f.get("module") != module or not f["path"].endswith(".java"):
                continue
            lines = self.p.files.get(f["path"]).lines
            for n, t in enumerate(lines, 1):
                if re.search(rf"\b{re.escape(type_name)}\s+(\w+)\s*\(", t) and n > 1 and any(
                        lines[j].strip().startswith("@Bean") for j in range(max(n - 3, 0), n - 1)):
                    m = next((s for s in self.p.data["symbols"] if s["kind"] == "method" and s["path"] == f["path"]
                              and s["start_line"] <= n <= s["end_line"]), None)
                    name = re.search(rf"\b{re.escape(type_name)}\s+(\w+)\s*\(", t).group(1)
                    owner = m["parent_id"].rsplit(".", 1)[-1] if m else f["path"].rsplit("/", 1)[-1].removesuffix(".java")
                    return {"label": f"{owner}.{name}", "path": f["path"], "line": n}
        return None

    def _list_holder(self, method: dict, field: str, prop: str) -> dict | None:
        """The `@ConfigurationProperties(prefix = ..)` class of the field the loop reads: the list's config key."""
        owner = method["parent_id"]
        ftype = next((s.get("type") for s in self.p.data["symbols"] if s["kind"] == "field"
                      and s.get("parent_id") == owner and s["name"] == field), None)
        cls = next((c for c in self.p.data["classes"] if c["name"] == (ftype or "").rsplit(".", 1)[-1]
                    and c.get("path")), None)
        if cls is None:
            return None
        text = self.p.files.get(cls["path"]).text
        prefix = re.search(r'@ConfigurationProperties\(\s*(?:prefix\s*=\s*|value\s*=\s*)?"([\w.-]+)"', text)
        if prefix is None:
            return None
        return {"key": f"{prefix.group(1)}.{prop[:1].lower()}{prop[1:]}", "holder": cls["name"]}

    def _serves(self, module: str | None) -> bool:
        """The chain runs in the module: it lives there, or the module's pom depends on the chain's module."""
        chain = self.chain
        if not module or not chain or not chain["module"]:
            return False
        if module == chain["module"]:
            return True
        pom = Path(self.p.files.root) / module / "pom.xml"
        try:
            text = pom.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return False
        return f"<artifactId>{chain['module'].rsplit('/', 1)[-1]}</artifactId>" in text

    def _list(self, module: str) -> dict | None:
        """The module's items of the chain's config list: one file, consecutive lines."""
        key = self.chain["loop"]["key"]
        items = [k for k in self.p.data.get("config_keys") or [] if k["path"].startswith(module + "/")
                 and _CONFIG_FILE.search(k["path"]) and re.fullmatch(rf"{re.escape(key)}\[\d+\]", k["key"])]
        if not items or len({k["path"] for k in items}) != 1 or any(k.get("masked") for k in items):
            return None
        first, last = min(k["line"] for k in items), max(k["line"] for k in items)
        if last - first >= MAX_LIST_LINES:
            return None
        return {"path": items[0]["path"], "start": max(first - 3, 1), "end": last,
                "items": [(k["value"], k["line"]) for k in items]}

    @cached_property
    def _header(self) -> dict | None:
        """Where a `OncePerRequestFilter` reads the token: `request.getHeader(this.f)` with `@Value("${key}") f`."""
        for c in self.p.data["classes"]:
            if not c.get("path") or "OncePerRequestFilter" not in " ".join(c.get("extends") or []):
                continue
            lines = self.p.files.get(c["path"]).lines
            at = next((n for n, t in enumerate(lines, 1) if re.search(r"\.getHeader\(\s*(?:this\.)?\w+\s*\)", t)), None)
            if at is None:
                continue
            var = re.search(r"\.getHeader\(\s*(?:this\.)?(\w+)\s*\)", lines[at - 1]).group(1)
            decl = next((n for n, t in enumerate(lines, 1) if re.search(rf"\b{var}\s*;", t) and n < at), None)
            value = decl and re.search(r'@Value\(\s*"\$\{([\w.-]+)(?::[^}]*)?\}"\s*\)', lines[decl - 2])
            if value and at - decl < 20:
                return {"class": c["name"], "key": value.group(1), "path": c["path"], "start": decl - 1, "end": at}
        return None

    def login(self, controller_path: str, route: str) -> tuple[dict, list[Span]] | None:
        """Whether the route needs a signed-in caller, with the lines that show it; None where it is not read."""
        chain = self.chain
        module = next((f.get("module") for f in self.p.data["files"] if f["path"] == controller_path), None)
        if chain is None or not self._serves(module):
            return None
        spans = [Span(path=chain["path"], start_line=chain["start"], end_line=chain["end"])]
        fact = {"label": chain["label"], "path": chain["path"], "start": chain["start"], "end": chain["end"],
                "route": route, "list": None, "match": None, "header": None, "filters": []}
        for x in chain["filters"]:
            if bean := self._bean(x["bean_type"], module):   # the filter is switched on in this module
                fact["filters"].append({**x, "bean": bean})
                spans += [Span(path=chain["path"], start_line=x["start"], end_line=x["end"]),
                          Span(path=bean["path"], start_line=bean["line"] - 1, end_line=bean["line"])]
        match = next(((p, chain["path"], n) for p, n in chain["patterns"] if ant_match(p, route)), None)
        if chain["loop"]:
            listed = self._list(module)
            if listed is None:
                return None
            fact["list"] = {"path": listed["path"], "start": listed["start"], "end": listed["end"]}
            spans.append(Span(path=listed["path"], start_line=listed["start"], end_line=listed["end"]))
            match = match or next(((p, listed["path"], n) for p, n in listed["items"] if ant_match(p, route)), None)
        if match:
            fact["match"] = {"pattern": match[0], "path": match[1], "line": match[2]}
        elif (header := self._header) is not None:
            fact["header"] = header
            spans.append(Span(path=header["path"], start_line=header["start"], end_line=header["end"]))
        return fact, spans
