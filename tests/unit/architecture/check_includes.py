#!/usr/bin/env python3
"""The include graph against ARCHITECTURE.md's include rules.

Usage: check_includes.py SOURCE_DIR

Reads the rules block of ARCHITECTURE.md (the ```text block after the line "Include rules"):
one line per module, `module: allowed module ...`, where `connectors/<type>` stands for every
connector folder and an allowed `connectors/postgres` for that one connector only. A module may include its own headers and those of every module reachable
through the rules (the rules list direct edges; the check allows their transitive closure).
Every "..."-include in scanner/, connectors/, policies/ and reports/ is checked; tests/ and
bench/ may include anything. Prints one line per offending include, as file:line, and exits 1.
"""
import os
import re
import sys

ROOTS = ("scanner", "connectors", "policies", "reports")
TYPE = "connectors/<type>"
RESERVED = ("connectors/api", "connectors/http")


def read_rules(source):
    text = open(os.path.join(source, "ARCHITECTURE.md"), encoding="utf-8").read()
    m = re.search(r"Include rules.*?```text\n(.*?)```", text, re.S)
    if not m:
        sys.exit("ARCHITECTURE.md: no include rules block (a ```text block after \"Include rules\")")
    rules = {}
    for n, line in enumerate(m.group(1).splitlines(), 1):
        line = line.split("#")[0].strip()
        if not line:
            continue
        module, _, allowed = line.partition(":")
        rules[module.strip()] = set(allowed.split())
    return rules


def module_of(path, modules):
    """The module a source path belongs to: the longest module prefix; connectors/<x>/ is
    connectors/<type> unless it is api or http; a file directly in connectors/ is connectors."""
    parts = path.split("/")
    if parts[0] == "connectors" and len(parts) > 2 and "/".join(parts[:2]) not in RESERVED:
        return TYPE
    best = None
    for m in modules:
        if m != TYPE and (path == m or path.startswith(m + "/")) and (best is None or len(m) > len(best)):
            best = m
    return best


def is_connector(name):
    return name.startswith("connectors/") and name not in RESERVED and name != TYPE


def closure(rules):
    reach = {}
    for m in rules:
        seen, todo = set(), list(rules[m])
        while todo:
            t = todo.pop()
            if t not in seen:
                seen.add(t)
                todo.extend(rules.get(TYPE if is_connector(t) else t, ()))
        reach[m] = seen | {m}
    return reach


def main():
    source = sys.argv[1]
    rules = read_rules(source)
    unknown = {t for allowed in rules.values() for t in allowed
               if t not in rules and t != "*" and not (is_connector(t) and os.path.isdir(os.path.join(source, t)))}
    if unknown:
        sys.exit("ARCHITECTURE.md: include rules name modules without a rule: " + ", ".join(sorted(unknown)))
    reach = closure(rules)
    errors = []
    for root in ROOTS:
        for dirpath, _, files in os.walk(os.path.join(source, root)):
            for name in sorted(files):
                if not name.endswith((".cpp", ".hpp", ".h", ".in")):
                    continue
                rel = os.path.relpath(os.path.join(dirpath, name), source)
                mod = module_of(rel, rules)
                if mod is None:
                    errors.append(f"{rel}: its folder has no line in ARCHITECTURE.md's include rules")
                    continue
                with open(os.path.join(source, rel), encoding="utf-8", errors="replace") as f:
                    for n, line in enumerate(f, 1):
                        m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                        if not m:
                            continue
                        target = module_of(m.group(1), rules)
                        if target is None or "*" in rules[mod]:
                            continue
                        if target == TYPE:
                            folder = "/".join(m.group(1).split("/")[:2])
                            if mod == TYPE and folder == "/".join(rel.split("/")[:2]):
                                continue  # a connector's own headers
                            if folder in reach[mod] or (mod != TYPE and TYPE in reach[mod]):
                                continue
                            target = folder
                        elif target in reach[mod]:
                            continue
                        errors.append(f"{rel}:{n}: {mod} includes {m.group(1)} ({target}); "
                                      f"ARCHITECTURE.md lets {mod} include: {', '.join(sorted(reach[mod] - {mod})) or 'nothing'}")
    for e in errors:
        print(e)
    if errors:
        print(f"{len(errors)} include(s) against the documented dependency direction")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
