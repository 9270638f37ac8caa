#!/usr/bin/env python3
"""Runs the course's C# side (bench/Course.Bench) and PyTorch (bench/pytorch_bench.py) on the same
workloads, interleaved, several rounds, and prints a table of medians and ratios.

    /usr/bin/python3 bench/run.py [--device cpu|cuda] [--rounds 3] [--only mlp,ddpm] [--quick] [--torchsharp]

The C# side runs on the engine this machine builds (Course.Torch on Debian 12); with --torchsharp it
also runs, in the same rounds, on real TorchSharp 0.107 inside the Debian 13 root
(scripts/in-debian13.sh: TorchSharp needs GCC 13's libstdc++), built from a copy of this work tree.
Each process warms up, then times several units of work and reports its median; the table shows the
median over rounds. PyTorch, and TorchSharp, run at each thread setting below and the best is
compared. Ratio is PyTorch's time over the C# side's: above 1 means C# has the higher throughput."""
import argparse, json, os, platform, shutil, statistics, subprocess, sys, time

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
# Both engines run as the course runs them (Course.Bench starts as a lesson does): one libtorch thread by
# default (on TorchSharp the course sets it before libtorch loads: EngineThreads), and 2 to compare.
TORCHSHARP_SETTINGS = {
    "default": [],
    "2 threads": ["--threads", "2"],
}
TORCHSHARP_TREE = os.path.join(ROOT, "artifacts", "bench-torchsharp")
PYTORCH_SETTINGS = {
    "default": ([], {}),
    "1 thread": (["--threads", "1"], {}),
    "OpenBLAS 1 thread": ([], {"OPENBLAS_NUM_THREADS": "1"}),
}


def cpu_has_skylakex_features():
    try:
        with open("/proc/cpuinfo") as f:
            flags = next((l for l in f if l.startswith("flags")), "").split(":")[-1].split()
    except OSError:
        return False
    return all(x in flags for x in ("avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"))


def openblas_own_choice():
    """The kernel set a fresh OpenBLAS picks by itself (OPENBLAS_CORETYPE unset), in a child process."""
    probe = ("import ctypes; b = ctypes.CDLL('libopenblas.so.0'); "
             "b.openblas_get_corename.restype = ctypes.c_char_p; print(b.openblas_get_corename().decode())")
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_CORETYPE"}
    out = subprocess.run([PYTHON[0], "-c", probe], capture_output=True, text=True, env=env)
    return out.stdout.strip() if out.returncode == 0 else None


# OpenBLAS's x86-64 kernel sets older than SkylakeX, as src/Course.Torch/Native.cs lists them.
BELOW_SKYLAKEX = {"prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "sandybridge", "haswell",
                  "zen", "opteron", "opteron_sse3", "barcelona", "bobcat", "bulldozer", "piledriver",
                  "steamroller", "excavator", "nano", "katmai", "coppermine", "northwood"}

# Course.Torch names OpenBLAS's SkylakeX kernels where OpenBLAS's own pick is below them on a CPU with
# their AVX-512 subset (Debian 12's OpenBLAS 0.3.21 falls back to SSE3 on some CPUs newer than
# itself), and keeps a user's OPENBLAS_CORETYPE; PyTorch, on the same OpenBLAS, gets the same here.
BLAS_CORE = os.environ.get("OPENBLAS_CORETYPE") or (
    "SkylakeX" if cpu_has_skylakex_features() and (openblas_own_choice() or "").lower() in BELOW_SKYLAKEX
    else None)


