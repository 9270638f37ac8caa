#!/usr/bin/env python3
"""Runs the course's engine (bench/Course.Bench) and PyTorch (bench/pytorch_bench.py) on the same
workloads, interleaved, several rounds, and prints a table of medians and ratios.

    /usr/bin/python3 bench/run.py [--device cpu|cuda] [--rounds 3] [--only mlp,ddpm] [--quick]

Each process warms up, then times several units of work and reports its median; the table shows the
median over rounds. PyTorch runs at each thread setting below and the best is compared. Ratio is
PyTorch's time over ours: above 1 means the C# side has the higher throughput."""
import argparse, json, os, platform, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# BENCH_CSHARP names a published Course.Bench executable (a machine without the .NET SDK, e.g. a GPU host).
CSHARP = ([os.environ["BENCH_CSHARP"]] if os.environ.get("BENCH_CSHARP")
          else ["dotnet", os.path.join(HERE, "Course.Bench", "bin", "Release", "net10.0", "Course.Bench.dll")])
PYTHON = [os.environ.get("BENCH_PYTHON", "/usr/bin/python3"), os.path.join(HERE, "pytorch_bench.py")]

# workload: (description, unit, warm-up units, timed units)
WORKLOADS = {
    "mlp": ("2D MLP training step, batch 512", "step", 30, 300),
    "unet": ("UNet training step, 1x28x28, batch 64", "step", 2, 10),
    "ddim": ("DDIM sampling, 50 steps, 64 images", "64 images", 1, 3),
    "ddpm": ("DDPM sampling, 1000 steps, 2,000 points", "2,000 points", 1, 4),
}
PYTORCH_SETTINGS = {
    "default": ([], {}),
    "1 thread": (["--threads", "1"], {}),
    "OpenBLAS 1 thread": ([], {"OPENBLAS_NUM_THREADS": "1"}),
}


def run(cmd, env_extra):
    env = dict(os.environ, **env_extra)
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=HERE)
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cpu")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--only", default=",".join(WORKLOADS))
    p.add_argument("--quick", action="store_true", help="fewer units, for a smoke test")
    p.add_argument("--csharp-threads", type=int, default=0, help="libtorch threads for the C# side (0: its default)")
    a = p.parse_args()
    if not os.environ.get("BENCH_CSHARP"):
        subprocess.run(["dotnet", "build", os.path.join(HERE, "Course.Bench"), "-c", "Release", "-nologo", "-v:q"], check=True)

    check = run(CSHARP + ["export", "--out", "/tmp/course-bench-export"], {})
    same = run(PYTHON + ["check", "--check", "/tmp/course-bench-export"], {})
    print(f"same models: MLP {same['mlp_parameters']:,} parameters (max |diff| {same['mlp_max_abs_diff']:.1e}), "
          f"UNet {same['unet_parameters']:,} parameters (max |diff| {same['unet_max_abs_diff']:.1e})")
    assert check["mlp_parameters"] == same["mlp_parameters"] and check["unet_parameters"] == same["unet_parameters"]

    rows = []
    for name in a.only.split(","):
        desc, unit, warm, iters = WORKLOADS[name]
        if a.quick:
            warm, iters = max(1, warm // 10), max(2, iters // 10)
        common = [name, "--device", a.device, "--warmup", str(warm), "--iters", str(iters)]
        cs_args = ["--threads", str(a.csharp_threads)] if a.csharp_threads else []
        results = {"C#": []}
        peaks = {"C#": 0.0}
        for r in range(a.rounds):
            res = run(CSHARP + common + cs_args, {})
            results["C#"].append(res["median_ms"]); peaks["C#"] = max(peaks["C#"], res["peak_rss_mb"])
            cs_threads = res["threads"]
            for setting, (args, env) in PYTORCH_SETTINGS.items():
                res = run(PYTHON + common + args + ["--setting", setting], env)
                results.setdefault(setting, []).append(res["median_ms"])
                peaks[setting] = max(peaks.get(setting, 0.0), res["peak_rss_mb"])
            print(f"  {name} round {r + 1}: " + ", ".join(f"{k} {statistics.median(v):.2f} ms" for k, v in results.items()), flush=True)
        medians = {k: statistics.median(v) for k, v in results.items()}
        best = min((k for k in medians if k != "C#"), key=lambda k: medians[k])
        rows.append((desc, unit, medians["C#"], cs_threads, medians[best], best, medians, peaks))

    print()
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, {a.device}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print(f"| workload | C# (course engine) | PyTorch {same['torch_version']} (best setting) | ratio (throughput, C# / PyTorch) | peak RSS C# / PyTorch |")
    print("|---|---|---|---|---|")
    for desc, unit, cs, cst, py, best, medians, peaks in rows:
        print(f"| {desc} | {cs:.2f} ms per {unit} ({cst} thread{'s' if cst > 1 else ''}) | {py:.2f} ms ({best}) | "
              f"**{py / cs:.2f}x** | {peaks['C#']:.0f} MB / {peaks[best]:.0f} MB |")
    print()
    for desc, unit, cs, cst, py, best, medians, peaks in rows:
        print(f"{desc}: " + ", ".join(f"{k} {v:.2f} ms" for k, v in medians.items()))


if __name__ == "__main__":
    main()
