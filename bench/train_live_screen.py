#!/usr/bin/env python3
"""How lesson 10's recipe was screened (bench/README.md, "Training live: how the recipe was chosen"): a PyTorch
prototype of the reference recipe (bench/ref_train_live.py) with switches for the changes tried, trained for a
fixed number of STEPS (so a busy machine changes the time, not the result), then sampled and written as .npy files
for the course's `evaluate` command. Same libtorch as the course (Debian's python3-torch).

    /usr/bin/python3 bench/train_live_screen.py --steps 700 --out /tmp/screen/ref --per-class 100 --guidance 1.5 \
        --sampler dpm --nsteps 10 [--ch 32,64 --patch 2] [--tsample ln --lns 2] [--weight minsnr5] [--b2 0.999] ...
    dotnet run --project src/Course.Notebooks -c Release --no-build -- evaluate /tmp/screen/ref/samples_w1.5.npy \
        --labels /tmp/screen/ref/labels.npy

--load EMA.pt samples from saved weights instead of training. --timeonly N times N training steps and stops.
Run with MALLOC_MMAP_THRESHOLD_=268435456 MALLOC_TRIM_THRESHOLD_=1073741824 (what the course's engine sets).
"""
import os, sys, time
T_START = time.time()
import argparse, gzip, json, math
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F
p = argparse.ArgumentParser()
p.add_argument("--steps", type=int, default=0); p.add_argument("--seconds", type=float, default=0)
p.add_argument("--out", default="/tmp/screen/run"); p.add_argument("--threads", type=int, default=1)
p.add_argument("--ch", default="16,32,64"); p.add_argument("--patch", type=int, default=1)
p.add_argument("--blocks", type=int, default=1)
p.add_argument("--batch", type=int, default=32); p.add_argument("--lr", type=float, default=2e-3)
p.add_argument("--warmup", type=int, default=100); p.add_argument("--ema", type=float, default=0.999)
p.add_argument("--tsample", default="uniform"); p.add_argument("--lnm", type=float, default=0.0)
p.add_argument("--lns", type=float, default=1.0)
p.add_argument("--weight", default="none"); p.add_argument("--pred", default="v")
p.add_argument("--guidance", type=float, nargs="+", default=[3.0]); p.add_argument("--sampler", default="ddim")
p.add_argument("--nsteps", type=int, default=20); p.add_argument("--per-class", type=int, default=200)
p.add_argument("--seed", type=int, default=0); p.add_argument("--decay", default="cos")
p.add_argument("--gn", type=int, default=8); p.add_argument("--nonorm0", action="store_true")
p.add_argument("--timeonly", type=int, default=0); p.add_argument("--head", type=int, default=0); p.add_argument("--b2", type=float, default=0.99); p.add_argument("--load", default=""); p.add_argument("--tag", default=""); p.add_argument("--bs", type=int, default=250)
args = p.parse_args()
torch.set_num_threads(args.threads); torch.manual_seed(args.seed)
os.makedirs(args.out, exist_ok=True)
DATA = "/usr/share/datasets/fashion-mnist/"
def load(split):
    pre = "train" if split == "train" else "t10k"
    with gzip.open(DATA + f"{pre}-images-idx3-ubyte.gz") as f: x = np.frombuffer(f.read(), np.uint8, offset=16)
    with gzip.open(DATA + f"{pre}-labels-idx1-ubyte.gz") as f: y = np.frombuffer(f.read(), np.uint8, offset=8)
    x = torch.from_numpy(x.reshape(-1, 1, 28, 28).astype(np.float32)) / 127.5 - 1
    return x, torch.from_numpy(y.astype(np.int64))
