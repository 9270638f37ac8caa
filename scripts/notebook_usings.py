#!/usr/bin/env python3
"""Makes every lesson's first code cell import what the real .NET Interactive C# kernel does not.

The kernel's default usings are System, System.Text, System.Collections(.Generic), System.Linq and
System.Threading.Tasks; lessons also use System.IO (File, Path, Directory). Idempotent: run it after
adding a lesson. Usage: scripts/notebook_usings.py [notebooks/*.ipynb]
"""
import glob
import json
import sys

NEEDED = ["using System.IO;"]


def fix(path):
    raw = open(path, encoding="utf-8").read()
    nb = json.loads(raw)
    first = next(c for c in nb["cells"] if c["cell_type"] == "code")
    lines = first["source"]
    missing = [u for u in NEEDED if not any(l.strip() == u for l in lines)]
    if not missing:
        return False
    # after the #r lines, before the first using
    at = next((i for i, l in enumerate(lines) if l.startswith("using ")), len(lines))
    for u in reversed(missing):
        lines.insert(at, u + "\n")
    open(path, "w", encoding="utf-8").write(json.dumps(nb, indent=1, ensure_ascii=False) + "\n")
    return True


if __name__ == "__main__":
    paths = sys.argv[1:] or sorted(glob.glob("notebooks/*.ipynb"))
    for p in paths:
        print(("fixed   " if fix(p) else "ok      ") + p)
