"""Benchmark: `polaris api diff` on a 5+ MB OpenAPI spec pair, against the load+resolve floor.

No network and no shipped corpus: a realistic spec (hundreds of resources, each with list/create/
get/update/delete operations, shared and recursive component schemas, enums, constraints, prose
descriptions) is generated from a fixed seed, then mutated, again from a fixed seed, into a "next
version" with a few dozen breaking and non-breaking edits, the way real releases differ.

Measured, best of ``--repeat`` runs:

* **floor**: parse both JSON files and resolve their ``$ref`` s (what any differ must do first);
* **diff**: :func:`polaris.apis.openapi_diff.diff_openapi` on the two resolved documents;
* **validate** (reported, not part of the goal): ``openapi-spec-validator`` on both.

Goal: diff < 2x floor and < 1 s for a 5 MB pair. oasdiff (the Go reference) is not installable
here (not on PyPI or Debian; its npm name is a placeholder), so it is not timed.

Run: ``python benchmarks/api_diff_bench.py [--resources 600] [--repeat 5] [--validate]``
"""

from __future__ import annotations

import argparse
import copy
import gc
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from polaris.apis.openapi_diff import diff_openapi
from polaris.apis.openapi_loader import load_openapi, parse_openapi, validate_openapi

WORDS = [
    "incident",
    "alert",
    "metric",
    "anomaly",
    "service",
    "model",
    "deploy",
    "rollback",
    "threshold",
    "window",
    "latency",
    "error",
    "budget",
    "owner",
    "team",
    "region",
    "cluster",
    "node",
    "pod",
    "trace",
    "span",
    "log",
    "event",
    "signal",
    "severity",
    "runbook",
    "escalation",
    "policy",
    "schedule",
    "rotation",
    "acknowledge",
    "resolve",
    "mitigate",
    "correlate",
]


def _text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def _property(rng: random.Random, schemas: list[str], common: list[str]) -> dict[str, Any]:
    kind = rng.random()
    desc = _text(rng, rng.randint(6, 18))
    if kind < 0.35:
        p: dict[str, Any] = {"type": "string", "description": desc}
        if rng.random() < 0.3:
            p["maxLength"] = rng.choice([64, 128, 255, 1024])
        if rng.random() < 0.15:
            p["format"] = rng.choice(["date-time", "uuid", "uri", "email"])
        return p
    if kind < 0.5:
        return {"type": "string", "description": desc,
                "enum": rng.sample(WORDS, rng.randint(2, 6))}  # fmt: skip
    if kind < 0.65:
        return {"type": rng.choice(["integer", "number"]), "minimum": 0,
                "maximum": rng.choice([100, 1000, 86400]), "description": desc}  # fmt: skip
    if kind < 0.72:
        return {"type": "boolean", "description": desc}
    # References go mostly to small shared schemas (Owner, Tag, Link...), rarely to a resource.
    target = rng.choice(schemas) if schemas and rng.random() < 0.1 else rng.choice(common)
    if kind < 0.87:
        return {"$ref": f"#/components/schemas/{target}"}
    if kind < 0.95:
        return {"type": "array", "description": desc, "maxItems": 500,
                "items": {"$ref": f"#/components/schemas/{target}"}}  # fmt: skip
    return {"type": "string", "description": desc}


