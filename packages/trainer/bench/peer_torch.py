#!/usr/bin/env python3
"""PyTorch peer of the trainer's default model, for the throughput benchmark only (bench/throughput.ts).

The same architecture as `resnet-tiny` in src/model.ts (normalisation-free ResNet: 4x4/2 stem of 16, one basic
block per stage of 32 /2, 64 /2, 128 /1 with 4x4 strided convolutions and 2x2 strided shortcuts, output stride 8), a 1x1 transition to D channels, LSE pooling (r = 10), a
D x C prediction layer, the paper's weighted cross-entropy from logits, Adam. Prints one JSON object:
{"torch": version, "threads": n, "train_images_per_s": x, "eval_images_per_s": y}.

Run with Debian's python3-torch: /usr/bin/python3 bench/peer_torch.py --image-size 224 --batch-size 16
"""
import argparse
import json
import math
import time

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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--image-size', type=int, default=224)
    ap.add_argument('--batch-size', type=int, default=16)
    ap.add_argument('--classes', type=int, default=8)
    ap.add_argument('--depth', type=int, default=128)
    ap.add_argument('--steps', type=int, default=5)
    ap.add_argument('--warmup', type=int, default=1)
    ap.add_argument('--threads', type=int, default=0, help='0: every core')
    args = ap.parse_args()
    import os
    threads = args.threads or os.cpu_count() or 1
    torch.set_num_threads(threads)
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
