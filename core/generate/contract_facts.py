"""Endpoint contract QA: what a caller must send to an endpoint and what it gets back, read from the handler.

A developer calling `POST /order/update/close` asks which parameters it takes, which of them Spring requires,
what a request body must hold, and which responses the handler returns. Everything is read from the AST of the
handler and its types, with Spring MVC's binding rules:

- `@PathVariable` binds a path segment; `@RequestParam` / `@RequestHeader` a parameter / header named by its
  `value` / `name` (else the Java parameter's name), required unless `required = false`, a `defaultValue` or an
  `Optional` type; an unannotated simple parameter (`String`, `Integer` ..) is an optional request parameter of
  its name; an unannotated project class is bound from request parameters field by field;
- `@RequestBody` is the JSON body; a project class's fields are listed with their constraint annotations, which
  are checked only where the parameter is `@Valid` / `@Validated`; a constraint on the parameter itself is checked
  only where the controller class is `@Validated`;
- a parameter a project `HandlerMethodArgumentResolver` names (`@LoginUser`) is resolved by it, not sent;
  `HttpSession` / `Model` are supplied by Spring;
- the response is the JSON body where the class is `@RestController` or the method `@ResponseBody`; a plain
  `@Controller` returning a view name (or `new ModelAndView("..")`) renders that view or redirects.

The question is asked only when the whole contract is known: every parameter is one of the above (a raw
`HttpServletRequest`, a `BindingResult`, a `@RequestBody String` or `Map`, an unknown annotation: not asked),
every return of the handler is a literal, a `new` or a static factory call (`CommonResult.failed()`), governed only
by `if`s (no loop, try or lambda), and the handler has no `throw`. A handler with nothing to send and one plain
return is too shallow to ask about.
"""

from __future__ import annotations

import re

from tree_sitter import Node

from core.generate.flow_facts import member_label
from core.generate.lifecycle_facts import class_mapping_line
from core.generate.param_effects import callee_of, conditions_by_method, exits_before, fields_read, input_effects, params_of
from core.generate.qa_templates import Cite, file_name, pick, unique_claims
from core.generate.query_facts import Queries
from core.generate.security_facts import SecurityChain
from core.generate.work import WorkItem
from core.index.java_ast import lines, modifiers, text, walk
from core.models import Span, sha256_text
from core.rules.render import squash
from core.validate.secrets import find_secrets

MAX_METHOD_LINES = 40   # the handler is one evidence item
MAX_DTO_LINES = 40      # a request class's fields are one evidence item
MAX_RETURNS = 6
MAX_EVIDENCE = 10
BRANCHES = {"if_statement", "ternary_expression", "for_statement", "enhanced_for_statement", "while_statement",
            "do_statement", "switch_expression", "switch_block", "catch_clause", "lambda_expression"}
SIMPLE = frozenset({"String", "Integer", "Long", "Short", "Byte", "Boolean", "Double", "Float", "BigDecimal",
                    "BigInteger", "Character"})
PRIMITIVES = frozenset({"int", "long", "short", "byte", "boolean", "double", "float", "char"})
# Bean Validation built-ins (and Hibernate Validator's): checked when validation is triggered
CONSTRAINTS = frozenset({"NotNull", "NotBlank", "NotEmpty", "Null", "Min", "Max", "Size", "Pattern", "Email",
                         "Positive", "PositiveOrZero", "Negative", "NegativeOrZero", "DecimalMin", "DecimalMax",
                         "Digits", "Past", "PastOrPresent", "Future", "FutureOrPresent", "AssertTrue", "AssertFalse",
                         "Length", "Range", "URL"})
DOCS = frozenset({"ApiParam", "Parameter", "ApiModelProperty", "Schema", "ApiIgnore"})
BINDINGS = frozenset({"PathVariable", "RequestParam", "RequestBody", "RequestHeader"})
# method-security annotations (Shiro, Spring Security, JSR-250): who may call at all
ACCESS = frozenset({"RequiresPermissions", "RequiresRoles", "RequiresAuthentication", "RequiresUser", "PreAuthorize",
                    "Secured", "RolesAllowed"})
SUPPLIED = {"HttpSession": "session", "Model": "model", "ModelMap": "model"}
_RESOLVER = re.compile(r"\bimplements\s+[^{]*\bHandlerMethodArgumentResolver\b")
_ANNOTATION_CLASS = re.compile(r"\b([A-Z]\w*)\.class\b")
_FACTORY = re.compile(r"^[A-Z]\w*(?:\.\w+)*\.\w+\(.*\)$", re.S)
_VIEW = re.compile(r'^(?:"([^"\\]*)"|new\s+ModelAndView\(\s*"([^"\\]*)"\s*\))$')
_CONSTANT = re.compile(r"\b([A-Z]\w*)\.([A-Z][A-Z0-9_]+)\b")
_GET_HEADER = re.compile(r'\.getHeader\(\s*(?:([A-Z][A-Z0-9_]*)|"([^"\\]+)")\s*\)')
_VALIDATED_BY = re.compile(r"@Constraint\(\s*validatedBy\s*=\s*\{?\s*(\w+)\.class")
_JSON_SHAPE = re.compile(r"^Json(?:Ignore|Property|Alias|Format|Deserialize|Unwrapped|Setter|Creator)")


