"""PyTorch twins of the course's models (src/Course.Diffusion/Models), module for module and with
the same parameter names, so a state dict saved by the C# side loads here with strict=True."""
import math
import torch
from torch import nn
import torch.nn.functional as F


def sinusoidal_embedding(t, dim):
    half = dim // 2
    freqs = torch.exp(torch.arange(half, dtype=torch.float32, device=t.device) * (-math.log(10000.0) / (half - 1)))
    angles = t.float()[:, None] * freqs[None, :]
    return torch.cat([angles.sin(), angles.cos()], dim=1)


class TimeConditionedMlp(nn.Module):
    def __init__(self, data_dim=2, hidden=128, layers=3, temb=64):
        super().__init__()
        self.temb = temb
        mods = [nn.Linear(data_dim + temb, hidden), nn.SiLU()]
        for _ in range(1, layers):
            mods += [nn.Linear(hidden, hidden), nn.SiLU()]
        mods.append(nn.Linear(hidden, data_dim))
        self.net = nn.Sequential(*mods)

    def forward(self, x, t, labels=None):
        return self.net(torch.cat([x, sinusoidal_embedding(t, self.temb)], dim=1))


class ResidualBlock(nn.Module):
    def __init__(self, cin, cout, tdim, dropout, groups):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_projection = nn.Linear(tdim, cout)
        self.norm2 = nn.GroupNorm(groups, cout)
        self.dropout = nn.Dropout(dropout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.activation = nn.SiLU()
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, temb):
        h = self.conv1(self.activation(self.norm1(x)))
        h = h + self.time_projection(self.activation(temb))[:, :, None, None]
        h = self.conv2(self.dropout(self.activation(self.norm2(h))))
        return (self.skip(x) if self.skip is not None else x) + h


class AttentionBlock(nn.Module):
    def __init__(self, channels, heads, groups):
        super().__init__()
        self.heads = heads
        self.norm = nn.GroupNorm(groups, channels)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.projection = nn.Conv2d(channels, channels, 1)

    def forward(self, x):
        b, c, h, w = x.shape
        d = c // self.heads
        qkv = self.qkv(self.norm(x)).reshape(b, 3, self.heads, d, h * w)
        q, k, v = (p.reshape(b * self.heads, d, h * w) for p in qkv.unbind(1))
        weights = torch.softmax(torch.bmm(q.transpose(1, 2), k) * (1.0 / math.sqrt(d)), dim=-1)
        out = torch.bmm(v, weights.transpose(1, 2)).reshape(b, c, h, w)
        return x + self.projection(out)


class Downsample(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, stride=2, padding=1)

    def forward(self, x):
        return self.conv(x)


class Upsample(nn.Module):
    def __init__(self, ch):
        super().__init__()
        self.conv = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2, mode="nearest"))


class UNetStage(nn.Module):
    def __init__(self, residual=None, attention=None, resample=None):
        super().__init__()
        self.residual, self.attention, self.resample = residual, attention, resample

    def forward(self, x, temb):
        if self.residual is not None:
            x = self.residual(x, temb)
        if self.attention is not None:
            x = self.attention(x)
        if self.resample is not None:
            x = self.resample(x)
        return x


class UNet(nn.Module):
    """UNetConfig defaults: 1x28x28, base 32, multipliers (1,2,2), one residual block per level,
    attention at the lowest resolution, one head, dropout 0.1, GroupNorm with 8 groups."""

    def __init__(self, in_ch=1, size=28, base=32, mults=(1, 2, 2), blocks=1, heads=1, dropout=0.1, groups=8, num_classes=0):
        super().__init__()
        ch, tdim = base, 4 * base
        res = [size >> i for i in range(len(mults))]
        attn_res = [res[-1]]
        self.temb_dim = max(4, ch + ch % 2)
        self.time_mlp = nn.Sequential(nn.Linear(self.temb_dim, tdim), nn.SiLU(), nn.Linear(tdim, tdim))
        self.num_classes = num_classes
        self.class_embedding = nn.Embedding(num_classes + 1, tdim) if num_classes > 0 else None
        self.input_conv = nn.Conv2d(in_ch, ch, 3, padding=1)
        down, skips = [], [ch]
        for level, m in enumerate(mults):
            out = base * m
            for _ in range(blocks):
                down.append(UNetStage(ResidualBlock(ch, out, tdim, dropout, groups),
                                      AttentionBlock(out, heads, groups) if res[level] in attn_res else None))
                ch = out
                skips.append(ch)
            if level < len(mults) - 1:
                down.append(UNetStage(resample=Downsample(ch)))
                skips.append(ch)
        self.middle_block1 = ResidualBlock(ch, ch, tdim, dropout, groups)
        self.middle_attention = AttentionBlock(ch, heads, groups)
        self.middle_block2 = ResidualBlock(ch, ch, tdim, dropout, groups)
        up = []
        for level in reversed(range(len(mults))):
            out = base * mults[level]
            for r in range(blocks + 1):
                block = ResidualBlock(ch + skips.pop(), out, tdim, dropout, groups)
                attn = AttentionBlock(out, heads, groups) if res[level] in attn_res else None
                ch = out
                up.append(UNetStage(block, attn, Upsample(ch) if level > 0 and r == blocks else None))
        self.output_norm = nn.GroupNorm(groups, ch)
        self.output_activation = nn.SiLU()
        self.output_conv = nn.Conv2d(ch, in_ch, 3, padding=1)
        self.down = nn.ModuleList(down)
        self.up = nn.ModuleList(up)

    def forward(self, x, t, labels=None):
        temb = self.time_mlp(sinusoidal_embedding(t, self.temb_dim))
        if self.class_embedding is not None:
            if labels is None:
                labels = torch.full((x.shape[0],), self.num_classes, dtype=torch.long, device=x.device)
            temb = temb + self.class_embedding(labels)
        h = self.input_conv(x)
        kept = [h]
        for stage in self.down:
            h = stage(h, temb)
            kept.append(h)
        h = self.middle_block2(self.middle_attention(self.middle_block1(h, temb)), temb)
        for stage in self.up:
            h = stage(torch.cat([h, kept.pop()], dim=1), temb)
        return self.output_conv(self.output_activation(self.output_norm(h)))