def generate(resources: int, seed: int = 20260101) -> dict[str, Any]:
    """A realistic OpenAPI 3.0 document with ``resources`` CRUD resources."""
    rng = random.Random(seed)
    schemas: dict[str, Any] = {
        "Error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "enum": ["invalid", "not_found", "conflict"]},
                "message": {"type": "string"},
                "details": {"type": "array", "items": {"$ref": "#/components/schemas/Error"}},
            },
        }
    }
    names: list[str] = []
    common = [f"{w.capitalize()}Ref" for w in WORDS[:30]]
    for c in common:
        schemas[c] = {
            "type": "object",
            "description": _text(rng, 12),
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "name": {"type": "string", "maxLength": 128},
                "kind": {"type": "string", "enum": rng.sample(WORDS, 3)},
            },
        }
    paths: dict[str, Any] = {}
    err = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for i in range(resources):
        name = f"{rng.choice(WORDS).capitalize()}{rng.choice(WORDS).capitalize()}{i}"
        props = {
            f"{rng.choice(WORDS)}_{j}": _property(rng, names, common)
            for j in range(rng.randint(8, 22))
        }
        props["id"] = {"type": "string", "format": "uuid", "readOnly": True}
        if rng.random() < 0.1:
            props["parent"] = {"$ref": f"#/components/schemas/{name}"}  # recursive
        required = sorted(rng.sample(sorted(props), k=min(3, len(props))))
        schemas[name] = {"type": "object", "description": _text(rng, 20),
                         "required": required, "properties": props}  # fmt: skip
        schemas[f"{name}Page"] = {
            "type": "object",
            "required": ["items"],
            "properties": {
                "items": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
                "next_cursor": {"type": "string", "nullable": True},
            },
        }
        names.append(name)
        ref = {"$ref": f"#/components/schemas/{name}"}
        body = {"required": True, "content": {"application/json": {"schema": dict(ref)}}}
        one = {"description": _text(rng, 8), "content": {"application/json": {"schema": dict(ref)}}}
        base = f"/{name.lower()}s"
        paths[base] = {
            "get": {
                "operationId": f"list{name}",
                "summary": _text(rng, 5),
                "description": _text(rng, 30),
                "tags": [rng.choice(WORDS)],
                "parameters": [
                    {"name": "cursor", "in": "query", "schema": {"type": "string"}},
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 500},
                    },
                    {
                        "name": "status",
                        "in": "query",
                        "schema": {"type": "string", "enum": rng.sample(WORDS, 4)},
                    },
                ],
                "responses": {
                    "200": {
                        "description": "A page",
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{name}Page"}
                            }
                        },
                    },
                    "400": {"description": "Bad request", "content": copy.deepcopy(err)},
                },
            },
            "post": {
                "operationId": f"create{name}",
                "summary": _text(rng, 5),
                "requestBody": copy.deepcopy(body),
                "responses": {
                    "201": copy.deepcopy(one),
                    "400": {"description": "Bad", "content": copy.deepcopy(err)},
                },
            },
        }
        paths[f"{base}/{{id}}"] = {
            "parameters": [{"name": "id", "in": "path", "required": True,
                            "schema": {"type": "string", "format": "uuid"}}],
            "get": {"operationId": f"get{name}", "summary": _text(rng, 5),
                    "responses": {"200": copy.deepcopy(one),
                                  "404": {"description": "Gone", "content": copy.deepcopy(err)}}},
            "put": {"operationId": f"update{name}", "requestBody": copy.deepcopy(body),
                    "responses": {"200": copy.deepcopy(one)}},
            "delete": {"operationId": f"delete{name}",
                       "responses": {"204": {"description": "Gone"}}},
        }  # fmt: skip
    return {
        "openapi": "3.0.3",
        "info": {"title": "AIOps platform API", "version": "2.1.0", "description": _text(rng, 60)},
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": schemas,
        },
    }