def run(cmd, env_extra):
    env = dict(os.environ, **env_extra)
    if BLAS_CORE and cmd[0] == PYTHON[0]:
        env.setdefault("OPENBLAS_CORETYPE", BLAS_CORE)
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=HERE)
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def prepare_torchsharp():
    """A fresh copy of this work tree's files (tracked, and untracked but not ignored), built on the
    TorchSharp engine inside the Debian 13 root; returns the command prefix that runs Course.Bench there."""
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, check=True,
                           capture_output=True).stdout.decode().split("\0")
    if os.path.exists(TORCHSHARP_TREE):
        shutil.rmtree(TORCHSHARP_TREE)  # only ever bind-mounted inside the root's private namespace
    for f in filter(None, files):
        src = os.path.join(ROOT, f)
        if os.path.isfile(src):
            os.makedirs(os.path.dirname(os.path.join(TORCHSHARP_TREE, f)), exist_ok=True)
            shutil.copy2(src, os.path.join(TORCHSHARP_TREE, f))
    in_root = [os.path.join(ROOT, "scripts", "in-debian13.sh"), "--dir", TORCHSHARP_TREE, "--",
               "env", "COURSE_ENGINE=torchsharp", "DOTNET_NOLOGO=1", "DOTNET_CLI_TELEMETRY_OPTOUT=1"]
    subprocess.run(in_root + ["dotnet", "build", "bench/Course.Bench", "-c", "Release", "-nologo", "-v:q"], check=True)
    return in_root + ["dotnet", os.path.join(TORCHSHARP_TREE, "bench", "Course.Bench", "bin", "Release", "net10.0", "Course.Bench.dll")]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cpu")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--only", default=",".join(WORKLOADS))
    p.add_argument("--quick", action="store_true", help="fewer units, for a smoke test")
    p.add_argument("--csharp-threads", type=int, default=0, help="libtorch threads for the C# side (0: its default)")
    p.add_argument("--torchsharp", action="store_true", help="also run the C# side on TorchSharp 0.107 in the Debian 13 root")
    a = p.parse_args()
    if not os.environ.get("BENCH_CSHARP"):
        subprocess.run(["dotnet", "build", os.path.join(HERE, "Course.Bench"), "-c", "Release", "-nologo", "-v:q"], check=True)
    sides = {"C#": CSHARP}
    if a.torchsharp:
        sides["TorchSharp"] = prepare_torchsharp()

    engines = {}
    for side, cmd in sides.items():
        # Inside the root only the work tree is shared with this machine, so the export goes there.
        out = os.path.join(TORCHSHARP_TREE if side == "TorchSharp" else "/tmp", "course-bench-export")
        check = run(cmd + ["export", "--out", out], {})
        same = run(PYTHON + ["check", "--check", out], {})
        engines[side] = check["engine"]
        print(f"same models ({check['engine']} vs PyTorch {same['torch_version']}): "
              f"MLP {same['mlp_parameters']:,} parameters (max |diff| {same['mlp_max_abs_diff']:.1e}), "
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
        torchsharp = {}   # setting -> (per-round medians, peak RSS, threads), apart from PyTorch's settings
        for r in range(a.rounds):
            res = run(CSHARP + common + cs_args, {})
            results["C#"].append(res["median_ms"]); peaks["C#"] = max(peaks["C#"], res["peak_rss_mb"])
            cs_threads = res["threads"]
            if a.torchsharp:
                for setting, args in TORCHSHARP_SETTINGS.items():
                    res = run(sides["TorchSharp"] + common + args, {})
                    times, peak, _ = torchsharp.get(setting, ([], 0.0, 0))
                    torchsharp[setting] = (times + [res["median_ms"]], max(peak, res["peak_rss_mb"]), res["threads"])
            for setting, (args, env) in PYTORCH_SETTINGS.items():
                res = run(PYTHON + common + args + ["--setting", setting], env)
                results.setdefault(setting, []).append(res["median_ms"])
                peaks[setting] = max(peaks.get(setting, 0.0), res["peak_rss_mb"])
            running = {**{f"TorchSharp {k}": v[0] for k, v in torchsharp.items()}, **results}
            print(f"  {name} round {r + 1}: " + ", ".join(f"{k} {statistics.median(v):.2f} ms" for k, v in running.items()), flush=True)
        medians = {k: statistics.median(v) for k, v in results.items()}
        best = min((k for k in medians if k != "C#"), key=lambda k: medians[k])
        ts = {k: (statistics.median(times), peak, n) for k, (times, peak, n) in torchsharp.items()}
        ts_best = min(ts, key=lambda k: ts[k][0], default=None)
        all_medians = {**{f"TorchSharp {k}": v[0] for k, v in ts.items()}, **medians}
        rows.append((desc, unit, medians["C#"], cs_threads, medians[best], best, all_medians, peaks, ts_best and (ts_best, *ts[ts_best])))

    def per(ms, unit):
        return f"{ms / 1000:.2f} s per {unit}" if ms >= 1000 else f"{ms:.2f} ms per {unit}"

    print()
    print(f"machine: {platform.node()}, {os.cpu_count()} cores, {a.device}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print("C# engines: " + "; ".join(f"{k}: {v}" for k, v in engines.items()))
    print(f"OpenBLAS kernels for Course.Torch and PyTorch: {BLAS_CORE or 'OpenBLAS picks'}")
    if a.torchsharp:
        print(f"| workload | {engines['C#']} | {engines['TorchSharp']} (best setting) | PyTorch {same['torch_version']} (best setting) "
              f"| ratio Course.Torch / PyTorch | ratio TorchSharp / PyTorch | peak RSS Course.Torch / TorchSharp / PyTorch |")
        print("|---|---|---|---|---|---|---|")
    else:
        print(f"| workload | C# ({engines['C#']}) | PyTorch {same['torch_version']} (best setting) | ratio (throughput, C# / PyTorch) | peak RSS C# / PyTorch |")
        print("|---|---|---|---|---|")
    for desc, unit, cs, cst, py, best, medians, peaks, ts_row in rows:
        cs_cell = f"{per(cs, unit)} ({cst} thread{'s' if cst > 1 else ''})"
        if ts_row:
            setting, ts, ts_peak, ts_threads = ts_row
            print(f"| {desc} | {cs_cell} | {per(ts, unit)} ({setting}, {ts_threads} thread{'s' if ts_threads > 1 else ''}) "
                  f"| {per(py, unit)} ({best}) | **{py / cs:.2f}x** | **{py / ts:.2f}x** "
                  f"| {peaks['C#']:.0f} / {ts_peak:.0f} / {peaks[best]:.0f} MB |")
        else:
            print(f"| {desc} | {cs_cell} | {per(py, unit)} ({best}) | **{py / cs:.2f}x** | {peaks['C#']:.0f} MB / {peaks[best]:.0f} MB |")
    print()
    for desc, unit, cs, cst, py, best, medians, peaks, ts_row in rows:
        print(f"{desc}: " + ", ".join(f"{k} {v:.2f} ms" for k, v in medians.items()))


if __name__ == "__main__":
    main()
