"""Placing classes in the architecture: layers from annotations and packages, REST endpoints, entry points."""

from __future__ import annotations

import re

_HTTP = {"GetMapping": "GET", "PostMapping": "POST", "PutMapping": "PUT", "DeleteMapping": "DELETE",
         "PatchMapping": "PATCH", "RequestMapping": None}
SCHEDULE_ANNOTATIONS = frozenset({"Scheduled", "Schedules", "XxlJob", "ElasticJob"})
LISTENER_ANNOTATIONS = frozenset({"RabbitListener", "RabbitHandler", "KafkaListener", "JmsListener", "EventListener",
                                  "TransactionalEventListener", "StreamListener", "RocketMQMessageListener",
                                  "SqsListener"})
STEREOTYPES = frozenset({"Component", "Service", "Configuration", "Controller", "RestController", "Repository",
                         "ControllerAdvice", "RestControllerAdvice", "SpringBootApplication", "Mapper"})
_COMMENTED_STEREOTYPE = re.compile(
    r"^\s*(?://+|/\*+|\*)\s*@(Component|Service|Configuration|Controller|RestController|Repository)\b")
ENTITY_ANNOTATIONS = frozenset({"Entity", "Table", "TableName"})   # JPA, MyBatis-Plus
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
_PATH_ARG = re.compile(r'\b(?:value|path)\s*=\s*(\{[^}]*\}|"(?:[^"\\]|\\.)*")')
_METHOD_ARG = re.compile(r"RequestMethod\.(\w+)")


def annotation_names(annotations: list[dict] | None) -> set[str]:
    return {a["name"].rsplit(".", 1)[-1] for a in annotations or []}


def layer_of(kind: str, name: str, package: str | None, annotations: list[dict] | None, supers: list | None) -> str:
    """controller | service | service_impl | dao | mapper | model | dto | component | config | other."""
    names = annotation_names(annotations)
    segments = set((package or "").lower().split("."))
    if names & {"RestController", "Controller"} or (name.endswith("Controller") and kind == "class"):
        return "controller"
    if names & ENTITY_ANNOTATIONS and kind == "class":
        return "model"
    if "Mapper" in names or (segments & {"mapper", "mappers"} and kind == "interface") or name.endswith("Mapper"):
        return "mapper"
    if name.endswith(("Dao", "DAO", "Repository")) or segments & {"dao", "repository"} and kind == "interface":
        return "dao"
    if "Service" in names or segments & {"service", "services"} or name.endswith(("Service", "ServiceImpl")):
        if kind == "interface":
            return "service"
        return "service_impl" if supers or name.endswith("Impl") else "service"
    if names & {"Configuration", "EnableWebSecurity", "SpringBootApplication"} or segments & {"config", "configuration"}:
        return "config"
    if names & ({"Component"} | LISTENER_ANNOTATIONS) or segments & {"component", "components", "task", "job",
                                                                       "listener", "mq"}:
        return "component"
    if segments & {"model", "entity", "entities", "domain", "po", "pojo", "bean"}:
        return "model"
    if segments & {"dto", "vo", "param", "params", "request", "response", "bo", "query"}:
        return "dto"
    return "other"


def routes(args: str) -> list[str]:
    """Paths named in a mapping annotation's arguments (`"/a"`, `{"/a", "/b"}`, `value = "/a"`, `path = {...}`)."""
    args = args.strip()
    named = _PATH_ARG.search(args)
    if named:
        return _STRING.findall(named.group(1)) or [""]
    if args.startswith('"'):
        return [_STRING.match(args).group(1)]
    if args.startswith("{"):
        return _STRING.findall(args[: args.find("}") + 1]) or [""]
    return [""]   # no path, or only other attributes (method = ..., produces = ...)


def join_route(prefix: str, path: str) -> str:
    route = "/" + "/".join(p.strip("/") for p in (prefix, path) if p.strip("/"))
    return route


def endpoint_specs(class_annotations: list[dict] | None, method_annotations: list[dict] | None) -> list[tuple[str, str]]:
    """(HTTP method, route) pairs a handler method serves; [] when it is not a handler."""
    prefixes = [""]
    for ann in class_annotations or []:
        if ann["name"].rsplit(".", 1)[-1] == "RequestMapping":
            prefixes = routes(ann.get("args") or "")
    out: list[tuple[str, str]] = []
    for ann in method_annotations or []:
        short = ann["name"].rsplit(".", 1)[-1]
        if short not in _HTTP:
            continue
        args = ann.get("args") or ""
        verbs = [_HTTP[short]] if _HTTP[short] else (_METHOD_ARG.findall(args) or ["ANY"])
        for prefix in prefixes:
            for path in routes(args):
                for verb in verbs:
                    out.append((verb, join_route(prefix, path)))
    return out


def summary_of(annotations: list[dict] | None, doc: str | None) -> str | None:
    """@ApiOperation("...") / @Operation(summary = "...") text, else the first line of the Javadoc."""
    for ann in annotations or []:
        short = ann["name"].rsplit(".", 1)[-1]
        if short in ("ApiOperation", "Operation"):
            strings = _STRING.findall(ann.get("args") or "")
            if strings:
                return strings[0]
    if doc:
        for line in doc.splitlines():
            line = re.sub(r"^\s*(/\*\*?|\*/|\*|//)\s*", "", line).strip()
            if line and not line.startswith("@"):
                return line
    return None


def entry_kind(method: dict, class_annotations: list[dict] | None) -> str | None:
    """scheduled | listener | None for a method symbol row.

    A listener annotation on the class (`@RabbitListener` with handler methods inside) makes each
    public instance method a listener, whatever the method itself carries.
    """
    names = annotation_names(method["annotations"])
    if names & SCHEDULE_ANNOTATIONS:
        return "scheduled"
    if names & LISTENER_ANNOTATIONS:
        return "listener"
    modifiers = method["modifiers"] or ""
    if annotation_names(class_annotations) & LISTENER_ANNOTATIONS and method["kind"] == "method" \
            and "public" in modifiers and "static" not in modifiers:
        return "listener"
    return None


_SNAKE = re.compile(r"(?<!^)(?=[A-Z])")


def table_name_for(class_name: str) -> str:
    """`OmsOrderItem` -> `oms_order_item` (MyBatis Generator's naming)."""
    return _SNAKE.sub("_", class_name).lower()


def commented_stereotype(header_lines: list[str]) -> str | None:
    """`//@Component` (or `/* @Service */`) among the lines above a class declaration: the annotation
    someone switched off, e.g. `Component`; None when there is none."""
    for line in header_lines:
        m = _COMMENTED_STEREOTYPE.match(line)
        if m:
            return m.group(1)
    return None


def inactive_reason(t: dict, header_lines: list[str], has_entry_points: bool, bean_types: set[str]) -> str | None:
    """Why a class never runs, or None. A class with a live stereotype is a bean; one whose stereotype
    is commented out is not; a job or listener class that no stereotype and no @Bean method registers
    never runs (its @Scheduled / @RabbitListener methods are never called)."""
    names = annotation_names(t["annotations"])
    if not names & STEREOTYPES:
        off = commented_stereotype(header_lines)
        if off:
            return f"@{off} is commented out"
        if has_entry_points and t["name"] not in bean_types:
            return "not a Spring bean: no stereotype annotation and no @Bean method creates it"
    return None
