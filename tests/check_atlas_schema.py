#!/usr/bin/env python3
"""Validates every Atlas answer of a traffic log (brcheck run --traffic) against the
vendor's schemas (spec/vendor/atlas_tenant_schemas.json, derived from the OpenAPI subset):
types, required fields, enums, patterns and date-time formats, following $ref."""
import json
import re
import sys

spec = json.load(open(sys.argv[1]))
schemas = spec["schemas"]
templates = []
for path, methods in spec["operations"].items():
    rx = "^" + re.sub(r"\{[^}]+\}", "[^/]+", path) + "$"
    templates.append((re.compile(rx), methods))

DATE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
TYPES = {"string": str, "integer": int, "boolean": bool, "array": list, "object": dict}


def compiles(pattern):
    """Patterns in Java syntax (\\p{...}) are not Python's: those are not checked."""
    try:
        re.compile(pattern)
        return True
    except re.error:
        return False


def check(value, schema, where, errors):
    if "$ref" in schema:
        schema = schemas[schema["$ref"].split("/")[-1]]
    for sub in schema.get("allOf", []):
        check(value, sub, where, errors)
    t = schema.get("type")
    if t == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif t == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif t:
        ok = isinstance(value, TYPES[t])
    else:
        ok = True
    if not ok:
        errors.append(f"{where}: expected {t}, got {json.dumps(value)[:60]}")
        return
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, str):
        if "pattern" in schema and compiles(schema["pattern"]) and not re.search(schema["pattern"], value):
            errors.append(f"{where}: {value!r} does not match {schema['pattern']}")
        if schema.get("format") == "date-time" and not DATE.match(value):
            errors.append(f"{where}: {value!r} is not an RFC 3339 UTC date-time")
    if isinstance(value, dict):
        for req in schema.get("required", []):
            if req not in value:
                errors.append(f"{where}: required field {req} is missing")
        for k, v in value.items():
            if v is None:
                errors.append(f"{where}.{k}: null (Atlas leaves empty fields out)")
            elif k in schema.get("properties", {}):
                check(v, schema["properties"][k], f"{where}.{k}", errors)
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            check(v, schema["items"], f"{where}[{i}]", errors)


checked = skipped = 0
failures = []
for n, line in enumerate(open(sys.argv[2]), 1):
    x = json.loads(line)
    if x["vendor"] != "atlas":
        continue
    path = x["path"].replace("/api/atlas/v1.0/", "/api/atlas/v2/")
    status, body = x["status"], x["body"]
    if isinstance(body, dict) and set(body) == {"status", "content"}:  # envelope=true
        status, body = body["status"], body["content"]
    methods = next((m for rx, m in templates if rx.match(path)), None)
    schema = (methods or {}).get(x["method"], {}).get(str(status))
    if status == 401:
        # Documented departure (spec/rules/ma.json SEC-AUTH row): real 401s carry no errorCode.
        schema = None
    if schema is None:
        skipped += 1
        continue
    errors = []
    check(body, schema, "$", errors)
    checked += 1
    if errors:
        failures.append(f"line {n}: {x['method']} {x['path']} {status}: " + "; ".join(errors[:3]))

for f in failures[:20]:
    print(f)
print(f"atlas schema check: {checked} answers validated, {len(failures)} invalid, "
      f"{skipped} without a schema in the subset (cluster reads, 401s)")
sys.exit(1 if failures or checked == 0 else 0)
