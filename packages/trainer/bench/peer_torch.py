#!/usr/bin/env python3
"""PyTorch peer of the trainer's default model, for the throughput benchmark only (bench/throughput.ts).

The same architecture as `resnet-tiny` in src/model.ts (normalisation-free ResNet: 4x4/2 stem of 16, one basic
block per stage of 32 /2, 64 /2, 128 /1 with 4x4 strided convolutions and 2x2 strided shortcuts, output stride 8), a 1x1 transition to D channels, LSE pooling (r = 10), a
D x C prediction layer, the paper's weighted cross-entropy from logits, Adam. Prints one JSON object:
{"torch": version, "threads": n, "train_images_per_s": x, "eval_images_per_s": y}.

`--eval-full` measures evaluation instead (what src/evaluate.ts does per batch), with --classes findings (14 for the
NIH set): forward only; forward + class activation maps of every class (einsum of the features with the prediction
weights) + bilinear up-sampling to --map-size (half-pixel centres) + min-max scaling to 0..255, all batched in torch;
and all that + thresholds 60 and 180 + 8-connected components + one box per region for every class, with the components
labelled by the same run-based union-find as src/heatmap.ts (runs found with numpy, runs joined in Python; no scipy or
OpenCV here). Prints {"torch", "threads", "forward_images_per_s", "heatmaps_images_per_s", "full_images_per_s",
"boxes_per_image"}.

Run with Debian's python3-torch: /usr/bin/python3 bench/peer_torch.py --image-size 224 --batch-size 16
"""
import argparse
import json
import math
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, cin: int, width: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, width, 4, 2, 1) if stride == 2 else nn.Conv2d(cin, width, 3, 1, 1)
        self.conv2 = nn.Conv2d(width, width, 3, 1, 1)
        nn.init.zeros_(self.conv2.weight)
        self.shortcut = (nn.Conv2d(cin, width, 2, 2) if stride == 2 else nn.Conv2d(cin, width, 1)) if stride != 1 or cin != width else None

    def forward(self, x):
        h = F.relu(self.conv1(x))
        h = self.conv2(h)
        s = self.shortcut(x) if self.shortcut is not None else x
        return F.relu(h + s)


class TinyResNetLse(nn.Module):
    def __init__(self, classes: int, depth: int, r: float, stem=16, widths=(32, 64, 128), strides=(2, 2, 1)):
        super().__init__()
        self.r = r
        self.stem = nn.Conv2d(1, stem, 4, 2, 1)
        blocks, cin = [], stem
        for w, s in zip(widths, strides):
            blocks.append(Block(cin, w, s))
            cin = w
        self.blocks = nn.Sequential(*blocks)
        self.transition = nn.Conv2d(cin, depth, 1)
        self.prediction = nn.Linear(depth, classes)

    def forward(self, x):
        h = F.relu(self.stem((x - 0.5) * 4))
        feats = self.transition(self.blocks(h))
        flat = feats.flatten(2)  # [N, D, S*S]
        peak = flat.max(dim=2, keepdim=True).values
        pooled = peak.squeeze(2) + torch.log(torch.exp(self.r * (flat - peak)).mean(dim=2)) / self.r
        return self.prediction(pooled), feats


def weighted_bce(logits, y):
    count = y.numel()
    p = y.sum()
    n = count - p
    bp = count / p.clamp(min=1) * p.clamp(max=1)
    bn = count / n.clamp(min=1) * n.clamp(max=1)
    pos = (y * F.softplus(-logits)).sum()
    neg = ((1 - y) * F.softplus(logits)).sum()
    return (bp * pos + bn * neg) / count


def regions(values, threshold):
    """Boxes (x, y, w, h in map pixels) and peaks of the 8-connected regions of values > threshold, raster order."""
    h, w = values.shape
    mask = np.zeros((h, w + 2), dtype=np.int8)
    mask[:, 1:-1] = values > threshold
    d = np.diff(mask, axis=1)
    rows, starts = np.nonzero(d == 1)
    _, ends = np.nonzero(d == -1)  # exclusive; runs come in row-major order in both
    n = len(rows)
    if n == 0:
        return []
    flat = np.append(values.ravel(), 0)
    bounds = np.empty(2 * n, dtype=np.int64)
    bounds[0::2] = rows * w + starts
    bounds[1::2] = rows * w + ends
    peaks = np.maximum.reduceat(flat, bounds)[0::2]
    first = np.searchsorted(rows, np.arange(h + 1))
    parent = list(range(n))

    def find(a):
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    s_list, e_list = starts.tolist(), (ends - 1).tolist()
    for y in range(1, h):
        j, prev_end, lo, hi = first[y - 1], first[y], first[y], first[y + 1]
        for r in range(lo, hi):
            s, e = s_list[r], e_list[r]
            while j < prev_end and e_list[j] + 1 < s:
                j += 1
            k = j
            while k < prev_end and s_list[k] <= e + 1:
                a, b = find(k), find(r)
                if a < b:
                    parent[b] = a
                elif b < a:
                    parent[a] = b
                k += 1
    roots = np.array([find(r) for r in range(n)])
    uniq, label = np.unique(roots, return_inverse=True)  # roots are the earliest runs: raster order
    m = len(uniq)
    x0 = np.full(m, w); x1 = np.full(m, -1); y0 = np.full(m, h); y1 = np.full(m, -1); pk = np.full(m, -np.inf)
    np.minimum.at(x0, label, starts); np.maximum.at(x1, label, ends - 1)
    np.minimum.at(y0, label, rows); np.maximum.at(y1, label, rows)
    np.maximum.at(pk, label, peaks)
    return list(zip(x0.tolist(), y0.tolist(), (x1 - x0 + 1).tolist(), (y1 - y0 + 1).tolist(), pk.tolist()))