def mutate(doc: dict[str, Any], seed: int = 7) -> dict[str, Any]:
    """The next version: a few dozen edits of the kinds real releases make."""
    rng = random.Random(seed)
    new = copy.deepcopy(doc)
    paths, schemas = new["paths"], new["components"]["schemas"]
    resource_paths = sorted(p for p in paths if not p.endswith("}"))
    for p in rng.sample(resource_paths, 5):  # endpoints removed
        del paths[p]
    for p in rng.sample(sorted(paths), 10):  # operations deprecated
        next(v for k, v in paths[p].items() if k != "parameters")["deprecated"] = True
    objects = sorted(k for k, v in schemas.items() if "properties" in v and not k.endswith("Page"))
    for name in rng.sample(objects, 40):
        s = schemas[name]
        prop = rng.choice(sorted(s["properties"]))
        action = rng.randrange(5)
        if action == 0:
            s["properties"][f"added_{rng.randrange(1000)}"] = {"type": "string"}
        elif action == 1:
            s["required"] = sorted({*s.get("required", ()), prop})
        elif action == 2 and "enum" in s["properties"][prop]:
            s["properties"][prop]["enum"].append("new_value")
        elif action == 3:
            s["properties"].pop(prop)
            s["required"] = [r for r in s.get("required", ()) if r != prop]
            if not s["required"]:
                del s["required"]  # OpenAPI 3.0 wants a non-empty list
        else:
            s["properties"][prop] = {"type": "integer"}
    for i in range(20):  # new endpoints
        paths[f"/reports/{i}"] = {"get": {"responses": {"200": {"description": "ok"}}}}
    return new


def _best(fn: Any, repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def main() -> None:
    """Generate, write, time and print."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--resources", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--validate", action="store_true", help="also time validation")
    args = ap.parse_args()

    old = generate(args.resources)
    new = mutate(old)
    with tempfile.TemporaryDirectory() as tmp:
        a, b = Path(tmp, "old.json"), Path(tmp, "new.json")
        a.write_text(json.dumps(old))
        b.write_text(json.dumps(new))
        size = (a.stat().st_size + b.stat().st_size) / 2 / 1e6
        n_paths, n_schemas = len(old["paths"]), len(old["components"]["schemas"])
        del old, new  # a real run does not hold the generator's copies

        def floor() -> tuple[dict[str, Any], dict[str, Any]]:
            return (load_openapi(a, validate=False).document,
                    load_openapi(b, validate=False).document)  # fmt: skip

        # Floor and diff alternate, round by round, so both see the same load on a shared
        # machine; CPU time (process_time) is printed too, as it moves less with that load.
        floor_w, floor_c, diff_w, diff_c = [], [], [], []
        report = None
        for _ in range(args.repeat):
            gc.collect()
            w0, c0 = time.perf_counter(), time.process_time()
            da, db = floor()  # resolution is in place: fresh documents each round
            floor_w.append(time.perf_counter() - w0)
            floor_c.append(time.process_time() - c0)
            gc.collect()  # the previous round's (cyclic) documents are not this round's cost
            w0, c0 = time.perf_counter(), time.process_time()
            report = diff_openapi(da, db)
            diff_w.append(time.perf_counter() - w0)
            diff_c.append(time.process_time() - c0)
            del da, db
        floor_s, diff_s = min(floor_w), min(diff_w)
        floor_cpu, diff_cpu = min(floor_c), min(diff_c)
        assert report is not None
        print(f"spec size: {size:.2f} MB per document ({n_paths} paths, {n_schemas} schemas)")
        print(f"floor (parse + resolve both): {floor_s:.3f} s  (CPU {floor_cpu:.3f} s)")
        print(
            f"diff:                         {diff_s:.3f} s  ({diff_s / floor_s:.2f}x floor; "
            f"CPU {diff_cpu:.3f} s, {diff_cpu / floor_cpu:.2f}x)"
        )
        print(f"changes: {len(report.changes)} ({dict(report.counts)}), bump {report.bump}")
        goal = diff_s < 2 * floor_s and diff_s < 1.0
        print(f"goal (diff < 2x floor and < 1 s): {'met' if goal else 'NOT met'}")
        if args.validate:
            docs = [parse_openapi(f.read_text(), source=str(f)) for f in (a, b)]
            val_s, _ = _best(lambda: [validate_openapi(d) for d in docs], 1)
            print(f"validation of both (openapi-spec-validator): {val_s:.2f} s")


if __name__ == "__main__":
    main()
