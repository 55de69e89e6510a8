"""`extract`: business rules (guards, transitions, SQL invariants, calculations, schedules,
messaging, status dictionaries, side effects) from the index and domain map, with minimal evidence."""

from __future__ import annotations

from collections import Counter

from core.errors import UserError


def add_arguments(parser) -> None:
    pass


def run(ctx, args) -> dict:
    from core.rules.extract import Extractor, MapView
    from storage import domain_store, rules_store

    repo_id = ctx.repo_id()
    with ctx.db.connect() as con:
        view = MapView(
            files=rules_store.files(con, repo_id), classes=rules_store.map_classes(con, repo_id),
            status_dicts=rules_store.status_dicts(con, repo_id), sql_statements=rules_store.sql_statements(con, repo_id),
            entities=rules_store.entities(con, repo_id),
            methods=rules_store.symbols(con, repo_id, ("method", "constructor")), calls=rules_store.calls(con, repo_id),
            constants=domain_store.constants(con, repo_id),
        )
    if not view.files:
        raise UserError(f"repository {repo_id!r} is not indexed: run `python -m core index --repo PATH` first")
    if not view.classes:
        raise UserError(f"no domain map for {repo_id!r}: run `python -m core map` first")
    extractor = Extractor(view, ctx.repo_root(), ctx.domains)
    paths = extractor.java_files()
    ctx.progress.start("extract", len(paths))
    rules = extractor.rules()
    ctx.progress.advance(len(paths))
    rows = [r.model_dump(mode="json") | {"repo_id": repo_id} for r in rules]
    with ctx.db.transaction() as con:
        rules_store.replace_rules(con, repo_id, ctx.domains, rows)
    counts = Counter(r.kind for r in rules)
    ctx.progress.finish(f"{len(rules)} rules: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    return {"rules": len(rules), **{f"rules_{k}": v for k, v in counts.items()}}
