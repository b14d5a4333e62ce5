#!/usr/bin/env python3
"""Generates the rule trace table compiled into brcheck (conformance/matrix.h): for every use
of a rule symbol BR_RULE_<SYM> in the model sources, the enclosing C function (or file-scope
table or macro) with its file and line; and every function the given sources define.

usage: rule_trace.py OUT.c SOURCE_DIR FILE...
FILE: the model's and the runner's sources; rule uses are traced in model/ only, functions
are listed from all (the catalog's "enforced_by" names may point into the runner).
"""
import os
import re
import sys

IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
RULE_USE = re.compile(r"\bBR_RULE_([A-Z0-9_]+)\b")
# Functions that name rules without enforcing them (the list of rules without a mutant).
NOT_ENFORCING = {"br_rule_has_mutant"}
# Prefix of the files whose rule uses are traced (the others give function names only).
TRACED = "model/"


def strip_code(text):
    """Blanks comments, string and character literals, keeping newlines and offsets."""
    out = list(text)
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
        else:
            i += 1
            continue
        for k in range(i, j):
            if out[k] != "\n":
                out[k] = " "
        i = j
    return "".join(out)


def head_name(head):
    """The name a top-level declaration head defines: 'static bool f(int x)' -> f,
    'static const row rows[] =' -> rows."""
    head = " ".join(head.split())
    eq = head.find("=")
    paren = head.find("(")
    if paren >= 0 and (eq < 0 or paren < eq):
        m = re.search(r"\(\s*\*\s*([A-Za-z_]\w*)\s*\)\s*\(", head)  # function pointer
        if m and m.start() == paren:
            return m.group(1)
        names = IDENT.findall(head[:paren])
        return names[-1] if names else None
    cut = head[: eq if eq >= 0 else len(head)]
    cut = cut.split("[")[0]
    names = IDENT.findall(cut)
    return names[-1] if names else None


def scan(path):
    """Returns (uses, functions): uses as (symbol, name, line), functions as (name, line)."""
    with open(path, encoding="utf-8", errors="replace") as f:
        code = strip_code(f.read())
    uses, functions = [], []
    # Preprocessor directives: a rule named in a macro is traced to the macro; then blanked.
    lines = code.split("\n")
    k = 0
    while k < len(lines):
        if lines[k].lstrip().startswith("#"):
            first = k
            m = re.match(r"\s*#\s*define\s+([A-Za-z_]\w*)", lines[k])
            while True:
                if m:
                    for u in RULE_USE.finditer(lines[k]):
                        uses.append((u.group(1), m.group(1), first + 1))
                cont = lines[k].rstrip().endswith("\\")
                lines[k] = ""
                if not cont or k + 1 >= len(lines):
                    break
                k += 1
        k += 1
    code = "\n".join(lines)
    starts = {m.start(): m.group(1) for m in RULE_USE.finditer(code)}
    depth, head, head_line, current, line = 0, [], 0, None, 1
    for i, ch in enumerate(code):
        if i in starts and depth > 0 and current:
            uses.append((starts[i], current[0], current[1]))
        if ch == "\n":
            line += 1
        if ch == "{":
            if depth == 0:
                text = "".join(head)
                name = head_name(text)
                current = (name, head_line) if name else None
                paren, eq = text.find("("), text.find("=")
                if name and paren >= 0 and (eq < 0 or eq > paren):
                    functions.append((name, head_line))
                head = []
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
            if depth == 0:
                current, head = None, []
        elif depth == 0:
            if ch == ";":
                head = []
            else:
                if not head and ch.isspace():
                    continue
                if not head:
                    head_line = line
                head.append(ch)
    return uses, functions


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    out, source_dir, files = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3:]
    sites, functions = set(), set()
    for path in sorted(files):
        rel = os.path.relpath(os.path.abspath(path), source_dir)
        uses, funcs = scan(path)
        for sym, name, line in uses:
            if rel.startswith(TRACED) and name not in NOT_ENFORCING:
                sites.add((sym, name, rel, line))
        for name, line in funcs:
            functions.add((name, rel, line))
    rows = [
        "    {BR_RULE_%s, %s, %s, %d}," % (sym, c_string(name), c_string(rel), line)
        for sym, name, rel, line in sorted(sites)
        if sym != "COUNT"
    ]
    fns = ["    {%s, %s, %d}," % (c_string(n), c_string(r), l) for n, r, l in sorted(functions)]
    text = (
        "/* Generated by cmake/rule_trace.py from the model sources: do not edit. */\n"
        '#include "matrix.h"\n\n'
        "const br_rule_site br_rule_sites[] = {\n" + "\n".join(rows) + "\n    {BR_RULE_COUNT, NULL, NULL, 0}};\n"
        "const size_t br_rule_sites_count = %d;\n\n" % len(rows)
        + "const br_model_function br_model_functions[] = {\n" + "\n".join(fns)
        + "\n    {NULL, NULL, 0}};\n"
        "const size_t br_model_functions_count = %d;\n" % len(fns)
    )
    old = None
    if os.path.exists(out):
        with open(out, encoding="utf-8") as f:
            old = f.read()
    if old != text:
        with open(out + ".tmp", "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(out + ".tmp", out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
