#!/usr/bin/env python3
"""Lesson 10's training step, the course against PyTorch on the same model and batch, as a ratio in one run.

    /usr/bin/python3 bench/train_live_step.py [--rounds 5] [--iters 30] [--batch 32] [--threads 1] [--torchsharp]

The C# side is `Course.Bench live`: the library's DiffusionTrainer.TrainStep with LiveTrainingRecipe's settings
(CompactUNet, v-prediction, timesteps normal in log-SNR, label dropout, AdamW, gradient clipping, EMA). The
PyTorch side (`--side pytorch`, below) does the same work the way a PyTorch user writes it, on the PyTorch twin of
the CompactUNet (tests/Course.Diffusion.Tests/fixtures/compact_unet_twin.py, whose outputs CompactUNetTests
checks against C#). Both run one process per round, interleaved, on the same libtorch (Debian's 1.13.1); each
reports the median wall-clock and process-CPU time per step. On a machine that other jobs are loading, the CPU
time is the fairer number (the wall clock includes time the process waited for a core); the table gives both
and the ratio of each (PyTorch's time over the course's: above 1 means the course is faster). With --torchsharp the
C# side also runs on TorchSharp 0.107 (libtorch 2.10) in the Debian 13 root, built from a copy of this work tree as
bench/run.py --torchsharp does, in the same rounds.
"""
import argparse, json, math, os, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CSHARP = ["dotnet", os.path.join(HERE, "Course.Bench", "bin", "Release", "net10.0", "Course.Bench.dll")]


def pytorch_side(a):
    import torch
    import torch.nn.functional as F
    sys.path.insert(0, os.path.join(ROOT, "tests", "Course.Diffusion.Tests", "fixtures"))
    from compact_unet_twin import CompactUNet
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = CompactUNet(num_classes=10)
    ema = [p.detach().clone() for p in model.parameters()]
    params = list(model.parameters())
    opt = torch.optim.AdamW(params, lr=2e-3, betas=(0.9, 0.99), weight_decay=0.01)   # the recipe's AdamW
    g = torch.Generator().manual_seed(1)
    images = torch.rand(6000, 1, 28, 28, generator=g) * 2 - 1
    labels = torch.randint(0, 10, (6000,), generator=g)
    # Nichol & Dhariwal's cosine schedule, T = 1000, in float64, as NoiseSchedule.Cosine builds it.
    T, s = 1000, 0.008
    f = lambda t: math.cos((t / T + s) / (1 + s) * math.pi / 2) ** 2
    betas = torch.tensor([min(1 - f(i + 1) / f(i), 0.999) for i in range(T)], dtype=torch.float64)
    ab = torch.cumprod(1 - betas, 0)
    sqrt_ab, sqrt_1m = ab.sqrt().float(), (1 - ab).sqrt().float()
    log_snr_desc = torch.log(ab / (1 - ab))                           # falls with t
    ascending = log_snr_desc.flip(0).contiguous()
    B, step = a.batch, [0]

    def train_step():
        idx = torch.randint(0, len(images), (B,))
        x0, y = images[idx], labels[idx]
        lam = torch.randn(B, dtype=torch.float64) * 2.0               # log-SNR ~ N(0, 2²): the nearest step
        k = torch.searchsorted(ascending, lam).clamp(1, T - 1)
        nearer_low = (lam - ascending[k - 1]).abs() <= (ascending[k] - lam).abs()
        t = (T - 1) - torch.where(nearer_low, k - 1, k)
        noise = torch.randn_like(x0)
        y = torch.where(torch.rand(B) < 0.1, torch.full_like(y, 10), y)   # label dropout
        a_, s_ = sqrt_ab[t][:, None, None, None], sqrt_1m[t][:, None, None, None]
        out = model(a_ * x0 + s_ * noise, t, y)
        loss = F.mse_loss(out, a_ * noise - s_ * x0)                  # v-prediction
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        step[0] += 1
        lr = 2e-3 * min(1.0, step[0] / 100)
        for group in opt.param_groups:
            group["lr"] = lr
        opt.step()
        d = min(0.999, (1 + step[0]) / (10 + step[0]))
        with torch.no_grad():
            torch._foreach_mul_(ema, d)
            torch._foreach_add_(ema, params, alpha=1 - d)
        return loss.item()

    first = train_step()
    for _ in range(a.warmup - 1):
        train_step()
    wall, cpu = [], []
    for _ in range(a.iters):
        c0, w0 = time.process_time(), time.perf_counter()
        train_step()
        wall.append(1000 * (time.perf_counter() - w0))
        cpu.append(1000 * (time.process_time() - c0))
    print(json.dumps({"side": "pytorch", "torch_version": torch.__version__, "threads": torch.get_num_threads(),
                      "batch": B, "parameters": sum(p.numel() for p in params), "first_loss": first,
                      "median_ms": statistics.median(wall), "min_ms": min(wall), "cpu_median_ms": statistics.median(cpu),
                      "cpu_min_ms": min(cpu), "times_ms": wall, "cpu_ms": cpu}))


