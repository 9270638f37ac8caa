"""conv2d's output from a float32 PyTorch against the same convolution in float64 (libtorch's own
double kernels, which oneDNN does not serve). Prints the largest error relative to the output's scale
for channel counts that fill oneDNN's 16-wide blocks and some that do not. Exit code 1 when a case is
off by more than 1e-4 of its scale.

    python3 pytorch_conv2d_forward.py
"""
import sys

import torch
import torch.nn.functional as F

torch.set_num_threads(1)
print("PyTorch", torch.__version__, "| oneDNN", torch.backends.mkldnn.is_available())
cpu = dict(l.split(":", 1) for l in open("/proc/cpuinfo") if ":" in l)
print("CPU:", cpu["model name\t"].strip(), "| cpu family", cpu["cpu family\t"].strip(), "| model", cpu["model\t\t"].strip())
generator = torch.Generator().manual_seed(0)
wrong = False
for cin, cout, size, stride in [(24, 8, 28, 1), (24, 8, 14, 2), (24, 8, 7, 1), (24, 24, 7, 1), (8, 8, 28, 1),
                                (16, 8, 28, 1), (32, 16, 14, 1), (16, 16, 14, 1)]:
    worst = 0.0
    for run in range(3):
        x = torch.randn(3, cin, size, size, generator=generator)
        w = torch.randn(cout, cin, 3, 3, generator=generator) * 0.2
        b = torch.randn(cout, generator=generator)
        exact = F.conv2d(x.double(), w.double(), b.double(), stride=stride, padding=1)
        y = F.conv2d(x, w, b, stride=stride, padding=1)
        worst = max(worst, ((y.double() - exact).abs().max() / exact.abs().max()).item())
    wrong |= worst > 1e-4
    print(f"conv2d 3x3 {cin:2d}->{cout:2d} channels, {size:2d}x{size:<2d}, stride {stride}: "
          f"largest error {worst:.2e} of the output's scale{'  WRONG' if worst > 1e-4 else ''}")
sys.exit(1 if wrong else 0)
