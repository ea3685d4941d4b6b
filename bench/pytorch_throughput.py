#!/usr/bin/env python3
"""PyTorch CPU training throughput of the models `colt bench` measures, for comparison.

Same models as COLT Lab (LeNet-300-100 on 28x28x1, LTH Conv-2 on 32x32x3, 10 classes), batch 60,
random 50% masks on the conv and dense kernels except the head (as `colt bench`), the default
optimizer of an experiment (Adam, lr 1.2e-3) with the masked update COLT Lab does: the gradient
is masked before the step and w := w * m after it. Random inputs, as `colt bench`.

Usage: python3 bench/pytorch_throughput.py [--threads 2] [--steps 30] [--json]
Prints one JSON line with --json: {"type": "pytorch-bench", "torch": ..., "threads": ..., "blas": ...,
"throughput": [{"model", "inputShape", "batchSize", "iterations", "imagesPerSecond"}]}.
`colt bench` runs it with 1 and with all cores and compares against the better figure per model.
Debian's python3-torch runs its dense layers on whatever libblas.so.3 is installed; with only the
reference BLAS (libblas3) they are ~10x slower than with OpenBLAS (libopenblas0-openmp).
"""
import argparse
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class LeNet300100(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(28 * 28 * 1, 300)
        self.fc2 = nn.Linear(300, 100)
        self.head = nn.Linear(100, 10)

    def forward(self, x):
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.head(x)


class Conv2(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 64, 3, padding=1)
        self.conv2 = nn.Conv2d(64, 64, 3, padding=1)
        self.fc1 = nn.Linear(16 * 16 * 64, 256)
        self.fc2 = nn.Linear(256, 256)
        self.head = nn.Linear(256, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.relu(self.conv2(x))
        x = F.max_pool2d(x, 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.head(x)


def measure(name, model, shape, steps, warmup, batch=60):
    gen = torch.Generator().manual_seed(0)
    masks = {}
    for pname, p in model.named_parameters():
        if pname.endswith('weight') and not pname.startswith('head'):
            masks[pname] = (torch.rand(p.shape, generator=gen) >= 0.5).float()
    with torch.no_grad():
        for pname, p in model.named_parameters():
            if pname in masks:
                p.mul_(masks[pname])
    params = dict(model.named_parameters())
    opt = torch.optim.Adam(model.parameters(), lr=1.2e-3)
    h, w, c = shape
    count = batch * 8
    xs = torch.rand((count, c, h, w), generator=gen)
    ys = torch.arange(count) % 10

    def step(i):
        k = (i % 8) * batch
        x = xs[k:k + batch]
        y = ys[k:k + batch]
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        for pname, m in masks.items():
            params[pname].grad.mul_(m)
        opt.step()
        with torch.no_grad():
            for pname, m in masks.items():
                params[pname].mul_(m)
        return loss.item()

    for i in range(warmup):
        step(i)
    t0 = time.perf_counter()
    for i in range(steps):
        step(i)
    dt = time.perf_counter() - t0
    return {
        'model': name,
        'inputShape': list(shape),
        'batchSize': batch,
        'iterations': steps,
        'imagesPerSecond': steps * batch / dt,
    }


def blas_library():
    """The BLAS torch's dense layers run on (Debian's torch links the libblas.so.3 alternative)."""
    try:
        with open('/proc/self/maps') as f:
            libs = {line.split()[-1] for line in f if 'blas' in line.lower() and '/' in line}
    except OSError:
        return 'unknown'
    for lib in sorted(libs):
        real = os.path.realpath(lib)
        if 'openblas' in real:
            return 'OpenBLAS (' + os.path.basename(os.path.dirname(real)) + ')'
        if 'blis' in real:
            return 'BLIS'
        if 'mkl' in real:
            return 'MKL'
    return 'reference BLAS (slow: apt-get install libopenblas0-openmp)' if libs else 'unknown'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--steps', type=int, default=30)
    ap.add_argument('--json', action='store_true')
    ap.add_argument('--models', default='lenet-300-100,conv2')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    results = []
    for name in args.models.split(','):
        if name == 'lenet-300-100':
            results.append(measure(name, LeNet300100(), (28, 28, 1), args.steps * 4, 10))
        elif name == 'conv2':
            results.append(measure(name, Conv2(), (32, 32, 3), args.steps, 3))
        else:
            sys.exit(f'unknown model {name}')
    if args.json:
        print(json.dumps({'type': 'pytorch-bench', 'torch': torch.__version__, 'threads': torch.get_num_threads(),
                          'blas': blas_library(), 'throughput': results}))
    else:
        for r in results:
            print(f"{r['model']:<14} batch {r['batchSize']}: {r['imagesPerSecond']:.0f} images/s "
                  f"(torch {torch.__version__}, {torch.get_num_threads()} threads, {blas_library()})")


if __name__ == '__main__':
    main()