def eval_full(args, threads):
    torch.manual_seed(1)
    model = TinyResNetLse(args.classes, args.depth, 10.0).eval()
    x = torch.rand(args.batch_size, 1, args.image_size, args.image_size)
    size = args.map_size
    frame = 1024.0

    def heatmaps():
        logits, feats = model(x)
        probs = torch.sigmoid(logits)
        cams = torch.einsum('ndhw,cd->nchw', feats, model.prediction.weight)
        up = F.interpolate(cams, size=(size, size), mode='bilinear', align_corners=False)
        flat = up.flatten(2)
        lo = flat.min(dim=2, keepdim=True).values
        span = flat.max(dim=2, keepdim=True).values - lo
        scaled = torch.where(span > 0, (flat - lo) * (255.0 / span.clamp(min=1e-30)), torch.zeros_like(flat))
        return probs, scaled.view_as(up)

    def forward_only():
        with torch.no_grad():
            torch.sigmoid(model(x)[0]).sum().item()

    def with_heatmaps():
        with torch.no_grad():
            probs, heat = heatmaps()
            heat.numpy()
            probs.numpy()

    count = [0]

    def full():
        with torch.no_grad():
            probs, heat = heatmaps()
        heat = heat.numpy()
        probs = probs.numpy()
        k = frame / size
        boxes = []
        for n in range(heat.shape[0]):
            for c in range(heat.shape[1]):
                for t in (60, 180):
                    for bx, by, bw, bh, peak in regions(heat[n, c], t):
                        boxes.append((n, c, bx * k, by * k, bw * k, bh * k, t, peak / 255 * float(probs[n, c])))
        count[0] += len(boxes)

    def rate(fn):
        for _ in range(args.warmup):
            fn()
        count[0] = 0
        t = time.perf_counter()
        for _ in range(args.steps):
            fn()
        return args.steps * args.batch_size / (time.perf_counter() - t)

    result = {'torch': torch.__version__, 'threads': threads, 'forward_images_per_s': rate(forward_only),
              'heatmaps_images_per_s': rate(with_heatmaps), 'full_images_per_s': rate(full)}
    result['boxes_per_image'] = count[0] / (args.steps * args.batch_size)
    print(json.dumps(result))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--image-size', type=int, default=224)
    ap.add_argument('--batch-size', type=int, default=16)
    ap.add_argument('--classes', type=int, default=8)
    ap.add_argument('--depth', type=int, default=128)
    ap.add_argument('--steps', type=int, default=5)
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--threads', type=int, default=0, help='0: every core')
    ap.add_argument('--eval-full', action='store_true', help='measure evaluation: forward, heatmaps, boxes')
    ap.add_argument('--map-size', type=int, default=256)
    args = ap.parse_args()
    import os
    threads = args.threads or os.cpu_count() or 1
    torch.set_num_threads(threads)
    if args.eval_full:
        eval_full(args, threads)
        return
    torch.manual_seed(1)
    model = TinyResNetLse(args.classes, args.depth, 10.0)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.rand(args.batch_size, 1, args.image_size, args.image_size)
    y = (torch.rand(args.batch_size, args.classes) > 0.7).float()

    def train_step():
        opt.zero_grad(set_to_none=True)
        logits, _ = model(x)
        loss = weighted_bce(logits, y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(args.warmup):
        train_step()
    t = time.perf_counter()
    for _ in range(args.steps):
        train_step()
    train_rate = args.steps * args.batch_size / (time.perf_counter() - t)

    model.eval()
    with torch.no_grad():
        for _ in range(args.warmup):
            model(x)
        t = time.perf_counter()
        for _ in range(args.steps):
            probs = torch.sigmoid(model(x)[0])
            probs.sum().item()
        eval_rate = args.steps * args.batch_size / (time.perf_counter() - t)
    print(json.dumps({'torch': torch.__version__, 'threads': threads, 'train_images_per_s': train_rate, 'eval_images_per_s': eval_rate}))


if __name__ == '__main__':
    main()
