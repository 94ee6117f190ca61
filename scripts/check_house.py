#!/usr/bin/env python3
"""The house rules of docs/ARCHITECTURE.md, checked on the tracked sources (a ctest test, `house`).

- every include points down the layers (LAYERS below); storage/internal/ is included only from
  storage/'s own sources and the tests, never from a public header;
- no SQL outside storage/, records/ and hub/ (the CLI, the agent, sync/ and util/ call named
  functions instead);
- no source file over 500 lines, no function over 80 (from its signature to its closing brace).

Prints one line per breach and exits 1 if there is any. Run from anywhere: it checks the
checkout it lives in.
"""
import os
import re
import subprocess
import sys

MAX_FILE_LINES = 500
MAX_FUNCTION_LINES = 80

# A folder may include itself and the folders listed for it; anything else is an include upwards
# or sideways. tests/, bench/ and fuzz/ sit on top and may include everything.
LAYERS = {
    "storage": set(),
    "util": {"storage"},
    "records": {"storage", "util"},
    "sync": {"storage", "util"},
    "agent": {"storage", "util", "records", "sync"},
    "hub": {"storage", "util", "records", "sync"},
    "cli": {"storage", "util", "records", "sync", "agent", "hub", "epsync"},
}
TOP = {"tests", "bench", "fuzz"}
NO_SQL = {"agent", "cli", "sync", "util"}
SQL = re.compile(r'"\s*(SELECT|INSERT|UPDATE|DELETE|REPLACE|CREATE|DROP|PRAGMA|BEGIN|WITH)\b')
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')
BLOCK_HEAD = re.compile(r"\s*(if|for|while|switch|namespace|struct|class|enum|union|else|do|catch|try)\b")


def tracked_sources(root):
    out = subprocess.run(["git", "-C", root, "ls-files", "*.cpp", "*.h"], capture_output=True, text=True,
                         check=True).stdout.split()
    return [f for f in out if f.split("/")[0] in LAYERS or f.split("/")[0] in TOP]


def code_of(line):
    """The line without string and character literals and without a // comment."""
    line = re.sub(r'"(\\.|[^"\\])*"', '""', line)
    line = re.sub(r"'(\\.|[^'\\])*'", "''", line)
    return line.split("//")[0]


def long_functions(lines):
    """(first line, length, signature) of every function body longer than the limit.

    A function is a brace block whose head (the lines since the previous statement) ends in a
    parameter list; lambdas, control blocks and nested blocks count toward their function.
    Raw string literals are skipped whole."""
    stack, found, in_raw = [], [], None
    for i, line in enumerate(lines):
        if in_raw:
            if in_raw in line:
                line = line[line.index(in_raw) + len(in_raw):]
                in_raw = None
            else:
                continue
        raw = re.search(r'R"([^(\s]*)\(', line)
        if raw and ')' + raw.group(1) + '"' not in line[raw.end():]:
            in_raw = ')' + raw.group(1) + '"'
            line = line[:raw.start()]
        code = code_of(line)
        for ch in code:
            if ch == "{":
                start = i
                while start > 0:
                    prev = code_of(lines[start - 1]).rstrip()
                    if not prev or prev.endswith((";", "}", "{", ":")) or lines[start - 1].lstrip().startswith("#"):
                        break
                    start -= 1
                head = " ".join(code_of(x).strip() for x in lines[start:i + 1])
                shown = " ".join(x.strip() for x in lines[start:i + 1])
                is_function = (re.search(r"\)\s*(const)?\s*(override)?\s*(noexcept)?\s*(->\s*[\w:<>,\s]+)?\{$", head)
                               and not BLOCK_HEAD.match(head)
                               and not re.search(r"[=(,]\s*\[|^\s*\[|return\s*\[", head))
                outermost = not any(f for _, f, _ in stack)
                stack.append((start, bool(is_function) and outermost, shown))
            elif ch == "}" and stack:
                start, is_function, head = stack.pop()
                if is_function and i - start + 1 > MAX_FUNCTION_LINES:
                    found.append((start + 1, i - start + 1, head[:100]))
    return found


def check(root):
    problems = []
    for path in tracked_sources(root):
        folder = path.split("/")[0]
        with open(os.path.join(root, path), encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if len(lines) > MAX_FILE_LINES:
            problems.append(f"{path}: {len(lines)} lines (the limit is {MAX_FILE_LINES}): split it")
        for start, length, head in long_functions(lines):
            problems.append(f"{path}:{start}: a function of {length} lines (the limit is {MAX_FUNCTION_LINES}): {head}")
        for n, line in enumerate(lines, 1):
            m = INCLUDE.match(line)
            if m:
                target = m.group(1).split("/")[0]
                if "/internal/" in m.group(1) and folder not in ("storage", "tests"):
                    problems.append(f"{path}:{n}: includes {m.group(1)}, internal to storage/")
                if "/internal/" in m.group(1) and path.endswith(".h") and "/internal/" not in path:
                    problems.append(f"{path}:{n}: a public header includes {m.group(1)}")
                if folder in LAYERS and target in LAYERS and target != folder and target not in LAYERS[folder]:
                    problems.append(f"{path}:{n}: includes {m.group(1)}: {folder}/ may not depend on {target}/")
            if folder in NO_SQL and SQL.search(line):
                problems.append(f"{path}:{n}: SQL in {folder}/: call a named function of storage/ or records/")
    return problems


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    problems = check(root)
    for p in problems:
        print(p)
    print(f"house: {len(problems)} problem(s)" if problems else "house: every rule holds")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