def _short(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def _annotations(node: Node) -> list[Node]:
    mods = modifiers(node)
    return [c for c in (mods.named_children if mods is not None else []) if c.type in ("annotation", "marker_annotation")]


def _ann_name(ann: Node) -> str:
    return _short(text(ann.child_by_field_name("name")))


def _ann_args(ann: Node) -> dict[str, str]:
    """`@RequestParam(value = "ids", required = false)` -> {value: '"ids"', required: 'false'}; a sole
    unnamed argument is `value`."""
    args = ann.child_by_field_name("arguments")
    if args is None:
        return {}
    out = {}
    for child in args.named_children:
        if child.type == "element_value_pair":
            out[text(child.child_by_field_name("key"))] = text(child.child_by_field_name("value"))
        else:
            out["value"] = text(child)
    return out


def _string(value: str | None) -> str | None:
    """The text of a plain string literal argument; None for anything else (a constant, a concatenation)."""
    m = re.fullmatch(r'"([^"\\]*)"', (value or "").strip())
    return m.group(1) if m else None


def _base_type(type_text: str) -> tuple[str, str | None]:
    """`List<OmsOrderDeliveryParam>` -> ('List', 'OmsOrderDeliveryParam'); `Long` -> ('Long', None)."""
    m = re.fullmatch(r"([\w.]+)\s*(?:<\s*([\w.]+)\s*>)?", type_text.strip())
    if not m:
        return type_text, "?"
    return _short(m.group(1)), (_short(m.group(2)) if m.group(2) else None)


class Contracts:
    """Contract items of one run (see the module docstring)."""

    def __init__(self, planner):
        self.p = planner
        self.classes = [c for c in planner.data["classes"] if c.get("path")]
        self.by_id = {c["symbol_id"]: c for c in self.classes}
        self._resolvers: dict[str, dict] | None = None
        self._queries: dict[str, list[dict]] | None = None
        self._security: SecurityChain | None = None

    # --------------------------------------------------------------- items --
    def items(self) -> list[WorkItem]:
        endpoints = self.p.data.get("endpoints") or []
        per_handler: dict[str, list[dict]] = {}
        for ep in endpoints:
            per_handler.setdefault(ep["handler_id"], []).append(ep)
        out = []
        for handler_id, eps in sorted(per_handler.items()):
            domain = next((d for d in self.p.domains if d in (eps[0].get("domains") or [])), None)
            if domain is None or len(eps) != 1 or eps[0]["http_method"] == "ANY":
                continue   # a handler serving several routes or any verb: one answer per route would repeat
            if self.p.inactive.get(handler_id.split("#")[0]):
                continue
            found = self.contract(eps[0])
            if found is None:
                continue
            facts, spans = found
            evidence = self.p.evidence(spans)   # the login lines come on top: a contract is not cut for them
            if not evidence or self.p.weight(evidence) > MAX_EVIDENCE + (facts.get("login") or {}).get("items", 0):
                continue
            ref = "contract:" + sha256_text(handler_id)[:16]
            out += [self.p._item(ref, "rule", "contract", qkind, lang, domain, question, facts, evidence)
                    for lang in self.p.languages for qkind, question in contract_questions(facts, lang, ref)]
        return out

    def contract(self, ep: dict) -> tuple[dict, list[Span]] | None:
        sym = self.p.symbols.get(ep["handler_id"])
        cls = self.by_id.get(ep["handler_id"].split("#")[0])
        if sym is None or cls is None or sym["end_line"] - sym["start_line"] + 1 > MAX_METHOD_LINES:
            return None
        path = sym["path"]
        tree = self.p.outline._tree(path)
        method = next((m for m in walk(tree.root_node, {"method_declaration"}) if lines(m)[0] == sym["start_line"]
                       and text(m.child_by_field_name("name")) == sym["name"]), None) if tree else None
        klass = method.parent.parent if method is not None and method.parent is not None else None
        if method is None or klass is None or klass.type != "class_declaration":
            return None
        class_anns = {_ann_name(a): a for a in _annotations(klass)}
        method_anns = {_ann_name(a): a for a in _annotations(method)}
        body = method.child_by_field_name("body")
        if body is None or any(True for _ in walk(body, {"throw_statement", "try_statement",
                                                          "try_with_resources_statement"})):
            return None
        if self._calls_thrower(body):
            return None   # a check of the handler that fails through a helper (`NewBeeMallException.fail(..)`)
        spans = [Span(path=path, start_line=sym["start_line"], end_line=sym["end_line"])]
        head = lines(klass)[0]
        name_line = lines(klass.child_by_field_name("name"))[0]
        validated = lines(class_anns["Validated"])[0] if "Validated" in class_anns else None
        docs = _implicit_docs(method)
        params = []
        for node in (method.child_by_field_name("parameters").named_children
                     if method.child_by_field_name("parameters") is not None else []):
            if node.type != "formal_parameter":
                return None
            param = self._param(node, path, validated, body)
            if param is None:
                return None
            param["doc"] = _param_doc(node) or docs.get(param.get("key") or param["name"])
            if param.get("dto") and not param.get("list"):
                _mark_overwritten(param, body)
                self._mark_overwritten_below(param, body, ep["handler_id"])
                self._mark_read(param, ep["handler_id"])
                spans += [Span(path=w["path"], start_line=w["line"], end_line=w["line"])
                          for fld in param["dto"]["fields"] if (w := fld.get("overwritten")) and w.get("path")]
                spans += [Span(path=d["path"], start_line=d["test_line"], end_line=d["line"])
                          for fld in param["dto"]["fields"] if (d := fld.get("defaulted"))]
                spans += [Span(path=g["path"], start_line=n, end_line=n) for g in param["dto"].get("gated") or []
                          for n in (g["test_line"], g["line"])]
            params.append(param)
            spans += param.pop("_spans", [])
        effect_spans = self._effects(params, ep["handler_id"])
        response = self._response(method, class_anns, method_anns)
        if response is None:
            return None
        returns = self._returns(body, path, response["kind"])
        if returns is None:
            return None
        for r in returns:
            fac = r.get("factory")
            if fac:
                spans.append(Span(path=fac["path"], start_line=fac["line"], end_line=fac["line"]))
                spans += [Span(path=c["path"], start_line=c["line"], end_line=c["line"]) for c in fac["constants"]]
        sent = [x for x in params if x["kind"] not in ("session", "model", "request", "resolved")]
        if len(returns) == 1 and not returns[0]["conds"] and (not sent or [x["kind"] for x in sent] == ["path"]):
            return None   # nothing (or one id in the path) to send and one plain answer: too shallow to ask
        access = [{"code": squash(text(a)), "line": lines(a)[0]} for anns in (class_anns, method_anns)
                  for n, a in anns.items() if n in ACCESS]
        mapping = next((a for n, a in method_anns.items() if n.endswith("Mapping")), None)
        if mapping is None:
            return None
        if response.get("on") != "method" or "Validated" in class_anns or \
                class_mapping_line(self.p.files, self.p.data["classes"], path, cls["symbol_id"]):
            spans.append(Span(path=path, start_line=head, end_line=name_line))   # what the answer says of the class
        owner = _short(cls["symbol_id"])
        facts = {"verb": ep["http_method"], "route": ep["route"], "handler": f"{owner}.{sym['name']}",
                 "method": sym["name"], "path": path, "_path": path, "mapping_line": lines(mapping)[0],
                 "class_mapping_line": class_mapping_line(self.p.files, self.p.data["classes"], path, cls["symbol_id"]),
                 "class_line": name_line, "sig_line": lines(method.child_by_field_name("name"))[0],
                 "return_type": squash(text(method.child_by_field_name("type"))), "response": response,
                 "params": params, "returns": returns, "validated_line": validated, "access": access,
                 "calls": any(True for _ in walk(body, {"method_invocation"}))}
        if effect_spans and self.p.weight(self.p.evidence(spans + effect_spans)) > MAX_EVIDENCE:
            for x in params:     # the contract without where its inputs go, rather than no contract at all
                x.pop("effects", None)
            effect_spans = []
        if self._security is None:
            self._security = SecurityChain(self.p)
        login_spans = []
        if found := self._security.login(path, ep["route"]):   # a filter chain that wants a signed-in caller
            facts["login"], login_spans = {**found[0], "items": len(found[1])}, found[1]
        return facts, spans + effect_spans + login_spans

    def _mark_read(self, param: dict, handler_id: str) -> None:
        """param["dto"]["read"]: the fields the code reads, where that is all it does with the object and it
        leaves some fields unread (core.generate.param_effects.fields_read)."""
        read = fields_read(self.p, handler_id, param["name"])
        names = {f["name"] for f in param["dto"]["fields"]}
        if read is not None and set(read) <= names and set(read) != names:
            param["dto"]["read"] = [{"field": k, **v} for k, v in read.items()]
            param["_spans"] = param.get("_spans", []) + [Span(path=v["path"], start_line=v["line"], end_line=v["line"])
                                                         for v in read.values()]

    def _mark_overwritten_below(self, param: dict, body: Node, handler_id: str) -> None:
        """The same one call down: the method the handler passes the request object to sets a field on every path
        (`returnReason.setCreateTime(new Date())` in the service's `create`), so what the caller sends for it is
        replaced (blind read 20A: mall S31 listed `createTime` as something to send). A setter inside a branch
        or loop is a default or a special case, not a replacement, and is left out."""
        for call in walk(body, {"method_invocation"}):
            args = call.child_by_field_name("arguments")
            names = [text(a) for a in args.named_children] if args is not None else []
            found = callee_of(self.p, handler_id, call) if param["name"] in names else None
            if found is None or found[2].child_by_field_name("body") is None:
                continue
            target, callee, decl = found
            own = params_of(decl, bound=False)[names.index(param["name"])]     # its name in the callee's body
            mark = {"set" + f["name"][:1].upper() + f["name"][1:]: f for f in param["dto"]["fields"]
                    if not f.get("overwritten")}
            for c in walk(decl.child_by_field_name("body"), {"method_invocation"}):
                fld = mark.get(text(c.child_by_field_name("name")))
                if fld is None or text(c.child_by_field_name("object")) != own:
                    continue
                branches = list(_between(c, decl, BRANCHES))
                at = {"code": squash(text(c)), "line": lines(c)[0], "path": callee.path, "by": member_label(target)}
                if not branches:
                    fld["overwritten"] = at
                elif len(branches) == 1 and (test := _unsent_test(branches[0], c, own, fld["name"])):
                    # `if (address.getDefaultStatus() == null) address.setDefaultStatus(0)`: the value used when
                    # none is sent (blind read 21H: mall S39 left it out)
                    fld["defaulted"] = {**at, "test": test, "test_line": lines(branches[0])[0]}
            param["dto"].setdefault("gated", []).extend(_gated_writes(decl, own, callee.path, member_label(target)))

    def _effects(self, params: list[dict], handler_id: str) -> list[Span]:
        """x["effects"] on each sent input: the query conditions it fills (core.generate.param_effects); the spans
        that show them (each call passing it on, the condition and the tests it sits under)."""
        if self._queries is None:
            self._queries = conditions_by_method(self.p, [f for f, _ in Queries(self.p).facts(keys=True)])
        spans = []
        for x in params:
            if x["kind"] not in ("path", "query", "body", "form") or (x["kind"] == "body" and not x.get("dto")):
                continue
            x["effects"] = [e for e in input_effects(self.p, self._queries, handler_id, x["name"])
                            if (e["field"] is None) == (not x.get("dto")) and self._verbatim(e["cond"])]
            for e in x["effects"]:
                for c in e["others"]:
                    c["verbatim"] = self._verbatim(c)
                # the early exits of each method on the way, before the call that passes the input on or runs it
                e["exits"] = [x_ for h in e["hops"][1:] + ([e["call"]] if e.get("call") else [])
                              for x_ in exits_before(self.p, h["path"], h["line"])]
                spans += [Span(path=x_["path"], start_line=x_["line"], end_line=x_["end"]) for x_ in e["exits"]]
                spans += [Span(path=h["path"], start_line=h["line"], end_line=h["line"]) for h in e["hops"]]
                spans += [Span(path=c["path"], start_line=n, end_line=n) for c in e.get("under") or []
                          for n in {c["line"], c["branch_line"], (c.get("otherwise") or {}).get("line") or c["line"]}]
                if e.get("call"):   # the call that runs the Example: a delete or a select, which the verb says
                    spans.append(Span(path=e["call"]["path"], start_line=e["call"]["line"], end_line=e["call"]["line"]))
                spans += [Span(path=h["decl_path"], start_line=h["decl_line"], end_line=h["decl_line"])
                          for h in e["hops"] if h.get("decl_line")]
                spans += [Span(path=c["path"], start_line=n, end_line=n) for c in [e["cond"], *e["others"]]
                          for n in [c["line"], *c["when_lines"]]]
                spans += [Span(path=lab["path"], start_line=n, end_line=n) for c in [e["cond"], *e["others"]]
                          if (lab := c.get("label")) for n in {lab["line"], lab["end_line"], lab.get("name_line") or lab["line"]}]
            if x["kind"] == "query" and x["why"] in ("unannotated", "required_false") and not x.get("constraints") \
                    and (nf := self._null_fails(x)):   # a validated `@NotNull` stops the request before the method
                x["null_fails"] = nf
                spans.append(Span(path=nf["path"], start_line=nf["check_line"], end_line=nf["throw_line"]))
        return spans

    def _null_fails(self, x: dict) -> dict | None:
        """An optional parameter that reaches a generated Example criterion on every path (`andIdEqualTo(orderId)`):
        MyBatis Generator's `addCriterion` throws for a null value, so a request without it fails there (blind read
        24GG: mall S20 called `orderId` optional)."""
        for e in x.get("effects") or []:
            c = e["cond"]
            if e["field"] is not None or c["when"] or e.get("exits") or e.get("under") \
                    or not re.fullmatch(r"and\w+\(\s*\w+\s*\)", c["code"]):
                continue
            lines_ = self.p.files.get(c["path"]).lines
            chain = next((m for n in range(c["line"], max(c["line"] - 8, 0), -1)
                          if (m := re.search(r"\b(\w+)\.(?:createCriteria|or)\(\)", lines_[n - 1]))), None)
            decl = chain and next((m for n in range(c["line"], max(c["line"] - 40, 0), -1) if (m := re.search(
                rf"\b(\w+Example)\s+{chain.group(1)}\s*=", lines_[n - 1]))), None)
            found = decl and [k for k in self.p.data["classes"] if k["name"] == decl.group(1)]
            if not found or len(found) != 1:
                continue
            ex = self.p.files.get(found[0]["path"]).lines
            head = next((n for n, t in enumerate(ex, 1)
                         if re.search(r"void\s+addCriterion\(\s*String\s+\w+\s*,\s*Object\s+value\s*,", t)), None)
            if head and head + 2 <= len(ex) and re.search(r"if\s*\(\s*value\s*==\s*null\s*\)", ex[head]) \
                    and re.search(r"throw\s+new\s+(\w+)", ex[head + 1]):
                return {"code": c["code"], "at": c["path"], "line": c["line"], "example": decl.group(1),
                        "path": found[0]["path"], "check_line": head + 1, "throw_line": head + 2,
                        "exception": re.search(r"throw\s+new\s+(\w+)", ex[head + 1]).group(1)}
        return None

    def _verbatim(self, c: dict) -> bool:
        """A condition the answer can quote from its own line (one spread over lines is read back joined)."""
        return squash(c["code"]) in squash(self.p.files.get(c["path"]).lines[c["line"] - 1])

    # ---------------------------------------------------------- parameters --
    def _param(self, node: Node, path: str, validated: int | None, body: Node) -> dict | None:
        anns = _annotations(node)
        names = [_ann_name(a) for a in anns]
        type_text = squash(text(node.child_by_field_name("type")))
        name = text(node.child_by_field_name("name"))
        line = lines(node)[0]
        decl = squash(text(node))
        base, inner = _base_type(type_text)
        p = {"name": name, "decl": decl, "line": line, "type": type_text}
        custom = [c for a in anns if (c := self._constraint(_ann_name(a)))]
        constraints = [squash(text(a)) for a in anns if _ann_name(a) in CONSTRAINTS or self._constraint(_ann_name(a))]
        unknown = [a for a in anns if _ann_name(a) not in BINDINGS | CONSTRAINTS | DOCS | {"Valid", "Validated"}
                   and not self._constraint(_ann_name(a))]
        if constraints and validated is None:
            return None   # whether a constraint on the parameter is checked depends on the Spring version
        p["constraints"], p["custom"] = constraints, custom
        p["_spans"] = [Span(path=c["path"], start_line=c["line"], end_line=c["end_line"]) for c in custom]
        if unknown:
            if len(unknown) > 1 or len(anns) > 1 + len([n for n in names if n in DOCS]):
                return None
            resolver = self._resolver(_ann_name(unknown[0]))
            if resolver is None:
                return None
            header = resolver.get("header") or {}
            spans = [Span(path=resolver["path"], start_line=n, end_line=n)
                     for n in [resolver["line"], header.get("line"), header.get("const_line")] if n]
            return {**p, "kind": "resolved", "annotation": _ann_name(unknown[0]), "resolver": resolver,
                    "_spans": p["_spans"] + spans}
        binding = next((a for a in anns if _ann_name(a) in BINDINGS), None)
        if binding is None:
            return self._unannotated(p, base, inner, path, validated, body, any(n in ("Valid", "Validated") for n in names))
        kind, args = _ann_name(binding), _ann_args(binding)
        if kind == "RequestParam" and re.match(r"(?:Multi\w*)?Map\b", type_text):
            # a map without a name takes every request parameter; Spring requires none of them
            return None if args else {**p, "kind": "all_params"}
        if kind == "RequestBody":
            return self._body(p, base, inner, path, args, any(n in ("Valid", "Validated") for n in names))
        key_expr = args.get("value") or args.get("name")
        key = _string(key_expr) if key_expr is not None else name
        if key is None or args.keys() - {"value", "name", "required", "defaultValue"}:
            return None
        required = args.get("required", "true")
        default = args.get("defaultValue")
        if required not in ("true", "false") or (default is not None and _string(default) is None):
            return None
        default = _string(default) if default is not None else None
        optional = base == "Optional"
        if kind == "PathVariable":
            if default is not None or required == "false" or optional:
                return None   # an optional path segment needs a second route: not read here
            return {**p, "kind": "path", "key": key, "required": True}
        if type_text in PRIMITIVES and default is None and required == "false":
            return None   # a missing primitive is no null: Spring fails the request, not read here
        why = "default" if default is not None else "required_false" if required == "false" else \
            "optional" if optional else None
        return {**p, "kind": "query" if kind == "RequestParam" else "header", "key": key, "required": why is None,
                "default": default, "why": why, "list": base in ("List", "Set") or type_text.endswith("[]")}

    def _unannotated(self, p: dict, base: str, inner: str | None, path: str, validated: int | None, body: Node,
                     valid: bool) -> dict | None:
        if p["type"] in SIMPLE:
            return {**p, "kind": "query", "key": p["name"], "required": False, "default": None, "why": "unannotated",
                    "list": False}
        if p["type"] in SUPPLIED:
            return {**p, "kind": SUPPLIED[p["type"]]}
        if p["type"] == "HttpServletRequest" and _only_attributes(body, p["name"]):
            return {**p, "kind": "request"}
        if inner is not None or p["type"] in PRIMITIVES:
            return None
        dto = self._dto(base, path)
        if dto is None:
            return None
        return {**p, "kind": "form", "dto": dto, "valid": valid,
                "_spans": [Span(path=dto["path"], start_line=dto["start_line"], end_line=dto["end_line"])]}

    def _body(self, p: dict, base: str, inner: str | None, path: str, args: dict, valid: bool) -> dict | None:
        if args.keys() - {"required"} or args.get("required", "true") != "true":
            return None
        listed = base in ("List", "Set")
        element = inner if listed else base
        if element is None or (not listed and inner is not None):
            return None
        out = {**p, "kind": "body", "list": listed, "element": element, "valid": valid}
        if element in SIMPLE:
            return None if not listed else {**out, "dto": None}   # a bare String body: its keys are read by code
        dto = self._dto(element, path)
        if dto is None:
            return None
        return {**out, "dto": dto, "_spans": [Span(path=dto["path"], start_line=dto["start_line"],
                                                   end_line=dto["end_line"])]}

    def _dto(self, name: str, from_path: str) -> dict | None:
        """A project class's bindable fields: {class, path, start_line, end_line, fields: [{name, type, line,
        constraints (as written), doc}]}; None when it extends a class (fields this item would not show), a
        field's JSON shape is changed by an annotation, a field has no setter, or the fields span more lines than
        one item reads."""
        cls = self._class(name, from_path)
        found = self._fields(cls) if cls is not None else None
        if found is None:
            return None
        fields, start, end = found
        if end - start + 1 > MAX_DTO_LINES:
            return None
        return {"class": _short(cls["symbol_id"]), "path": cls["path"], "start_line": start, "end_line": end,
                "fields": fields}

    def _fields(self, cls: dict) -> tuple[list[dict], int, int] | None:
        tree = self.p.outline._tree(cls["path"])
        node = next((n for n in walk(tree.root_node, {"class_declaration"})
                     if text(n.child_by_field_name("name")) == _short(cls["symbol_id"])), None) if tree else None
        if node is None or node.child_by_field_name("superclass") is not None:
            return None
        class_anns = {_ann_name(a) for a in _annotations(node)}
        body = node.child_by_field_name("body")
        methods = {text(m.child_by_field_name("name")) for m in body.named_children if m.type == "method_declaration"}
        out = []
        for f in body.named_children:
            if f.type != "field_declaration" or "static" in text(modifiers(f) or f).split():
                continue
            anns = _annotations(f)
            names = {_ann_name(a) for a in anns}
            if any(_JSON_SHAPE.match(n) for n in names):
                return None
            for var in [d for d in f.named_children if d.type == "variable_declarator"]:
                fname = text(var.child_by_field_name("name"))
                setter = "set" + fname[:1].upper() + fname[1:]
                if not (class_anns & {"Data", "Setter"} or "Setter" in names or setter in methods):
                    return None
                doc = next((_string(_ann_args(a).get("value")) for a in anns if _ann_name(a) in DOCS), None)
                out.append({"name": fname, "type": squash(text(f.child_by_field_name("type"))), "line": lines(f)[0],
                            "end_line": lines(f)[1], "constraints": [squash(text(a)) for a in anns
                                                                     if _ann_name(a) in CONSTRAINTS],
                            "doc": doc})
        if not out:
            return None
        return out, lines(node.child_by_field_name("name"))[0], max(x["end_line"] for x in out)

    def _calls_thrower(self, body: Node) -> bool:
        """The handler calls a static method of a class (`Asserts.fail(..)`) whose body throws: an exit of the
        handler that is no `return`, so its returns are not all it answers."""
        if not hasattr(self, "_throwers"):
            self._throwers = set()
            for sym in self.p.data["symbols"]:
                if sym["kind"] == "method" and "static" in (sym.get("modifiers") or "") and sym.get("path"):
                    lines_ = self.p.files.get(sym["path"]).lines[sym["start_line"] - 1:sym["end_line"]]
                    if any(re.search(r"\bthrow\b", x) for x in lines_):
                        self._throwers.add((_short(sym.get("parent_id") or ""), sym["name"]))
        for call in walk(body, {"method_invocation"}):
            owner = text(call.child_by_field_name("object"))
            if (_short(owner), text(call.child_by_field_name("name"))) in self._throwers:
                return True
        return False

    def _constraint(self, name: str) -> dict | None:
        """A project annotation that is a Bean Validation constraint (`@Constraint(validatedBy = SortValidator.class)`
        on `@interface Sort`): {name, validator, path, line (the @Constraint line), end_line (the declaration's)};
        None for any other name, or a declaration longer than a short item."""
        if not hasattr(self, "_constraints"):
            self._constraints = {}
            for f in self.p.data["files"]:
                if not f["path"].endswith(".java"):
                    continue
                src = self.p.files.get(f["path"])
                m = _VALIDATED_BY.search(src.text)
                decl = re.search(r"@interface\s+(\w+)", src.text) if m else None
                if decl is None:
                    continue
                first = src.text[:m.start()].count("\n") + 1
                end = next((n for n in range(len(src.lines), first, -1) if src.lines[n - 1].strip() == "}"), None)
                if end and end - first < 15:
                    self._constraints[decl.group(1)] = {"name": decl.group(1), "validator": m.group(1),
                                                        "path": f["path"], "line": first, "end_line": end}
        return self._constraints.get(name)

    def _class(self, name: str, from_path: str) -> dict | None:
        """The project class of a simple name as a file sees it: the only one, else the one its imports name or
        in its own package."""
        found = [c for c in self.classes if _short(c["symbol_id"]) == name]
        if len(found) <= 1:
            return found[0] if found else None
        source = self.p.files.get(from_path).text
        imported = set(re.findall(r"^import\s+([\w.]+)\s*;", source, re.M))
        wild = set(re.findall(r"^import\s+([\w.]+)\.\*\s*;", source, re.M))
        own = re.search(r"^package\s+([\w.]+)\s*;", source, re.M)
        pkgs = wild | ({own.group(1)} if own else set())
        chosen = [c for c in found if c["symbol_id"] in imported or c["symbol_id"].rsplit(".", 1)[0] in pkgs]
        return chosen[0] if len(chosen) == 1 else None

    def _resolver(self, annotation: str) -> dict | None:
        """The project's HandlerMethodArgumentResolver that names `@annotation` (`LoginUser.class`): {class, path,
        line}; None when none, or several, do."""
        if self._resolvers is None:
            self._resolvers = {}
            for c in self.classes:
                src = self.p.files.get(c["path"])
                if not _RESOLVER.search(src.text):
                    continue
                for n, line in enumerate(src.lines, 1):
                    for ann in _ANNOTATION_CLASS.findall(line):
                        self._resolvers.setdefault(ann, []).append({"class": _short(c["symbol_id"]), "path": c["path"],
                                                                    "line": n})
        found = {(r["class"], r["path"]): r for r in self._resolvers.get(annotation, [])}
        if len(found) != 1:
            return None
        resolver = next(iter(found.values()))
        header = self._header(resolver["path"])
        src = self.p.files.get(resolver["path"]).lines
        if header and find_secrets(src[header["line"] - 1], False):
            header = None   # a line the secrets check would flag is no evidence to export
        elif header and header.get("const_line") and find_secrets(src[header["const_line"] - 1], False):
            # `LOGIN_TOKEN_KEY = "X-Litemall-Token"` reads as a secret: the header is named by its constant, the
            # value left out (blind read 22T: litemall S40 said nothing of the header a caller must send)
            header = {k: v for k, v in header.items() if k not in ("name", "const_line")}
        return {**resolver, "header": header}

    def _header(self, path: str) -> dict | None:
        """The one request header a resolver reads (`request.getHeader(LOGIN_TOKEN_KEY)`), with the constant's
        text: {name, line, const, const_line}; None when it reads none or several."""
        src = self.p.files.get(path).lines
        reads = [(n, m) for n, line in enumerate(src, 1) for m in _GET_HEADER.finditer(line)]
        if len(reads) != 1:
            return None
        line, m = reads[0]
        if m.group(2) is not None:
            return {"name": m.group(2), "line": line}
        const = [(n, c) for n, text_ in enumerate(src, 1)
                 for c in [re.search(rf'\bString\s+{m.group(1)}\s*=\s*"([^"\\]+)"\s*;', text_)] if c]
        if len(const) != 1:
            return None
        return {"name": const[0][1].group(1), "line": line, "const": m.group(1), "const_line": const[0][0]}

    # ------------------------------------------------------------ response --
    @staticmethod
    def _response(method: Node, class_anns: dict, method_anns: dict) -> dict | None:
        """How the return value reaches the caller: the JSON body (@RestController / @ResponseBody) or a view."""
        rtype = squash(text(method.child_by_field_name("type")))
        if "RestController" in class_anns:
            return {"kind": "body", "by": "RestController", "line": lines(class_anns["RestController"])[0]}
        for where, anns in (("method", method_anns), ("class", class_anns)):
            if "ResponseBody" in anns:
                return {"kind": "body", "by": "ResponseBody", "on": where, "line": lines(anns["ResponseBody"])[0]}
        if "Controller" in class_anns and rtype in ("String", "ModelAndView"):
            return {"kind": "view", "by": "Controller", "line": lines(class_anns["Controller"])[0]}
        return None

    def _returns(self, body: Node, path: str, kind: str) -> list[dict] | None:
        """Each `return` of the handler with the `if`s around it; None when one is not a plain answer (see the
        module docstring) or sits in a loop, lambda, switch or anonymous class."""
        out = []
        for r in walk(body, {"return_statement"}):
            if any(True for _ in _between(r, body, {"lambda_expression", "class_body", "switch_expression",
                                                    "switch_block"})):
                return None
            expr = r.named_children[0] if r.named_children else None
            code = squash(text(expr))
            if expr is None or len(code) > 160:
                return None
            view = _VIEW.match(code)
            if kind == "view":
                if view is None:
                    return None
            elif not (_FACTORY.match(code) or code.startswith("new ") or code == "null"):
                return None
            controls = self.p.outline.controls(path, lines(r)[0])
            if any(c.kind not in ("if", "else") for c in controls):
                return None
            conds = [{"kind": c.kind, "code": c.code, "line": c.line} for c in controls]
            factory = self._factory(expr) if kind == "body" and expr.type == "method_invocation" else None
            out.append({"expr": code, "line": lines(r)[0], "end_line": lines(r)[1], "conds": conds, "factory": factory,
                        "view": (view.group(1) if view.group(1) is not None else view.group(2)) if view else None,
                        "sources": self._sources(body, conds)})
        if not out or len(out) > MAX_RETURNS:
            return None
        last = body.named_children[-1] if body.named_children else None
        if last is None or last.type != "return_statement" and not (last.type == "if_statement" and _ends_both(last)):
            return None   # a handler that can fall off its end (void-like): not a plain answer
        return out

    def _factory(self, call: Node) -> dict | None:
        """What a static factory of the response class builds, where its body is one `return`
        (`CommonResult.failed()` is `return failed(ResultCode.FAILED);`), with the enum constants that return
        names (`FAILED(500, "操作失败")`): {call, returns, path, line, constants: [{name, code, path, line}]}.
        None where the method is not found once by class, name and arguments, or its body is more than a return."""
        owner, name = text(call.child_by_field_name("object")), text(call.child_by_field_name("name"))
        args = call.child_by_field_name("arguments")
        given = [a for a in args.named_children] if args is not None else []
        found = [x for x in self.p.data["symbols"] if x["kind"] == "method" and x["name"] == name
                 and _short(x.get("parent_id") or "") == owner and "static" in (x.get("modifiers") or "")
                 and len(_param_types(x.get("signature") or "")) == len(given)]
        if len(found) > 1:   # overloads of one arity: a string literal picks the String one
            found = [x for x in found if [t == "String" for t in _param_types(x["signature"])] ==
                     [a.type == "string_literal" for a in given]]
        if len(found) != 1:
            return None
        sym = found[0]
        src = self.p.files.get(sym["path"]).lines
        body = "\n".join(src[sym["start_line"] - 1:sym["end_line"]]).split("{", 1)[-1].rsplit("}", 1)[0]
        m = re.fullmatch(r"\s*return\s+([^;\n]+);\s*", body)
        if m is None:
            return None
        line = next(n for n in range(sym["start_line"], sym["end_line"] + 1) if re.search(r"\breturn\b", src[n - 1]))
        constants = [c for ref in dict.fromkeys(_CONSTANT.findall(m.group(1))) if (c := self._enum_constant(*ref))]
        params = _param_decls(sym["signature"])
        label = f"`{owner}.{name}()`" if not params else f"`{owner}.{name}` ({', '.join(params)})"
        return {"call": label, "returns": squash(m.group(1)), "path": sym["path"], "line": line,
                "constants": constants}

    def _enum_constant(self, enum: str, name: str) -> dict | None:
        """The declaration line of enum constant `enum.name` (`FAILED(500, "操作失败"),`), when the project has one
        class of that name and the constant is declared on one line."""
        cls = [c for c in self.classes if _short(c["symbol_id"]) == enum]
        if len(cls) != 1:
            return None
        src = self.p.files.get(cls[0]["path"]).lines
        hits = [(n, line.strip().rstrip(",;")) for n, line in enumerate(src, 1)
                if re.match(rf"\s*{name}\s*\(.*\)\s*[,;]?\s*$", line)]
        return {"name": f"{enum}.{name}", "code": hits[0][1], "path": cls[0]["path"], "line": hits[0][0]} \
            if len(hits) == 1 else None

    @staticmethod
    def _sources(body: Node, conds: list[dict]) -> list[dict]:
        """The locals a return's conditions test, where the handler declares them once with a value
        (`int count = orderService.close(ids, note);`) and never assigns them again."""
        out = []
        names = {w for c in conds for w in re.findall(r"\b[a-z]\w*\b", c["code"])}
        for name in sorted(names):
            decls = [d for d in walk(body, {"variable_declarator"}) if text(d.child_by_field_name("name")) == name
                     and d.child_by_field_name("value") is not None]
            assigned = [a for a in walk(body, {"assignment_expression"})
                        if text(a.child_by_field_name("left")) == name]
            if len(decls) == 1 and not assigned:
                value = squash(text(decls[0].child_by_field_name("value")))
                if len(value) <= 120:
                    out.append({"var": name, "value": value, "line": lines(decls[0])[0], "end_line": lines(decls[0])[1]})
        return out


def _mark_overwritten(param: dict, body: Node) -> None:
    """Fields of a request object the handler sets itself (`item.setUserId(user.getUserId())`): whatever the
    caller sends for them is replaced, so the answer says so (field["overwritten"] = {code, line})."""
    by_setter = {"set" + f["name"][:1].upper() + f["name"][1:]: f for f in param["dto"]["fields"]}
    for call in walk(body, {"method_invocation"}):
        fld = by_setter.get(text(call.child_by_field_name("name")))
        if fld is not None and text(call.child_by_field_name("object")) == param["name"]:
            fld["overwritten"] = {"code": squash(text(call)), "line": lines(call)[0]}


def _implicit_docs(method: Node) -> dict[str, str]:
    """Swagger's `@ApiImplicitParam(name = "status", value = "..")` on the handler (alone or in
    `@ApiImplicitParams`): the documented meaning of a request parameter, by name."""
    out = {}
    for ann in walk(modifiers(method) or method, {"annotation"}):
        if _ann_name(ann) == "ApiImplicitParam":
            args = _ann_args(ann)
            name, value = _string(args.get("name")), _string(args.get("value"))
            if name and value:
                out[name] = value
    return out


def _param_doc(node: Node) -> str | None:
    """`@ApiParam("..")` / `@ApiParam(value = "..")` on a parameter: its documented meaning."""
    ann = next((a for a in _annotations(node) if _ann_name(a) == "ApiParam"), None)
    return _string(_ann_args(ann).get("value")) if ann is not None else None


def _param_types(signature: str) -> list[str]:
    """`static <T> R<T> failed(IErrorCode errorCode, String message)` -> ['IErrorCode', 'String']."""
    return [p.rsplit(None, 1)[0].split("<")[0] for p in _param_decls(signature)]


def _param_decls(signature: str) -> list[str]:
    """`static <T> R<T> failed(IErrorCode errorCode, String message)` -> ['IErrorCode errorCode', 'String message']."""
    inside = signature[signature.rfind("(") + 1:signature.rfind(")")] if "(" in signature else ""
    parts, depth, cur = [], 0, ""
    for ch in inside:
        depth += ch == "<"
        depth -= ch == ">"
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [" ".join(p.split()) for p in parts if p.strip()]


_DATA_WRITE = re.compile(r"^\w*(?:Mapper|Dao|DAO|Repository)$")
_WRITE_NAME = re.compile(r"^(?:update|insert|delete|save|remove)\w*$")


def _gated_writes(decl: Node, own: str, path: str, by: str) -> list[dict]:
    """Writes the called method makes only when a field of the request object says so (`if (address.getDefaultStatus()
    == 1) addressMapper.updateByExampleSelective(record, ..)` clears the member's other default): what sending that
    value does besides the row it picks (blind read 21H: mall S39). Under one `if` only, outside any loop."""
    out = []
    for c in walk(decl.child_by_field_name("body"), {"method_invocation"}):
        obj, name = c.child_by_field_name("object"), text(c.child_by_field_name("name"))
        if obj is None or not _DATA_WRITE.match(text(obj)[:1].upper() + text(obj)[1:]) or not _WRITE_NAME.match(name):
            continue
        branches = list(_between(c, decl, BRANCHES))
        cond = branches[0].child_by_field_name("condition") if len(branches) == 1 else None
        if cond is None or branches[0].type != "if_statement" or f"{own}.get" not in text(cond):
            continue
        then = branches[0].child_by_field_name("consequence")
        if not (then.start_byte <= c.start_byte < then.end_byte):
            continue      # an else branch: said by its test's negation, which this sentence does not do
        out.append({"code": squash(text(c)), "line": lines(c)[0], "path": path, "by": by,
                    "test": squash(text(cond)).strip("()").strip(), "test_line": lines(branches[0])[0]})
    return out


def _unsent_test(branch: Node, setter: Node, own: str, field_name: str) -> str | None:
    """The condition of an `if` whose then-branch holds the setter and that tests the field for null."""
    cond = branch.child_by_field_name("condition") if branch.type == "if_statement" else None
    then = branch.child_by_field_name("consequence") if cond is not None else None
    if then is None or not (then.start_byte <= setter.start_byte < then.end_byte):
        return None
    getter = rf"{re.escape(own)}\.get{re.escape(field_name[:1].upper() + field_name[1:])}\(\)"
    code = squash(text(cond)).strip("()").strip()
    return code if re.fullmatch(rf"{getter}\s*==\s*null|null\s*==\s*{getter}", code) else None


def _between(node: Node, top: Node, types: set[str]):
    """The ancestors of `node` below `top` of one of `types`."""
    cur = node.parent
    while cur is not None and cur != top:
        if cur.type in types:
            yield cur
        cur = cur.parent


def _ends_both(stmt: Node) -> bool:
    """An `if` / `else` whose both branches end in a return: nothing runs past it."""
    def ends(n: Node | None) -> bool:
        if n is None:
            return False
        if n.type == "block":
            return bool(n.named_children) and ends(n.named_children[-1])
        if n.type == "if_statement":
            return _ends_both(n)
        return n.type == "return_statement"
    return ends(stmt.child_by_field_name("consequence")) and ends(stmt.child_by_field_name("alternative"))


def _only_attributes(body: Node, name: str) -> bool:
    """Every use of `name` in the handler is `name.setAttribute(..)`: the request only carries the view's data."""
    uses = [i for i in walk(body, {"identifier"}) if text(i) == name]
    calls = [c for c in walk(body, {"method_invocation"}) if text(c.child_by_field_name("object")) == name
             and text(c.child_by_field_name("name")) == "setAttribute"]
    return len(uses) == len(calls)


def contract_items(planner) -> list[WorkItem]:
    return Contracts(planner).items()


# ------------------------------------------------------------- templates --
def contract_questions(f: dict, lang: str, seed: str) -> list[tuple[str, str]]:
    ep = f"{f['verb']} {f['route']}"
    if lang == "en":
        return [("contract", pick(seed, [f"What must a caller send to {ep} (`{f['handler']}`), and what does it get back?",
                                         f"What does {ep} (`{f['handler']}`) take from the request, and what does it "
                                         "answer?"]))]
    return [("contract", f"调用 {ep}（`{f['handler']}`）需要传什么，会得到什么返回？")]


def _param_en(x: dict) -> str:
    text_ = _binding_en(x)
    return text_ + (f" Documented as \"{x['doc']}\"." if x.get("doc") and x["kind"] in ("path", "query", "header")
                    else "")


def _binding_en(x: dict) -> str:
    decl = f"`{x['decl']}`"
    kind = x["kind"]
    if kind == "path":
        return f"{decl}: the path segment `{{{x['key']}}}`."
    if kind in ("query", "header"):
        what = "request parameter" if kind == "query" else "request header"
        many = " (several values allowed)" if x.get("list") else ""
        nf = x.get("null_fails")
        fails = (f" A request without it fails: `{nf['code']}` ({file_name(nf['at'])}:{nf['line']}) gets null, and the "
                 f"generated `{nf['example']}` throws `{nf['exception']}` for a null value ({file_name(nf['path'])}:"
                 f"{nf['check_line']})." if nf else "")
        if x["why"] == "unannotated":
            text_ = (f"{decl}: no binding annotation, so Spring binds it from the {what} `{x['key']}` without requiring "
                     f"it; it is null when the request has none.{fails}")
        elif x["required"]:
            text_ = f"{decl}: the {what} `{x['key']}`{many}, required: Spring rejects a request without it."
        elif x["why"] == "default":
            text_ = f"{decl}: the {what} `{x['key']}`{many}, optional: \"{x['default']}\" when absent."
        elif x["why"] == "optional":
            text_ = f"{decl}: the {what} `{x['key']}`{many}, optional (an `Optional`, empty when absent)."
        else:
            text_ = (f"{decl}: the {what} `{x['key']}`{many}, not required by Spring (`required = false`): null when "
                     f"absent.{fails}" if nf else
                     f"{decl}: the {what} `{x['key']}`{many}, optional (`required = false`): null when absent.")
        return text_ + _constraints_en(x)
    if kind == "resolved":
        r = x["resolver"]
        h = r.get("header")
        read = (f", from the request header \"{h['name']}\" ({file_name(r['path'])}:{h['line']})" if h and h.get("name")
                else f", from the request header that the constant `{h['const']}` names ({file_name(r['path'])}:{h['line']})"
                if h else "")
        return (f"{decl}: not sent as a parameter: `{r['class']}` resolves parameters annotated "
                f"`@{x['annotation']}` ({file_name(r['path'])}:{r['line']}){read}.")
    if kind == "all_params":
        return f"{decl}: every request parameter, as a map: Spring requires none of them."
    if kind == "session":
        return f"{decl}: the caller's HTTP session (found by its session cookie), supplied by Spring, not a parameter."
    if kind == "model":
        return f"{decl}: the model of the view, supplied by Spring (nothing to send)."
    if kind == "request":
        return f"{decl}: the current request, used only to hand attributes to the view (`setAttribute`)."
    dto = x["dto"]
    if kind == "form":
        head = (f"{decl}: no binding annotation on a class of the project, so Spring fills a `{dto['class']}` "
                "from request parameters of the same names, each optional:")
        return head + _fields_en(dto, x["valid"])
    if dto is None:
        return f"{decl}: the request body, required, a JSON array of `{x['element']}` values."
    if x["list"]:   # the elements are not followed: listing the class's fields must not read as what is used (22M S17)
        return (f"{decl}: the request body, required, a JSON array of `{dto['class']}` objects, each with the fields of "
                "the class (which of them the code reads, keeps or stores is not followed through the list here):"
                + _fields_en(dto, x["valid"]))
    return f"{decl}: the request body, required, a JSON `{dto['class']}` object with the fields:" + _fields_en(dto, x["valid"])


def _constraints_en(x: dict) -> str:
    if not x.get("constraints"):
        return ""
    custom = "".join(f" `@{c['name']}` is a constraint of the project, validated by `{c['validator']}` "
                     f"({file_name(c['path'])}:{c['line']}-{c['end_line']})." for c in x.get("custom") or [])
    return (f" Its {', '.join(f'`{c}`' for c in x['constraints'])} is checked before the method runs, since the "
            "class is annotated `@Validated`." + custom)


def _fields_en(dto: dict, valid: bool) -> str:
    rows = []
    for fld in dto["fields"]:
        row = f"\n  - `{fld['name']}` ({fld['type']})"
        if fld["doc"]:
            row += f", documented as \"{fld['doc']}\""
        if fld["constraints"]:
            row += ", " + ", ".join(f"`{c}`" for c in fld["constraints"])
        if fld.get("overwritten"):
            by = f"`{fld['overwritten']['by']}`" if fld["overwritten"].get("by") else "the handler"
            row += f"; {by} replaces what is sent with `{fld['overwritten']['code']}`"
        if fld.get("defaulted"):
            d = fld["defaulted"]
            row += f"; when it is not sent (`{d['test']}`), `{d['by']}` sets it with `{d['code']}`"
        rows.append(row)
    text_ = "".join(rows)
    if dto.get("read") is not None:
        used = ", ".join(f"`{r['field']}`" for r in dto["read"]) or "none of them"
        text_ += (f"\n  The code reads only {used} of it (followed into the methods it is passed to); whatever is "
                  "sent for the other fields is not used.")
    for g in dto.get("gated") or []:
        text_ += (f"\n  When `{g['test']}`, `{g['by']}` also runs `{g['code']}` "
                  f"({file_name(g['path'])}:{g['line']}).")
    if any(fld["constraints"] for fld in dto["fields"]):
        text_ += ("\n  The constraints are checked: the parameter is annotated `@Valid`/`@Validated`." if valid else
                  "\n  The constraints are not checked on this request: the parameter has no `@Valid`/`@Validated`.")
    return text_


def _when_en(r: dict) -> str:
    parts = [f"`{c['code']}` holds" if c["kind"] == "if" else f"`{c['code']}` does not hold" for c in r["conds"]]
    return " and ".join(parts)


def _return_en(r: dict, n: int, kind: str, path: str) -> str:
    what = f"`{r['expr']}`"
    if kind == "view":
        view = r["view"]
        what += (f" (redirects to `{view[len('redirect:'):]}`)" if view.startswith("redirect:")
                 else f" (renders the view `{view}`)")
    where = f"{file_name(path)}:{r['line']}"
    src = "".join(f"; `{s['var']}` is `{s['value']}` ({file_name(path)}:{s['line']})" for s in r["sources"])
    if r["conds"]:
        return f"- {what} when {_when_en(r)} ({where}{src})"
    if n > 0:
        return f"- otherwise {what} ({where})"
    return f"- {what} ({where})"


def _response_en(f: dict) -> str:
    r = f["response"]
    if r["kind"] == "view":
        return (f"`{f['method']}` is a handler of a `@Controller` class with no ResponseBody annotation, declared to return "
                f"`{f['return_type']}`: the caller gets a rendered page (a view name), not a JSON body:")
    where = "its class is a `@RestController`" if r["by"] == "RestController" else (
        "the method is annotated `@ResponseBody`" if r.get("on") == "method" else "its class is annotated `@ResponseBody`")
    return (f"`{f['method']}` is declared to return `{f['return_type']}`, written as the JSON response body "
            f"({where}). It returns:")


def _param_zh(x: dict) -> str:
    text_ = _binding_zh(x)
    return text_ + (f"说明：“{x['doc']}”。" if x.get("doc") and x["kind"] in ("path", "query", "header") else "")


def _binding_zh(x: dict) -> str:
    decl = f"`{x['decl']}`"
    kind = x["kind"]
    if kind == "path":
        return f"{decl}：路径中的 `{{{x['key']}}}` 段。"
    if kind in ("query", "header"):
        what = "请求参数" if kind == "query" else "请求头"
        nf = x.get("null_fails")
        fails = (f"缺少它的请求会失败：`{nf['code']}`（{file_name(nf['at'])}:{nf['line']}）拿到 null，生成的 `{nf['example']}` "
                 f"对 null 值抛出 `{nf['exception']}`（{file_name(nf['path'])}:{nf['check_line']}）。" if nf else "")
        if x["why"] == "unannotated":
            out = (f"{decl}：没有绑定注解，Spring 按{what} `{x['key']}` 绑定但不要求必传，缺少时为 null。{fails}" if nf
                   else f"{decl}：没有绑定注解，Spring 按可选的{what} `{x['key']}` 绑定，缺少时为 null。")
        elif x["required"]:
            out = f"{decl}：{what} `{x['key']}`，必填，缺少时 Spring 直接拒绝请求。"
        elif x["why"] == "default":
            out = f"{decl}：{what} `{x['key']}`，可选，缺少时取 \"{x['default']}\"。"
        elif x["why"] == "optional":
            out = f"{decl}：{what} `{x['key']}`，可选（`Optional`）。"
        else:
            out = (f"{decl}：{what} `{x['key']}`，Spring 不要求必传（`required = false`），缺少时为 null。{fails}" if nf
                   else f"{decl}：{what} `{x['key']}`，可选（`required = false`），缺少时为 null。")
        if x.get("constraints"):
            out += f"类上有 `@Validated`，方法执行前会校验 {'、'.join(f'`{c}`' for c in x['constraints'])}。"
            out += "".join(f"`@{c['name']}` 是项目自定义的约束，由 `{c['validator']}` 校验"
                           f"（{file_name(c['path'])}:{c['line']}-{c['end_line']}）。" for c in x.get("custom") or [])
        return out
    if kind == "resolved":
        r = x["resolver"]
        h = r.get("header")
        read = (f"，取自请求头 \"{h['name']}\"（{file_name(r['path'])}:{h['line']}）" if h and h.get("name")
                else f"，取自常量 `{h['const']}` 所指的请求头（{file_name(r['path'])}:{h['line']}）" if h else "")
        return (f"{decl}：不是请求参数，由 `{r['class']}` 解析带 `@{x['annotation']}` 的参数"
                f"（{file_name(r['path'])}:{r['line']}）{read}。")
    if kind == "all_params":
        return f"{decl}：以 map 形式接收全部请求参数，Spring 不要求其中任何一个。"
    if kind == "session":
        return f"{decl}：调用方的 HTTP 会话（由会话 cookie 找到），由 Spring 提供，不是请求参数。"
    if kind == "model":
        return f"{decl}：视图的 model，由 Spring 提供，无需传递。"
    if kind == "request":
        return f"{decl}：当前请求，只用来给视图放属性（`setAttribute`）。"
    dto = x["dto"]
    if kind == "form":
        return (f"{decl}：项目里的类且没有绑定注解，Spring 用同名的请求参数逐个填充 `{dto['class']}`，都可选："
                + _fields_zh(dto, x["valid"]))
    if dto is None:
        return f"{decl}：请求体，必填，`{x['element']}` 的 JSON 数组。"
    if x["list"]:
        return (f"{decl}：请求体，必填，`{dto['class']}` 对象的 JSON 数组，每个元素具有该类的字段（代码读取、保留或存储其中哪些，"
                "此处未沿列表追踪）：" + _fields_zh(dto, x["valid"]))
    return f"{decl}：请求体，必填，JSON 格式的 `{dto['class']}` 对象，字段：" + _fields_zh(dto, x["valid"])


def _fields_zh(dto: dict, valid: bool) -> str:
    rows = []
    for fld in dto["fields"]:
        row = f"\n  - `{fld['name']}`（{fld['type']}）"
        if fld["doc"]:
            row += f"，说明“{fld['doc']}”"
        if fld["constraints"]:
            row += "，" + "、".join(f"`{c}`" for c in fld["constraints"])
        if fld.get("overwritten"):
            by = f"`{fld['overwritten']['by']}`" if fld["overwritten"].get("by") else "处理方法"
            row += f"；{by} 会用 `{fld['overwritten']['code']}` 覆盖传入的值"
        if fld.get("defaulted"):
            d = fld["defaulted"]
            row += f"；未传入时（`{d['test']}`），`{d['by']}` 用 `{d['code']}` 设置它"
        rows.append(row)
    out = "".join(rows)
    if dto.get("read") is not None:
        used = "、".join(f"`{r['field']}`" for r in dto["read"]) or "其中任何字段"
        out += f"\n  代码只读取其中的 {used}（沿它被传入的方法追踪）；其他字段传了也不会被使用。"
    for g in dto.get("gated") or []:
        out += f"\n  当 `{g['test']}` 时，`{g['by']}` 还会执行 `{g['code']}`（{file_name(g['path'])}:{g['line']}）。"
    if any(fld["constraints"] for fld in dto["fields"]):
        out += ("\n  参数上有 `@Valid`/`@Validated`，这些约束会被校验。" if valid
                else "\n  参数上没有 `@Valid`/`@Validated`，这些约束在此请求中不会被校验。")
    return out


def _return_zh(r: dict, n: int, kind: str, path: str) -> str:
    what = f"`{r['expr']}`"
    if kind == "view":
        view = r["view"]
        what += f"（重定向到 `{view[len('redirect:'):]}`）" if view.startswith("redirect:") else f"（渲染视图 `{view}`）"
    at = f"{file_name(path)}:{r['line']}"
    src = "".join(f"；`{s['var']}` 为 `{s['value']}`（{file_name(path)}:{s['line']}）" for s in r["sources"])
    if r["conds"]:
        when = "且".join(f"`{c['code']}` 成立" if c["kind"] == "if" else f"`{c['code']}` 不成立" for c in r["conds"])
        return f"- 当 {when}时返回 {what}（{at}{src}）"
    return f"- {'否则' if n > 0 else ''}返回 {what}（{at}）"


@unique_claims
def contract_answer(qkind: str, f: dict, lang: str, seed: str, cite: Cite, path: str):
    en = lang == "en"
    at = lambda line, p=None: cite.at(line, p or f["path"])  # noqa: E731
    route_ids = list(dict.fromkeys([at(f["mapping_line"])] + ([at(f["class_mapping_line"])]
                                                              if f.get("class_mapping_line") else [])))
    joined = bool(f.get("class_mapping_line"))
    trace = [((f"{f['handler']} serves the path `{f['route']}` "
               + ("(its class mapping and its own)" if joined else "(its own mapping; the class has none)") if en
               else f"{f['handler']} 对应路径 `{f['route']}`"
               + ("（类上的映射加上方法的映射）" if joined else "（方法自己的映射，类上没有）")), route_ids)]
    params = f["params"]
    if en:
        lines_ = [f"`{f['verb']} {f['route']}` is handled by `{f['handler']}`."]
        resolved = any(x["kind"] == "resolved" for x in params)   # a resolver reads the request (a token header):
        lines_.append("What to send:" if any(x["kind"] not in ("session", "model", "request", "resolved") for x in params)
                      else "The caller sends no parameter." if not params   # not "nothing" (blind read 21I: litemall S14)
                      else "The caller sends no request parameter; what the resolver below reads from the request "
                           "(a header, a token) must still be there:" if resolved
                      else "The caller sends no parameter:")
        lines_ += [f"- {_param_en(x)}" for x in params]
        if f.get("login"):
            lines_.append(f"- {_login_en(f['login'])}")
        queries = _by_query(params)
        if queries:
            lines_.append("Where the inputs pick rows (followed down the calls):")
            lines_ += [f"- {_query_en(q)}" for q in queries]
    else:
        sends = any(x["kind"] not in ("session", "model", "request", "resolved") for x in params)
        lines_ = [f"`{f['verb']} {f['route']}` 由 `{f['handler']}` 处理。",
                  "需要传递：" if sends else "调用方不需要传参数。" if not params
                  else "调用方不需要传请求参数；但下面的解析器从请求中读取的内容（请求头、令牌）仍须提供："
                  if any(x["kind"] == "resolved" for x in params) else "调用方不需要传参数："]
        lines_ += [f"- {_param_zh(x)}" for x in params]
        if f.get("login"):
            lines_.append(f"- {_login_zh(f['login'])}")
        queries = _by_query(params)
        if queries:
            lines_.append("各输入用于筛选哪些记录（沿调用追踪）：")
            lines_ += [f"- {_query_zh(q)}" for q in queries]
    for a in f.get("access") or []:
        lines_.append(f"- Access: `{a['code']}` decides who may call it at all, before the method runs." if en
                      else f"- 访问控制：`{a['code']}` 在方法执行前决定谁能调用。")
        trace.append(((f"{f['handler']} is guarded by `{a['code']}`" if en else f"{f['handler']} 受 `{a['code']}` 保护"),
                      [at(a["line"])]))
    if f.get("login"):
        trace += _login_trace(f["login"], en, at)
    for x in params:
        trace += _param_trace(x, f, en, at)
        trace += [claim for e in x.get("effects") or [] for claim in _effect_trace(x, e, en, at)]
    if en:
        lines_.append(_response_en(f))
        lines_ += [_return_en(r, n, f["response"]["kind"], f["path"]) for n, r in enumerate(f["returns"])]
    else:
        r = f["response"]
        lines_.append(f"`{f['method']}` 声明返回 `{f['return_type']}`，" + (
            "是 `@Controller` 类里没有 ResponseBody 注解的方法，调用方得到渲染后的页面（视图名），不是 JSON："
            if r["kind"] == "view"
            else "作为 JSON 响应体返回，可能的返回："))
        lines_ += [_return_zh(r_, n, f["response"]["kind"], f["path"]) for n, r_ in enumerate(f["returns"])]
    factories = {(r["factory"]["path"], r["factory"]["line"]): r["factory"] for r in f["returns"] if r.get("factory")}
    for fac in factories.values():
        consts = "".join(f"; `{c['name']}` is `{c['code']}` ({file_name(c['path'])}:{c['line']})" for c in fac["constants"])
        at_ = f"{file_name(fac['path'])}:{fac['line']}"
        lines_.append(f"{fac['call']} builds `{fac['returns']}` ({at_}){consts}." if en
                      else f"{fac['call']} 构造 `{fac['returns']}`（{at_}）{consts}。")
        trace.append(((f"{fac['call']} returns `{fac['returns']}`" if en else f"{fac['call']} 返回 `{fac['returns']}`"),
                      [at(fac["line"], fac["path"])]))
        trace += [((f"`{c['name']}` is declared as `{c['code']}`" if en else f"`{c['name']}` 声明为 `{c['code']}`"),
                   [at(c["line"], c["path"])]) for c in fac["constants"]]
    if f.get("calls"):
        lines_.append("These are the handler's own returns; what an exception thrown by a method it calls produces is "
                      "decided elsewhere." if en else "以上是处理方法自身的返回；它调用的方法抛出异常时返回什么由别处决定。")
    r = f["response"]
    trace.append(((f"{f['handler']} is declared to return `{f['return_type']}`" if en
                   else f"{f['handler']} 声明返回 `{f['return_type']}`"), [at(f["sig_line"])]))
    on = "the method" if r.get("on") == "method" else "the class"
    if en:
        claim = (f"`@{r['by']}` on {on}: the return value is the response body" if r["kind"] == "body"
                 else "`@Controller` on the class: a returned value names the view to render")
    else:
        claim = f"`@{r['by']}` 决定返回值是响应体" if r["kind"] == "body" else "类上是 `@Controller`：返回值是要渲染的视图名"
    trace.append((claim, [at(r["line"])]))
    for r_ in f["returns"]:
        ids = [at(r_["line"])] + [at(c["line"]) for c in r_["conds"]]
        claim = (f"{f['handler']} returns `{r_['expr']}`" + (f" when {_when_en(r_)}" if r_["conds"] else "")
                 if en else f"{f['handler']} 返回 `{r_['expr']}`")
        trace.append((claim, list(dict.fromkeys(ids))))
        trace += [((f"`{s['var']}` is assigned `{s['value']}`" if en else f"`{s['var']}` 的值是 `{s['value']}`"),
                   [at(s["line"])]) for s in r_["sources"]]
    return "\n".join(lines_), trace


def _input_name(x: dict, e: dict) -> str:
    return f"{x['name']}.{e['field']}" if e["field"] else x["name"]


_PICKS_EN = {"select": "reads", "select one": "reads", "load": "loads", "load one": "loads", "count": "counts",
             "exists": "looks for",
             "update": "updates", "delete": "deletes", "soft-delete": "marks as deleted"}
_PICKS_ZH = {"select": "读取", "select one": "读取", "load": "加载", "load one": "加载", "count": "统计", "exists": "查找",
             "update": "更新", "delete": "删除", "soft-delete": "逻辑删除"}


def _login_en(g: dict) -> str:
    """Whether the filter chain lets the route through without a login (core.generate.security_facts)."""
    chain = f"`{g['label']}` ({file_name(g['path'])}:{g['start']}-{g['end']})"
    listed = g["list"]
    where = f"the list in {listed['path']} ({file_name(listed['path'])}:{listed['start']}-{listed['end']})" if listed \
        else "the patterns it names"
    m = g["match"]
    if m:
        at = f" ({file_name(m['path'])}:{m['line']})" if m.get("line") else ""
        has = f"{where} has" if m["path"] != g["path"] else "it names"
        return (f"Login: not needed: {chain} lets the paths of its white list through without login, and {has} "
                f"`{m['pattern']}`{at}, which matches the path {g['route']}.")
    h = g["header"]
    token = (f"; `{h['class']}` reads the login token from the request header named by `{h['key']}` "
             f"({file_name(h['path'])}:{h['end']})" if h else "")
    more = "".join(f" The chain also adds `{x['filter']}` where a `{x['bean_type']}` bean exists "
                   f"({file_name(g['path'])}:{x['start']}-{x['end']}), and `{x['bean']['label']}` defines one in this "
                   f"module ({file_name(x['bean']['path'])}:{x['bean']['line']}): that filter can refuse a signed-in "
                   "caller too, by rules this answer does not follow." for x in g.get("filters") or [])
    return (f"Login: required: {chain} lets only the paths of its white list through without login and requires every "
            f"other request to be authenticated; no pattern in {where} matches the path {g['route']}{token}.{more}")


def _login_zh(g: dict) -> str:
    chain = f"`{g['label']}`（{file_name(g['path'])}:{g['start']}-{g['end']}）"
    listed = g["list"]
    where = f"{listed['path']} 中的列表（{file_name(listed['path'])}:{listed['start']}-{listed['end']}）" if listed \
        else "它列出的路径"
    m = g["match"]
    if m:
        at = f"（{file_name(m['path'])}:{m['line']}）" if m.get("line") else ""
        has = f"{where}有" if m["path"] != g["path"] else "它列出了"
        return f"登录：不需要：{chain} 放行白名单中的路径，{has} `{m['pattern']}`{at}，匹配路径 {g['route']}。"
    h = g["header"]
    token = (f"；`{h['class']}` 从 `{h['key']}` 指定的请求头读取登录令牌（{file_name(h['path'])}:{h['end']}）" if h else "")
    more = "".join(f"存在 `{x['bean_type']}` bean 时过滤链还会加入 `{x['filter']}`"
                   f"（{file_name(g['path'])}:{x['start']}-{x['end']}），"
                   f"本模块的 `{x['bean']['label']}` 定义了它（{file_name(x['bean']['path'])}:{x['bean']['line']}）："
                   "该过滤器也可能拒绝已登录的调用方，其规则此处未追踪。" for x in g.get("filters") or [])
    return (f"登录：需要：{chain} 只放行白名单中的路径，其余请求都要求已认证；{where}没有匹配路径 {g['route']} 的模式"
            f"{token}。{more}")


def _login_trace(g: dict, en: bool, at) -> list[tuple[str, list[str]]]:
    out = [((f"`{g['label']}` lets its white-list paths through and requires authentication for any other request"
             if en else f"`{g['label']}` 放行白名单路径，其余请求要求认证"),
            [at(g["start"], g["path"]), at(g["end"], g["path"])])]
    if g["list"]:
        out.append(((f"{g['list']['path']} lists the white-list paths" if en else f"{g['list']['path']} 列出白名单路径"),
                    [at(g["list"]["start"], g["list"]["path"])]))
    m = g["match"]
    if m and m.get("line"):
        out.append(((f"the list has `{m['pattern']}`" if en else f"列表中有 `{m['pattern']}`"), [at(m["line"], m["path"])]))
    for x in g.get("filters") or []:
        out.append(((f"the chain adds `{x['filter']}` when a `{x['bean_type']}` bean exists" if en
                     else f"存在 `{x['bean_type']}` bean 时过滤链加入 `{x['filter']}`"), [at(x["start"], g["path"])]))
        out.append(((f"`{x['bean']['label']}` defines a `{x['bean_type']}` bean" if en
                     else f"`{x['bean']['label']}` 定义了 `{x['bean_type']}` bean"), [at(x["bean"]["line"], x["bean"]["path"])]))
    if (h := g["header"]) and not m:
        out.append(((f"`{h['class']}` reads the request header named by `{h['key']}`" if en
                     else f"`{h['class']}` 读取 `{h['key']}` 指定的请求头"),
                    [at(h["start"], h["path"]), at(h["end"], h["path"])]))
    return out


def _by_query(params: list[dict]) -> list[dict]:
    """The inputs' effects grouped by the query they reach: {scope, verb, inputs: [(name, cond, renamed)], rest}
    where `rest` are the query's conditions no input fills (a row must match them too)."""
    out: dict[tuple, dict] = {}
    for x in params:
        for e in x.get("effects") or []:
            conds = [e["cond"], *e["others"]]
            key = (e["scope"], tuple(sorted((c["path"], c["line"], c["code"]) for c in conds)))
            q = out.setdefault(key, {"scope": e["scope"], "verb": e["verb"], "inputs": [], "conds": conds,
                                     "under": e.get("under") or [], "exits": e.get("exits") or []})
            last = e.get("as") or (e["hops"][-1]["param"] if e["hops"] and not e["field"] else x["name"])
            q["inputs"].append((_input_name(x, e), e["cond"], last if last != x["name"] else None))
    for q in out.values():
        filled = {(c["path"], c["line"], c["code"]) for _, c, _ in q["inputs"]}
        q["rest"] = [c for c in q["conds"] if (c["path"], c["line"], c["code"]) not in filled]
    return list(out.values())


def _when(c: dict, en: bool = True) -> str:
    if not c["when"]:
        return ""
    tests = " and ".join(f"`{w}`" for w in c["when"]) if en else " 且 ".join(f"`{w}`" for w in c["when"])
    return f", only when {tests}" if en else f"，仅当 {tests} 时"


def _query_en(q: dict) -> str:
    """'`PmsSkuStockServiceImpl.getList` reads the rows that match `pid` in `andProductIdEqualTo(pid)` (X.java:29);
    `keyword` in `andSkuCodeLike(..)` (X.java:31), only when ..; and also `andDeletedEqualTo(false)`'."""
    said = "; ".join(f"`{name}`" + (f" (as `{renamed}`)" if renamed else "") + f" in {_code(c)} "
                     f"({file_name(c['path'])}:{c['line']}){_when(c)}" for name, c, renamed in q["inputs"])
    rest = ("; and also " + ", ".join(_rest_code(c) + (f" (only when {' and '.join(f'`{w}`' for w in c['when'])})"
                                                       if c["when"] else "") for c in q["rest"])) if q["rest"] else ""
    return f"`{q['scope']}` {_PICKS_EN[q['verb']]} the rows that match {said}{rest}{_under(q['under'])}" + _exits(q)


def _exits(q: dict, en: bool = True) -> str:
    """The early exits before the query (param_effects.exits_before): it runs only when none of them fires."""
    if not q.get("exits"):
        return ""
    said = [f"`{x['code']}` ({file_name(x['path'])}:{x['line']})" for x in q["exits"]]
    return (f", unless an earlier check ends the method first: {'; '.join(said)}" if en
            else f"，除非更早的检查先结束方法：{'；'.join(said)}")


def _under(under: list[dict], en: bool = True) -> str:
    """The branches the write's call sits in (param_effects._keyed_writes): it runs only on that path."""
    if not under:
        return ""
    said = [f"`{c['code']}`" if c["kind"] == "if" else f"not `{c['code']}`" for c in under]
    at = f"{file_name(under[-1]['path'])}:{under[-1]['line']}"
    fails = "".join((f"; otherwise it fails with {o['shown']} ({file_name(c['path'])}:{o['line']})" if en
                     else f"；否则以 {o['shown']} 失败（{file_name(c['path'])}:{o['line']}）")
                    for c in under if (o := c.get("otherwise")))
    return (f", only when {' and '.join(said)} ({at}){fails}" if en else f"，仅当 {' 且 '.join(said)}（{at}）{fails}")


def _code(c: dict, en: bool = True) -> str:
    """The condition in a code span; one with MySQL's backquotes as prose (they would end the span); with the label
    of the code it tests, where the repository names it (blind read 22T: mall S15 never said 3 means rejected)."""
    code = c["code"].replace("`", "") if "`" in c["code"] else f"`{c['code']}`"
    if lab := c.get("label"):
        code += f' ({lab["code"]} = "{lab["label"]}")' if en else f"（{lab['code']} 即“{lab['label']}”）"
    return code


def _rest_code(c: dict, en: bool = True) -> str:
    """Another condition of the query: quoted when its line holds it whole, else named by its line."""
    if c.get("verbatim", True):
        return _code(c, en)
    return f"the condition at {file_name(c['path'])}:{c['line']}" if en else f"{file_name(c['path'])}:{c['line']} 处的条件"


def _query_zh(q: dict) -> str:
    said = "；".join(f"`{name}`" + (f"（即 `{renamed}`）" if renamed else "") + f" 用于 {_code(c, False)}"
                    f"（{file_name(c['path'])}:{c['line']}）{_when(c, False)}" for name, c, renamed in q["inputs"])
    rest = ("；另外还须满足 " + "、".join(_rest_code(c, False) for c in q["rest"])) if q["rest"] else ""
    return f"`{q['scope']}` {_PICKS_ZH[q['verb']]}满足以下条件的记录：{said}{rest}{_under(q['under'], False)}" + _exits(q, False)


def _effect_trace(x: dict, e: dict, en: bool, at) -> list[tuple[str, list[str]]]:
    out = []
    for h in e["hops"]:   # the call, and the callee's declaration that names the parameter
        if h.get("says"):   # the record that carries the value as its key (param_effects._keyed_writes)
            out.append((h["says"][0] if en else h["says"][1], [at(h["line"], h["path"])]))
            continue
        name = h["callee"].rsplit(".", 1)[-1]
        ids = list(dict.fromkeys([at(h["line"], h["path"])] + ([at(h["decl_line"], h["decl_path"])]
                                                                if h.get("decl_line") else [])))
        out.append(((f"`{h['label']}` calls `{name}` with `{h['arg']}`, which `{name}` takes as `{h['param']}`" if en
                     else f"`{h['label']}` 以 `{h['arg']}` 调用 `{name}`，`{name}` 以参数 `{h['param']}` 接收"), ids))
    if e.get("call"):
        k = e["call"]
        out.append(((f"`{e['scope']}` runs it with `{k['name']}` ({file_name(k['path'])}:{k['line']})" if en
                     else f"`{e['scope']}` 用 `{k['name']}` 执行（{file_name(k['path'])}:{k['line']}）"),
                    [at(k["line"], k["path"])]))
    for c in e.get("under") or []:
        test = f"`{c['code']}`" if c["kind"] == "if" else f"not `{c['code']}`"
        out.append(((f"`{c['label']}` makes that call only when {test}" if en else f"`{c['label']}` 仅当 {test} 时调用"),
                    list(dict.fromkeys([at(c["line"], c["path"]), at(c["branch_line"], c["path"])]))))
        if o := c.get("otherwise"):
            out.append(((f"otherwise `{c['label']}` fails with {o['shown']}" if en
                         else f"否则 `{c['label']}` 以 {o['shown']} 失败"), [at(o["line"], c["path"])]))
    for c in [e["cond"], *e["others"]]:
        bare = {**c, "label": None}         # the label is a claim of its own, citing where it is declared
        out.append(((f"`{e['scope']}` has {_rest_code(bare)}" if en else f"`{e['scope']}` 有条件 {_rest_code(bare, False)}"),
                    list(dict.fromkeys([at(c["line"], c["path"]), *(at(n, c["path"]) for n in c["when_lines"])]))))
        if lab := c.get("label"):
            out.append(((f"code {lab['code']} is labelled \"{lab['label']}\"" if en
                         else f"代码 {lab['code']} 表示“{lab['label']}”"),
                        list(dict.fromkeys(at(n, lab["path"]) for n in (lab["line"], lab.get("name_line")) if n))))
    for x_ in e.get("exits") or []:
        out.append(((f"an earlier check ends the method when `{x_['code']}` ({file_name(x_['path'])}:{x_['line']})"
                     if en else f"更早的检查在 `{x_['code']}` 时结束方法（{file_name(x_['path'])}:{x_['line']}）"),
                    list(dict.fromkeys([at(x_["line"], x_["path"]), at(x_["end"], x_["path"])]))))
    return out


def _param_trace(x: dict, f: dict, en: bool, at) -> list[tuple[str, list[str]]]:
    out = [((f"{f['handler']} declares the parameter `{x['decl']}`" if en
             else f"{f['handler']} 声明参数 `{x['decl']}`"), [at(x["line"])])]
    if x.get("doc") and x["kind"] in ("path", "query", "header"):
        out.append(((f"`{x['name']}` is documented as \"{x['doc']}\"" if en else f"`{x['name']}` 的说明是“{x['doc']}”"),
                    [at(x["line"])]))
    if x.get("constraints") and f.get("validated_line"):
        out.append((("the class is annotated `@Validated`" if en else "类上有 `@Validated`"), [at(f["validated_line"])]))
    if x["kind"] == "resolved":
        r = x["resolver"]
        out.append(((f"`{r['class']}` handles `{x['annotation']}`" if en else f"`{r['class']}` 处理 `{x['annotation']}`"),
                    [at(r["line"], r["path"])]))
        h = r.get("header")
        if h:
            out.append(((f"`{r['class']}` reads the request header `{h.get('const') or h.get('name')}`" if en
                         else f"`{r['class']}` 读取请求头 `{h.get('const') or h.get('name')}`"), [at(h["line"], r["path"])]))
        if h and h.get("const") and h.get("name"):
            out.append(((f"`{h['const']}` is \"{h['name']}\"" if en else f"`{h['const']}` 的值是 \"{h['name']}\""),
                        [at(h["const_line"], r["path"])]))
    if nf := x.get("null_fails"):
        out.append(((f"the generated `{nf['example']}` throws `{nf['exception']}` when a criterion's value is null" if en
                     else f"生成的 `{nf['example']}` 在条件值为 null 时抛出 `{nf['exception']}`"),
                    [at(nf["check_line"], nf["path"]), at(nf["throw_line"], nf["path"])]))
    for c in x.get("custom") or []:
        out.append(((f"`{c['name']}` is validated by `{c['validator']}`" if en else f"`{c['name']}` 由 `{c['validator']}` 校验"),
                    [at(c["line"], c["path"])]))
    dto = x.get("dto")
    if dto:
        shown = ", ".join(f"`{' '.join([*fld['constraints'], fld['type'], fld['name']])}`" for fld in dto["fields"])
        out.append(((f"`{dto['class']}` declares the fields {shown}" if en else f"`{dto['class']}` 声明字段 {shown}"),
                    [at(dto["fields"][0]["line"], dto["path"])]))
        out += [((f"`{r['by']}` reads `{x['name']}.{r['field']}`" if en else f"`{r['by']}` 读取 `{x['name']}.{r['field']}`"),
                 [at(r["line"], r["path"])]) for r in dto.get("read") or []]
        for fld in dto["fields"]:
            if fld.get("overwritten"):
                w = fld["overwritten"]
                by = w.get("by") or f["handler"]
                out.append(((f"{by} calls `{w['code']}`" if en else f"{by} 调用 `{w['code']}`"),
                            [at(w["line"], w.get("path"))]))
        out += [((f"{g['by']} calls `{g['code']}` when `{g['test']}`" if en
                  else f"{g['by']} 在 `{g['test']}` 时调用 `{g['code']}`"),
                 list(dict.fromkeys([at(g["test_line"], g["path"]), at(g["line"], g["path"])])))
                for g in dto.get("gated") or []]
        for fld in dto["fields"]:
            if fld.get("defaulted"):
                d = fld["defaulted"]
                out.append(((f"{d['by']} calls `{d['code']}` when `{d['test']}`" if en
                             else f"{d['by']} 在 `{d['test']}` 时调用 `{d['code']}`"),
                            list(dict.fromkeys([at(d["test_line"], d["path"]), at(d["line"], d["path"])]))))
    return out

