#!/usr/bin/env bash
# integration.header_guards: one header-guard style per module (instant). In each folder of
# common/, domain/, tools/ and services/, every header's guard is NAME_H_INCLUDED under one
# stem: the module's symbol prefix (JY_, RP_, TL_) or JOURNEY_<AREA>_ (JOURNEY_CLI_,
# JOURNEY_INGEST_, ...), never a mixture; #define repeats the #ifndef. journey.h, the umbrella, is JOURNEY_H_INCLUDED.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
python3 - "$root" <<'PY'
import os, re, sys
root = sys.argv[1]
failures = 0
for base in ("common", "domain", "tools", "services"):
    for folder, _, files in os.walk(os.path.join(root, base)):
        stems = {}
        for name in sorted(f for f in files if f.endswith(".h")):
            path = os.path.join(folder, name)
            lines = [l.split() for l in open(path) if l.startswith(("#ifndef", "#define"))]
            guard = lines[0][1] if lines and lines[0][0] == "#ifndef" else None
            rel = os.path.relpath(path, root)
            if not guard or len(lines) < 2 or lines[1][:2] != ["#define", guard] \
                    or not guard.endswith("_H_INCLUDED"):
                print(f"{rel}: no #ifndef X_H_INCLUDED / #define X_H_INCLUDED guard")
                failures += 1
                continue
            if name == "journey.h":
                continue
            words = guard.split("_")
            stem = "_".join(words[:2] if words[0] == "JOURNEY" else words[:1])
            stems.setdefault(stem, []).append(f"{name} ({guard})")
        if len(stems) > 1:
            print(f"{os.path.relpath(folder, root)}: header guards in {len(stems)} styles: "
                  + "; ".join(f"{s}_: {', '.join(n)}" for s, n in sorted(stems.items())))
            failures += 1
print(f"header_guards: {failures} folders or headers out of style")
sys.exit(1 if failures else 0)
PY
