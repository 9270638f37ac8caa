#!/usr/bin/env python3
"""How long the real .NET Interactive C# kernel takes to start, both ways the course uses it.

usage: /usr/bin/python3 bench/kernel_start.py [ROUNDS]   (after ./run-course.sh or a Release build)

1. As a Jupyter kernel (what VS Code's Jupyter extension and nbclient start): the course's kernelspec,
   installed into a temporary JUPYTER_PATH by `install-kernel`, started by nbclient on a one-cell
   notebook; the time from asking for the kernel to its first answer (run_in_jupyter.py's kernel_start_s).
2. In process (what ./run-course.sh does): the course runner executing the same one-cell notebook,
   its "done in" line (kernel creation, the cell, and the executed copy), after the runner's own start.

Prints the median of ROUNDS (default 5) for each; the machines are shared, so medians.
"""
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNNER = os.path.join(ROOT, "tests", "Course.Notebooks.Tests", "fixtures", "run_in_jupyter.py")
rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5

notebook = {
    "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": ["1 + 1"]}],
    "metadata": {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"}},
    "nbformat": 4, "nbformat_minor": 5,
}

with tempfile.TemporaryDirectory(prefix="kernel-start-") as tmp:
    # Inside the repository, so the kernelspec's `dotnet tool run` finds the pinned tool.
    work = os.path.join(ROOT, "artifacts", "kernel-start")
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "one-cell.ipynb")
    with open(path, "w") as f:
        json.dump(notebook, f)
    jupyter = os.path.join(tmp, "jupyter")
    subprocess.run(["dotnet", "run", "--project", os.path.join(ROOT, "src", "Course.Notebooks"), "-c", "Release", "--no-build",
                    "--", "install-kernel", "--jupyter-dir", jupyter], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    env = dict(os.environ, JUPYTER_PATH=jupyter, JUPYTER_DATA_DIR=jupyter, JUPYTER_RUNTIME_DIR=os.path.join(jupyter, "runtime"))

    jupyter_starts = []
    for k in range(rounds):
        report = os.path.join(tmp, f"report{k}.json")
        subprocess.run([sys.executable, RUNNER, path, os.path.join(tmp, f"out{k}.ipynb"), report], cwd=work, env=env, check=True)
        with open(report) as f:
            r = json.load(f)
        if r.get("error"):
            sys.exit(f"the kernel failed: {r['error']}")
        jupyter_starts.append(r["kernel_start_s"])

    in_process = []
    for k in range(rounds):
        out = subprocess.run(["dotnet", "run", "--project", os.path.join(ROOT, "src", "Course.Notebooks"), "-c", "Release", "--no-build",
                              "--", "run", "--notebooks", work, "--out", os.path.join(tmp, f"run{k}")],
                             cwd=ROOT, check=True, capture_output=True, text=True).stdout
        m = re.search(r"done in ([0-9.]+) s", out)
        if not m:
            sys.exit(f"no 'done in' line in the runner's output:\n{out}")
        in_process.append(float(m.group(1)))
    os.remove(path)

print(f"kernel start, median of {rounds} (all runs):")
print(f"  Jupyter kernel (nbclient, course kernelspec): {statistics.median(jupyter_starts):.2f} s  {jupyter_starts}")
print(f"  in process (runner: kernel + one cell):       {statistics.median(in_process):.2f} s  {in_process}")
