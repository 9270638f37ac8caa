#!/usr/bin/env python3
"""Lesson 09's training step (the time-conditioned MLP of the scaling sweep, batch 256, AdamW,
clipping, EMA) on each engine and setting, interleaved, several rounds; prints the median time per
step of each, the load average, and each side's CPU time per step (the process's CPU time over wall
time while it timed: above 1 means more than one core was busy).

    /usr/bin/python3 bench/sweep_step.py [--widths 8,128] [--rounds 3] [--torchsharp] [--parts] [--busy N]

Course.Torch (this machine's build) and PyTorch (Debian's python3-torch) run here; with --torchsharp
the C# side also runs on TorchSharp 0.107 in the Debian 13 root (built as bench/run.py builds it, or
BENCH_TORCHSHARP="prefix ..." names a command that runs a TorchSharp build of Course.Bench.dll).
--parts times the step's parts instead (Course.Bench sweepparts: batch, forward, backward, clip,
AdamW, EMA). --busy N runs N CPU-bound processes beside the measurements (a machine with other work
on it, at a known load; the shared course machines and CI's parallel test classes are such)."""
import argparse, os, shlex, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run as bench  # noqa: E402  (bench/run.py: the C# and PyTorch commands, the TorchSharp build)

# setting name: the extra arguments Course.Bench or pytorch_bench.py gets for it
COURSE_TORCH = {
    "Course.Torch default (1 thread)": [],
    "Course.Torch 2 threads": ["--threads", "2"],
}
TORCHSHARP = {
    "TorchSharp, the course's settings": [],
    "TorchSharp, libtorch's own defaults": ["--course-defaults", "off"],
    "TorchSharp 2 threads, sleeping workers": ["--threads", "2"],
    "TorchSharp 1 thread, oneDNN on": ["--onednn", "on"],
    "TorchSharp libtorch's defaults, oneDNN on": ["--course-defaults", "off", "--onednn", "on"],
}
PYTORCH = {
    "PyTorch default": [],
    "PyTorch 1 thread": ["--threads", "1"],
}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--widths", default="8,128")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--steps", type=int, default=50, help="steps per timed unit")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--iters", type=int, default=9)
    p.add_argument("--torchsharp", action="store_true")
    p.add_argument("--parts", action="store_true")
    p.add_argument("--only", default="", help="comma-separated substrings of the setting names to run")
    p.add_argument("--busy", type=int, default=0, help="CPU-bound processes to run beside the measurements")
    p.add_argument("--no-pytorch", action="store_true")
    a = p.parse_args()
    subprocess.run(["dotnet", "build", os.path.join(HERE, "Course.Bench"), "-c", "Release", "-nologo", "-v:q"],
                   check=True)
    sides = [(bench.CSHARP, COURSE_TORCH)]
    if a.torchsharp:
        prefix = (shlex.split(os.environ["BENCH_TORCHSHARP"]) if os.environ.get("BENCH_TORCHSHARP")
                  else bench.prepare_torchsharp())
        sides.append((prefix, TORCHSHARP))
    if not a.parts and not a.no_pytorch:
        sides.append((bench.PYTHON, PYTORCH))
    workload = "sweepparts" if a.parts else "sweep"
    busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(a.busy)]
    try:
        measure(a, sides, workload)
    finally:
        for b in busy:
            b.kill()
            b.wait()


def measure(a, sides, workload):
    keep = [s for s in a.only.split(",") if s]
    results = {}
    for r in range(a.rounds):
        for width in map(int, a.widths.split(",")):
            for cmd, settings in sides:
                for name, args in settings.items():
                    if keep and not any(k in name for k in keep):
                        continue
                    common = [workload, "--width", str(width), "--steps", str(a.steps),
                              "--warmup", str(a.warmup), "--iters", str(a.iters)]
                    load = os.getloadavg()[0]
                    out = bench.run(cmd + common + args, {})
                    cores = out["cores_busy"]
                    step = (out["step_ms"] if a.parts else out["median_ms"] / a.steps)
                    results.setdefault((width, name), []).append((step, cores, load, out))
                    shown = (", ".join(f"{k} {v:.3f}" for k, v in step.items()) if a.parts else f"{step:.3f} ms/step")
                    print(f"round {r + 1} width {width:3} {name:38} {shown}  (cores busy {cores:.2f}, "
                          f"load {load:.2f}, threads {out.get('threads')}, oneDNN {out.get('onednn')})", flush=True)
    print()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, {a.rounds} rounds, "
          f"{a.iters} units of {a.steps} steps per process, medians; {a.busy} CPU-bound processes beside")
    for (width, name), rows in results.items():
        loads = [x[2] for x in rows]
        cores = statistics.median(x[1] for x in rows)
        if a.parts:
            parts = rows[0][0].keys()
            shown = ", ".join(f"{k} {statistics.median(x[0][k] for x in rows):.3f}" for k in parts)
        else:
            shown = f"{statistics.median(x[0] for x in rows):.3f} ms/step"
        print(f"width {width:3} | {name:38} | {shown} | cores busy {cores:.2f} | load {min(loads):.1f}-{max(loads):.1f}")


if __name__ == "__main__":
    main()
