#!/usr/bin/env python3
"""Validates report JSON files against docs/report.schema.json (JSON Schema 2020-12).

Usage: validate_schema.py SCHEMA REPORT...   Exit 0 when every report is valid, 1 otherwise.
Needs the jsonschema module (Debian: python3-jsonschema, for /usr/bin/python3).
"""
import json
import sys

import jsonschema


def main() -> int:
    schema = json.load(open(sys.argv[1], encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    passed = failed = 0
    for path in sys.argv[2:]:
        report = json.load(open(path, encoding="utf-8"))
        errors = [f"/{'/'.join(str(p) for p in e.absolute_path)}: {e.message}" for e in validator.iter_errors(report)]
        if not report.get("findings"):
            errors.append("no findings: the schema was checked against nothing")
        for e in errors:
            print(f"{path}: {e}")
        failed += bool(errors)
        passed += not errors
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
