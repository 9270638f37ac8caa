"""The PyTorch side of the benchmark: the same four workloads as bench/Course.Bench, on the same
models (the PyTorch twins in tests/Course.Diffusion.Tests/fixtures/pytorch_twins.py), written the
way a PyTorch user would write them. Prints one JSON line."""
import argparse, json, math, os, resource, sys, time
import torch
import torch.nn.functional as F

# The PyTorch twins of the course's models live with the model tests' fixtures.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "Course.Diffusion.Tests", "fixtures"))
from pytorch_twins import TimeConditionedMlp, UNet  # noqa: E402

T = 1000


def linear_schedule():
    betas = torch.linspace(1e-4, 0.02, T, dtype=torch.float64)
    return torch.cumprod(1 - betas, 0)


def evenly_spaced(length, count):
    stride = (length - 1) / (count - 1)
    return [int(round(i * stride)) for i in range(count)]   # C#'s Math.Round: banker's rounding, as Python's round


def mlp_step(device, ab):
    torch.manual_seed(0)
    model = TimeConditionedMlp().to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x0 = torch.randn(512, 2, device=device)
    sqrt_ab, sqrt_1m = ab.sqrt().float().to(device), (1 - ab).sqrt().float().to(device)

    def unit():
        t = torch.randint(0, T, (512,), device=device)
        noise = torch.randn_like(x0)
        xt = sqrt_ab[t][:, None] * x0 + sqrt_1m[t][:, None] * noise
        loss = F.mse_loss(model(xt, t), noise)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return unit


def unet_step(device, ab):
    torch.manual_seed(0)
    model = UNet(num_classes=10).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-4)
    x0 = torch.rand(64, 1, 28, 28, device=device) * 2 - 1
    labels = torch.randint(0, 10, (64,), device=device)
    sqrt_ab, sqrt_1m = ab.sqrt().float().to(device), (1 - ab).sqrt().float().to(device)

    def unit():
        t = torch.randint(0, T, (64,), device=device)
        noise = torch.randn_like(x0)
        xt = sqrt_ab[t][:, None, None, None] * x0 + sqrt_1m[t][:, None, None, None] * noise
        loss = F.mse_loss(model(xt, t, labels), noise)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        if device.type == "cuda":
            loss.item()
    return unit


def ddim_sampling(device, ab):
    torch.manual_seed(0)
    model = UNet(num_classes=10).to(device).eval()
    labels = torch.randint(0, 10, (64,), device=device)
    keep = evenly_spaced(T, 50)
    abk = [float(ab[i]) for i in keep]

    @torch.no_grad()
    def unit():
        x = torch.randn(64, 1, 28, 28, device=device)
        for k in reversed(range(len(keep))):          # DDIM, eta = 0 (Song et al. 2021, eq. 12)
            t = torch.full((64,), keep[k], dtype=torch.long, device=device)
            eps = model(x, t, labels)
            a, a_prev = abk[k], (abk[k - 1] if k > 0 else 1.0)
            x0 = (x - math.sqrt(1 - a) * eps) / math.sqrt(a)
            x = math.sqrt(a_prev) * x0 + math.sqrt(1 - a_prev) * eps
        x.sum().item()
    return unit


def ddpm_sampling(device, ab):
    torch.manual_seed(0)
    model = TimeConditionedMlp().to(device).eval()
    betas = torch.linspace(1e-4, 0.02, T, dtype=torch.float64)
    ab_prev = torch.cat([torch.ones(1, dtype=torch.float64), ab[:-1]])
    post_var = betas * (1 - ab_prev) / (1 - ab)
    sigma = [math.sqrt(float(v)) for v in post_var]
    c_eps = [float(b / (1 - a).sqrt()) for b, a in zip(betas, ab)]
    c_x = [float(1 / (1 - b).sqrt()) for b in betas]

    @torch.no_grad()
    def unit():
        x = torch.randn(2000, 2, device=device)
        for i in reversed(range(T)):                  # Ho et al. 2020, Algorithm 2
            t = torch.full((2000,), i, dtype=torch.long, device=device)
            eps = model(x, t)
            mean = c_x[i] * (x - c_eps[i] * eps)
            x = mean + sigma[i] * torch.randn_like(x) if i > 0 else mean
        x.sum().item()
    return unit