def run(cmd, env=None):
    out = subprocess.run(cmd, capture_output=True, text=True, env=dict(os.environ, **(env or {})))
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(cmd)}\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--side", default="both", choices=["both", "pytorch"])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--iters", type=int, default=30)
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--threads", type=int, default=1, help="libtorch threads, the same on both sides")
    p.add_argument("--torchsharp", action="store_true", help="also run the C# side on TorchSharp in the Debian 13 root")
    a = p.parse_args()
    if a.side == "pytorch":
        return pytorch_side(a)
    subprocess.run(["dotnet", "build", os.path.join(HERE, "Course.Bench"), "-c", "Release", "-nologo", "-v:q"], check=True)
    common = ["--warmup", str(a.warmup), "--iters", str(a.iters), "--batch", str(a.batch), "--threads", str(a.threads)]
    # The course's engine sets glibc's allocator thresholds itself (LargeTensorMemory); PyTorch runs as it comes.
    results = {"C#": [], "PyTorch": []}
    torchsharp = None
    if a.torchsharp:
        sys.path.insert(0, HERE)
        from run import prepare_torchsharp      # bench/run.py: the work tree copied and built in the Debian 13 root
        torchsharp = prepare_torchsharp()
        results["TorchSharp"] = []
    loads = []
    for r in range(a.rounds):
        loads.append(os.getloadavg()[0])
        cs = run(CSHARP + ["live"] + common)
        py = run([sys.executable, os.path.abspath(__file__), "--side", "pytorch"] + common[:-2] + ["--threads", str(a.threads)])
        assert cs["parameters"] == py["parameters"], (cs["parameters"], py["parameters"])
        results["C#"].append(cs)
        results["PyTorch"].append(py)
        line = (f"round {r + 1} (load {loads[-1]:.1f}): C# wall {cs['median_ms']:.1f} ms, CPU {cs['cpu_median_ms']:.1f} ms; "
                f"PyTorch wall {py['median_ms']:.1f} ms, CPU {py['cpu_median_ms']:.1f} ms")
        if torchsharp:
            ts = run(torchsharp + ["live"] + common)
            assert ts["parameters"] == py["parameters"], (ts["parameters"], py["parameters"])
            results["TorchSharp"].append(ts)
            line += f"; TorchSharp wall {ts['median_ms']:.1f} ms, CPU {ts['cpu_median_ms']:.1f} ms ({ts['engine']})"
        print(line, flush=True)
    med = lambda side, key: statistics.median(x[key] for x in results[side])
    print()
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, load average {min(loads):.1f} to "
          f"{max(loads):.1f}; {cs['engine']} vs PyTorch {py['torch_version']}; {a.threads} libtorch thread(s); "
          f"CompactUNet {cs['parameters']:,} parameters, batch {a.batch}; {a.rounds} rounds x {a.iters} steps, medians")
    if not torchsharp:
        print("| | C# (course: DiffusionTrainer.TrainStep) | PyTorch (plain loop, twin model) | ratio (PyTorch / C#) |")
        print("|---|---|---|---|")
        for key, name in (("median_ms", "wall-clock per step"), ("cpu_median_ms", "process CPU time per step")):
            c, q = med("C#", key), med("PyTorch", key)
            print(f"| {name} | {c:.1f} ms | {q:.1f} ms | **{q / c:.2f}x** |")
        return
    print("| | C# on Course.Torch | C# on TorchSharp | PyTorch (plain loop, twin model) | PyTorch / Course.Torch | PyTorch / TorchSharp |")
    print("|---|---|---|---|---|---|")
    for key, name in (("median_ms", "wall-clock per step"), ("cpu_median_ms", "process CPU time per step")):
        c, t, q = med("C#", key), med("TorchSharp", key), med("PyTorch", key)
        print(f"| {name} | {c:.1f} ms | {t:.1f} ms | {q:.1f} ms | **{q / c:.2f}x** | **{q / t:.2f}x** |")


if __name__ == "__main__":
    main()
