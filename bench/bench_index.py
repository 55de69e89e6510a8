"""Index + map throughput, no-change re-index time, and scale (time and peak memory).

    .venv/bin/python bench/bench_index.py --repo PATH/TO/mall [--files 10000] [--skip-scale]

Prints, for the repository given by --repo: end-to-end index + map
throughput in MB/s of Java, and the time of a no-change re-index; then, for a
generated repository of N Java files (controller / service / impl / DAO /
model per "feature", plus mapper XML): index + map time and the peak
resident memory of the process that ran them. Targets on a 2-core machine:
>= 1.5 MB/s, no-change re-index < 0.5 s, 10,000 files < 2 min in < 2 GB.
Each measurement runs in a fresh subprocess so peak memory is its own.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = textwrap.dedent("""
    import argparse, json, resource, sys, time
    sys.path.insert(0, {root!r})
    from pathlib import Path
    from core.context import Context
    from core.domain import stage as map_stage
    from core.index import stage as index_stage
    from storage import Database

    repo, db_path, passes = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    ctx = Context(db=Database(db_path), repo=repo, domains=["order", "stock"])
    out = {{}}
    t0, c0 = time.perf_counter(), time.process_time()
    counts = index_stage.run(ctx, argparse.Namespace(full=False))
    t1 = time.perf_counter()
    map_counts = map_stage.run(ctx, argparse.Namespace(domain_config=None))
    t2, c2 = time.perf_counter(), time.process_time()
    out.update(index_s=t1 - t0, map_s=t2 - t1, cpu_s=c2 - c0, counts=counts, map=map_counts)
    if passes > 1:
        t3 = time.perf_counter()
        again = index_stage.run(ctx, argparse.Namespace(full=False))
        out.update(reindex_s=time.perf_counter() - t3, reparsed=again["parsed"])
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))
""")


def measure(repo: Path, passes: int) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        done = subprocess.run([sys.executable, "-c", _CHILD.format(root=str(ROOT)), str(repo),
                               str(Path(tmp) / "bench.duckdb"), str(passes)], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return json.loads(done.stdout.strip().splitlines()[-1])


def generate_repo(root: Path, n_files: int) -> None:
    """A synthetic Spring + MyBatis code base: features of 5 Java files each, one mapper XML per feature."""
    features = max(1, n_files // 5)
    root.mkdir(parents=True, exist_ok=True)
    (root / "pom.xml").write_text("<project><modules><module>app</module></modules></project>")
    base = root / "app" / "src" / "main"
    (base / "resources" / "dao").mkdir(parents=True)
    (base / "resources" / "application.yml").write_text("server:\n  port: 8080\n")
    for kind in ("controller", "service", "service/impl", "dao", "model"):
        (base / "java" / "org" / "gen" / kind).mkdir(parents=True, exist_ok=True)
    for i in range(features):
        name = f"Ord{i:05d}Item"
        pkg = base / "java" / "org" / "gen"
        fields = "\n".join(f"    /** field {k}: 0->a; 1->b */\n    private Integer f{k};" for k in range(12))
        accessors = "\n".join(f"    public Integer getF{k}() {{\n        return f{k};\n    }}\n\n"
                              f"    public void setF{k}(Integer v) {{\n        this.f{k} = v;\n    }}" for k in range(12))
        (pkg / "model" / f"{name}.java").write_text(
            f"package org.gen.model;\n\npublic class {name} {{\n    private Long id;\n{fields}\n\n{accessors}\n}}\n")
        (pkg / "dao" / f"{name}Dao.java").write_text(
            f"package org.gen.dao;\n\nimport org.gen.model.{name};\n\npublic interface {name}Dao {{\n"
            f"    {name} getById(Long id);\n\n    int lock(Long id, Integer count);\n}}\n")
        (pkg / "service" / f"{name}Service.java").write_text(
            f"package org.gen.service;\n\npublic interface {name}Service {{\n    int process(Long id, Integer n);\n}}\n")
        body = "\n".join(f"        if (item.getF{k}() != null && item.getF{k}() > {k}) {{\n"
                         f"            total += item.getF{k}() * n;\n        }}" for k in range(12))
        (pkg / "service" / "impl" / f"{name}ServiceImpl.java").write_text(
            f"package org.gen.service.impl;\n\nimport org.gen.dao.{name}Dao;\nimport org.gen.model.{name};\n"
            f"import org.gen.service.{name}Service;\nimport org.springframework.stereotype.Service;\n\n@Service\n"
            f"public class {name}ServiceImpl implements {name}Service {{\n    private {name}Dao dao;\n\n"
            f"    @Override\n    public int process(Long id, Integer n) {{\n        {name} item = dao.getById(id);\n"
            f"        int total = 0;\n{body}\n        if (dao.lock(id, n) == 0) {{\n"
            f"            throw new IllegalStateException(\"no stock\");\n        }}\n        return total;\n    }}\n}}\n")
        (pkg / "controller" / f"{name}Controller.java").write_text(
            f"package org.gen.controller;\n\nimport org.gen.service.{name}Service;\n"
            f"import org.springframework.web.bind.annotation.*;\n\n@RestController\n@RequestMapping(\"/item{i}\")\n"
            f"public class {name}Controller {{\n    private {name}Service service;\n\n    @PostMapping(\"/process\")\n"
            f"    public int process(@RequestParam Long id, @RequestParam Integer n) {{\n"
            f"        return service.process(id, n);\n    }}\n}}\n")
        table = f"ord_{i:05d}_item"
        (base / "resources" / "dao" / f"{name}Dao.xml").write_text(
            f'<?xml version="1.0" encoding="UTF-8"?>\n<mapper namespace="org.gen.dao.{name}Dao">\n'
            f'    <select id="getById" resultType="org.gen.model.{name}">\n        SELECT * FROM {table} WHERE id = #{{id}}\n'
            f'    </select>\n    <update id="lock">\n        UPDATE {table} SET f0 = f0 - #{{count}}\n'
            f'        WHERE id = #{{id}} AND f0 &gt;= #{{count}}\n    </update>\n</mapper>\n')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, required=True, help="a Java repository, e.g. a checkout of mall")
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--skip-scale", action="store_true")
    args = parser.parse_args()

    if args.repo.is_dir():
        r = measure(args.repo, passes=2)
        mb = r["counts"]["java_bytes"] / 1e6
        total = r["index_s"] + r["map_s"]
        c = r["counts"]
        print(f"{args.repo}: {c['java_files']} Java files, {mb:.2f} MB of Java")
        print(f"  index {r['index_s']:.2f} s + map {r['map_s']:.2f} s = {total:.2f} s -> {mb / total:.2f} MB/s "
              f"(target >= 1.5 MB/s); CPU time {r['cpu_s']:.2f} s -> {mb / r['cpu_s']:.2f} MB/s of CPU "
              "(the wall figure moves with the machine's load)")
        print(f"  no-change re-index: {r['reindex_s']:.3f} s, {r['reparsed']} files parsed (target < 0.5 s)")
        print(f"  files {c['files']}, chunks {c['chunks']}, symbols {c['symbols']}, calls {c['calls']} "
              f"(resolved {c['calls_resolved']}, external {c['calls_external']}, resolved share of in-repo calls "
              f"{c['calls_resolved_pct']}%), SQL statements {c['sql_statements']} (linked {c['sql_linked_pct']}%)")
        print(f"  map: {json.dumps(r['map'])}; peak RSS {r['peak_rss_mb']:.0f} MB")
    else:
        print(f"{args.repo}: not a directory, skipped")

    if not args.skip_scale:
        with tempfile.TemporaryDirectory() as tmp:
            repo = Path(tmp) / "generated"
            generate_repo(repo, args.files)
            r = measure(repo, passes=2)
            c = r["counts"]
            total = r["index_s"] + r["map_s"]
            print(f"generated repo: {c['java_files']} Java files, {c['java_bytes'] / 1e6:.1f} MB of Java")
            print(f"  index {r['index_s']:.1f} s + map {r['map_s']:.1f} s = {total:.1f} s, CPU {r['cpu_s']:.1f} s "
                  "(target < 120 s); "
                  f"peak RSS {r['peak_rss_mb']:.0f} MB (target < 2048 MB)")
            print(f"  no-change re-index: {r['reindex_s']:.2f} s; chunks {c['chunks']}, symbols {c['symbols']}, "
                  f"calls resolved {c['calls_resolved_pct']}%, SQL linked {c['sql_linked_pct']}%")


if __name__ == "__main__":
    main()