def swiss_roll(n, generator):
    """The course's Swiss roll (Course.Data ToyDatasets.SwissRoll): t ~ U[1.5 pi, 4.5 pi],
    (t cos t, t sin t) / 5 + 0.2 N(0, I)."""
    t = 1.5 * math.pi * (1 + 2 * torch.rand(n, generator=generator))
    x = torch.stack([t * torch.cos(t), t * torch.sin(t)], 1) / 5
    return x + 0.2 * torch.randn(n, 2, generator=generator)


def sweep_training(device, ab, width=8, steps=50):
    """Lesson 09's step as the course's DiffusionTrainer takes it: batch 256, AdamW (lr 2e-3),
    gradient clipping at 1, an EMA of the weights (decay 0.99); one unit is `steps` steps."""
    torch.manual_seed(0)
    model = TimeConditionedMlp(hidden=width, layers=3, temb_dim=32).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0)
    ema = [p.detach().clone() for p in model.parameters()]
    params = list(model.parameters())
    g = torch.Generator().manual_seed(1)
    sqrt_ab, sqrt_1m = ab.sqrt().float().to(device), (1 - ab).sqrt().float().to(device)

    def unit():
        for _ in range(steps):
            x0 = swiss_roll(256, g).to(device)
            t = torch.randint(0, T, (256,), generator=g).to(device)
            noise = torch.randn(x0.shape, generator=g).to(device)
            xt = sqrt_ab[t][:, None] * x0 + sqrt_1m[t][:, None] * noise
            loss = (model(xt, t) - noise).square().mean()
            loss.item()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            opt.zero_grad()
            with torch.no_grad():
                for e, p in zip(ema, params):
                    e.lerp_(p, 0.01)
    return unit


WORKLOADS = {"mlp": mlp_step, "unet": unet_step, "ddim": ddim_sampling, "ddpm": ddpm_sampling,
             "sweep": sweep_training}


def check_export(folder):
    """Loads the C# side's exported weights into the twins and compares outputs on the same inputs."""
    def load(path):
        with open(path, "rb") as f:
            n = int.from_bytes(f.read(8), "little")
            header = json.loads(f.read(n))
            data = f.read()
        dtypes = {"F32": torch.float32, "I64": torch.int64, "F64": torch.float64}
        out = {}
        for k, v in header.items():
            if k == "__metadata__":
                continue
            b, e = v["data_offsets"]
            out[k] = torch.frombuffer(bytearray(data[b:e]), dtype=dtypes[v["dtype"]]).reshape(v["shape"])
        return out
    io = load(f"{folder}/io.safetensors")
    mlp, unet = TimeConditionedMlp(), UNet(num_classes=10).eval()
    mlp.load_state_dict(load(f"{folder}/mlp.safetensors"), strict=True)
    unet.load_state_dict(load(f"{folder}/unet.safetensors"), strict=True)
    with torch.no_grad():
        d_mlp = (mlp(io["x2"], io["t2"]) - io["mlp_out"]).abs().max().item()
        d_unet = (unet(io["x28"], io["t28"], io["labels"]) - io["unet_out"]).abs().max().item()
    print(json.dumps({"torch_version": torch.__version__, "mlp_parameters": sum(p.numel() for p in mlp.parameters()),
                      "unet_parameters": sum(p.numel() for p in unet.parameters()),
                      "mlp_max_abs_diff": d_mlp, "unet_max_abs_diff": d_unet,
                      "unet_output_scale": io["unet_out"].abs().max().item()}))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("workload")
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--iters", type=int, default=10)
    p.add_argument("--setting", default="default")
    p.add_argument("--check", default=None)
    p.add_argument("--width", type=int, default=8)
    p.add_argument("--steps", type=int, default=50)
    a = p.parse_args()
    if a.workload == "check":
        return check_export(a.check)
    if a.threads > 0:
        torch.set_num_threads(a.threads)
    device = torch.device(a.device)
    extra = {"width": a.width, "steps": a.steps} if a.workload == "sweep" else {}
    unit = WORKLOADS[a.workload](device, linear_schedule(), **extra)
    for _ in range(a.warmup):
        unit()
    times = []
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(a.iters):
        t0 = time.perf_counter()
        unit()
        times.append((time.perf_counter() - t0) * 1000)
    cores_busy = (time.process_time() - cpu0) / (time.perf_counter() - wall0)
    s = sorted(times)
    print(json.dumps({"side": "pytorch", "setting": a.setting, "workload": a.workload, "device": a.device,
                      "threads": torch.get_num_threads(), "median_ms": s[len(s) // 2], "cores_busy": cores_busy,
                      "times_ms": times,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


if __name__ == "__main__":
    main()