def gn(c): return nn.GroupNorm(min(args.gn, c // 4), c)
class Res(nn.Module):
    def __init__(s, cin, cout, edim):
        super().__init__()
        s.n1 = gn(cin); s.c1 = nn.Conv2d(cin, cout, 3, padding=1)
        s.e = nn.Linear(edim, 2 * cout); s.n2 = gn(cout); s.c2 = nn.Conv2d(cout, cout, 3, padding=1)
        nn.init.zeros_(s.c2.weight); nn.init.zeros_(s.c2.bias)
        s.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()
    def forward(s, x, e):
        h = s.c1(F.silu(s.n1(x)))
        sc, sh = s.e(e)[:, :, None, None].chunk(2, 1)
        return s.c2(F.silu(s.n2(h) * (1 + sc) + sh)) + s.skip(x)
class UNet(nn.Module):
    """levels = len(ch); patch: pixel-unshuffle stem (space-to-depth) and pixel-shuffle head"""
    def __init__(s, ch, patch=1, blocks=1, ncls=10):
        super().__init__()
        s.ch = ch; s.patch = patch; c0 = ch[0]; ed = max(64, 4 * c0); s.tdim = max(16, c0)
        s.temb = nn.Sequential(nn.Linear(s.tdim, ed), nn.SiLU(), nn.Linear(ed, ed))
        s.cemb = nn.Embedding(ncls + 1, ed)
        s.stem = nn.Conv2d(patch * patch, c0, 3, padding=1)
        s.down = nn.ModuleList(); s.dn = nn.ModuleList(); skips = [c0]; c = c0
        for i, co in enumerate(ch):
            for b in range(blocks):
                s.down.append(Res(c, co, ed)); c = co; skips.append(c)
            if i < len(ch) - 1: s.dn.append(nn.Conv2d(c, c, 3, stride=2, padding=1))
        s.mid = Res(c, c, ed)
        s.up = nn.ModuleList()
        for i, co in reversed(list(enumerate(ch))):
            for b in range(blocks):
                s.up.append(Res(c + skips.pop(), co, ed)); c = co
        hc = args.head
        if hc and patch > 1:
            s.out = nn.Sequential(gn(c), nn.SiLU(), nn.Conv2d(c, patch * patch * hc, 3, padding=1))
            s.fstem = nn.Conv2d(1, hc, 3, padding=1); s.fout = nn.Conv2d(hc, 1, 3, padding=1)
            nn.init.zeros_(s.fout.weight); nn.init.zeros_(s.fout.bias)
        else:
            s.out = nn.Sequential(gn(c), nn.SiLU(), nn.Conv2d(c, patch * patch, 3, padding=1))
            nn.init.zeros_(s.out[-1].weight); nn.init.zeros_(s.out[-1].bias)
        s.hc = hc
    def forward(s, x, t, y):
        half = s.tdim // 2
        f = torch.exp(-math.log(1000.0) * torch.arange(half) / half)
        a = (t * 1000)[:, None] * f[None]
        e = F.silu(s.temb(torch.cat([a.sin(), a.cos()], 1)) + s.cemb(y))
        x28 = x
        if s.patch > 1: x = F.pixel_unshuffle(x, s.patch)
        h = s.stem(x); hs = [h]; k = 0; B = len(s.down) // len(s.ch)
        for i in range(len(s.ch)):
            for b in range(B):
                h = s.down[k](h, e); k += 1; hs.append(h)
            if i < len(s.ch) - 1: h = s.dn[i](h)
        h = s.mid(h, e); k = 0
        for i in reversed(range(len(s.ch))):
            for b in range(B):
                h = s.up[k](torch.cat([h, hs.pop()], 1), e); k += 1
            if i > 0: h = F.interpolate(h, scale_factor=2.0, mode="nearest")
        h = s.out(h)
        if s.patch > 1: h = F.pixel_shuffle(h, s.patch)
        if s.hc and s.patch > 1: h = s.fout(F.silu(h + s.fstem(x28)))
        return h
def alpha_sigma(t):
    ang = (t * 0.985 + 0.005) * (math.pi / 2)
    return torch.cos(ang), torch.sin(ang)
def t_of_logsnr(l):   # inverse: logsnr = 2 log(cot(ang))
    ang = torch.atan(torch.exp(-l / 2)); return (ang / (math.pi / 2) - 0.005) / 0.985

@torch.no_grad()
def predict_x0_eps(net, z, t, y, w, null):
    a, s = alpha_sigma(t)
    n = len(z)
    out = net(torch.cat([z, z]), t.repeat(2 * n) if t.dim() == 0 else torch.cat([t, t]), torch.cat([y, torch.full_like(y, null)]))
    c, u = out.chunk(2); o = u + w * (c - u)
    if args.pred == "v": x0 = a * z - s * o
    else: x0 = (z - s * o) / a
    x0 = x0.clamp(-1, 1); eps = (z - a * x0) / s
    return x0, eps
@torch.no_grad()
def sample(net, labels, steps, w, bs=500, seed=1234, kind="ddim"):
    g = torch.Generator().manual_seed(seed); out = []
    ts = torch.linspace(1, 0, steps + 1)
    for j in range(0, len(labels), bs):
        y = labels[j:j + bs]; z = torch.randn(len(y), 1, 28, 28, generator=g); prev = None
        for i in range(steps):
            a, s = alpha_sigma(ts[i]); an, sn = alpha_sigma(ts[i + 1])
            x0, eps = predict_x0_eps(net, z, ts[i], y, w, 10)
            if kind == "ddim" or prev is None or i == steps - 1 and False:
                z = an * x0 + sn * eps
            else:   # DPM-Solver++(2M), data prediction, lambda = log(a/s)
                lam = lambda A, S: torch.log(A / S)
                h = lam(an, sn) - lam(a, s); hp = lam(a, s) - lam(*alpha_sigma(prev[1]))
                r = hp / h; D = (1 + 1 / (2 * r)) * x0 - 1 / (2 * r) * prev[0]
                z = sn / s * z - an * torch.expm1(-h) * D
            prev = (x0, ts[i])
        out.append(x0)
    return torch.cat(out)

def main():
    xtr, ytr = load("train"); n = len(xtr); B = args.batch
    net = UNet(tuple(int(c) for c in args.ch.split(",")), args.patch, args.blocks)
    ema = UNet(tuple(int(c) for c in args.ch.split(",")), args.patch, args.blocks); ema.load_state_dict(net.state_dict())
    ema.eval().requires_grad_(False)
    params, eparams = list(net.parameters()), list(ema.parameters())
    npar = sum(q.numel() for q in params)
    opt = torch.optim.AdamW(params, lr=args.lr, betas=(0.9, args.b2), weight_decay=0.01)
    t_data = time.time() - T_START
    if args.load:
        ema.load_state_dict(torch.load(args.load)); step = -1; ms = 0; return finish(ema, step, ms, npar)
    print(f"params {npar} data+setup {t_data:.1f}s", flush=True)
    step, perm, pos = 0, torch.randperm(n), 0; t0 = time.time(); la = 0
    total = args.steps if args.steps else 10**9
    while True:
        el = time.time() - t0
        if args.steps and step >= args.steps: break
        if args.seconds and el >= args.seconds: break
        prog = step / args.steps if args.steps else el / args.seconds
        dec = 0.5 * (1 + math.cos(math.pi * prog)) if args.decay == "cos" else (1.0 if args.decay == "const" else max(0.0, 1 - prog))
        lr = args.lr * min(1.0, (step + 1) / args.warmup) * dec
        for gp in opt.param_groups: gp["lr"] = lr
        if pos + B > n: perm, pos = torch.randperm(n), 0
        idx = perm[pos:pos + B]; pos += B
        x0, y = xtr[idx], ytr[idx].clone(); y[torch.rand(B) < 0.1] = 10
        if args.tsample == "uniform": t = torch.rand(B)
        else: t = t_of_logsnr(-(torch.randn(B) * args.lns + args.lnm) * 1.0).clamp(0, 1)   # logit-normal-ish in logsnr
        a, s = alpha_sigma(t); a, s = a[:, None, None, None], s[:, None, None, None]
        e = torch.randn_like(x0); xt = a * x0 + s * e; out = net(xt, t, y)
        if args.pred == "v": err = (out - (a * e - s * x0)).square().mean((1, 2, 3))
        else: err = (out - e).square().mean((1, 2, 3))
        if args.weight.startswith("minsnr"):
            g = float(args.weight[6:] or 5); snr = (a / s).square().flatten()
            wgt = torch.clamp(snr, max=g) / (snr + 1) if args.pred == "v" else torch.clamp(snr, max=g) / snr
            loss = (err * wgt).mean()
        else: loss = err.mean()
        opt.zero_grad(set_to_none=True); loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0); opt.step(); step += 1
        d = min(args.ema, (1 + step) / (10 + step))
        torch._foreach_mul_(eparams, d); torch._foreach_add_(eparams, params, alpha=1 - d)
        la += loss.item()
        if step % 100 == 0:
            print(f"step {step} loss {la / 100:.4f} lr {lr:.2e} {(time.time() - t0) / step * 1000:.1f} ms/step", flush=True); la = 0
        if args.timeonly and step >= args.timeonly: print(f"TIME {(time.time()-t0)/step*1000:.1f} ms/step"); return
    ms = (time.time() - t0) / step * 1000
    print(f"done {step} steps {ms:.1f} ms/step", flush=True)
    torch.save(ema.state_dict(), f"{args.out}/ema.pt")
    finish(ema, step, ms, npar)
def finish(ema, step, ms, npar):
    labels = torch.arange(10).repeat_interleave(args.per_class)
    res = {"steps": step, "ms": ms, "params": npar, "args": vars(args)}
    for w in args.guidance:
        ts = time.time(); xs = sample(ema, labels, args.nsteps, w, kind=args.sampler, bs=args.bs); ts = time.time() - ts
        u8 = ((xs + 1) * 127.5).round().clamp(0, 255).to(torch.uint8)[:, 0].numpy()
        np.save(f"{args.out}/samples{args.tag}_w{w:g}.npy", u8); res[f"sample_s_w{w:g}"] = ts
        print(f"sampled w={w} in {ts:.1f}s", flush=True)
    np.save(f"{args.out}/labels.npy", labels.numpy().astype(np.int64))
    json.dump(res, open(f"{args.out}/res{args.tag}.json", "w"))
main()
