"""PyTorch peer for bench/run.ts: prints one JSON object on stdout.

usage: python3 torch_bench.py '{"w3": [256, 512, 1024], "w1_epochs": 10, "w2_steps": 16, "budget_s": 2}'
Threads: torch's default (Debian's build here picks 1; forcing 2 made W1 27x slower on the shared
2-core box, OpenMP spinning against the other process); the build's BLAS and thread count are reported.
W3: median ms of torch.mm on float32 [n, n].
W1: the lesson: 1000x2 regression data, 70/30 split, batch 10, Linear(2,4)->BN1d->ReLU->Linear(4,1),
    MSE, SGD lr 0.03; median ms per epoch over the epochs run.
W2: 32768x64 inputs, batch 256, 3 hidden layers of 256 with BN+ReLU; samples per second over
    `w2_steps` steps (after one warm-up step), median of 3 such runs.
"""
import json
import re
import statistics
import sys
import time

import torch
from torch import nn


def median_ms(f, budget_s, min_reps=3):
    f()
    times = []
    start = time.perf_counter()
    while len(times) < min_reps or (time.perf_counter() - start < budget_s and len(times) < 1000):
        t0 = time.perf_counter()
        f()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def mlp(sizes):
    layers = []
    for i in range(len(sizes) - 2):
        layers += [nn.Linear(sizes[i], sizes[i + 1]), nn.BatchNorm1d(sizes[i + 1]), nn.ReLU()]
    layers.append(nn.Linear(sizes[-2], sizes[-1]))
    return nn.Sequential(*layers)


def epoch_loop(model, x, y, batch, lr):
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.MSELoss()
    ds = torch.utils.data.TensorDataset(x, y)
    loader = torch.utils.data.DataLoader(ds, batch_size=batch, shuffle=True)

    def epoch():
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return epoch


def main():
    cfg = json.loads(sys.argv[1])
    torch.manual_seed(420)
    blas = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    out = {"version": torch.__version__, "threads": torch.get_num_threads(), "blas": blas.group(1) if blas else "?"}
    budget = cfg.get("budget_s", 2)
    out["w3"] = {}
    for n in cfg.get("w3", []):
        a, b = torch.randn(n, n), torch.randn(n, n)
        out["w3"][str(n)] = median_ms(lambda: torch.mm(a, b), budget)
    if cfg.get("w1_epochs"):
        x = torch.randn(1000, 2)
        y = (x ** 2) @ torch.tensor([[2.0], [-1.0]]) + 0.01 * torch.randn(1000, 1)
        n_train = int(1000 * 0.7)
        model = mlp([2, 4, 1])
        epoch = epoch_loop(model, x[:n_train], y[:n_train], 10, 0.03)
        times = []
        for _ in range(cfg["w1_epochs"]):
            t0 = time.perf_counter()
            epoch()
            times.append((time.perf_counter() - t0) * 1000)
        out["w1_ms_per_epoch"] = statistics.median(times)
    if cfg.get("w2_steps"):
        steps = cfg["w2_steps"]
        x = torch.randn(32768, 64)
        y = x @ torch.randn(64, 1) * 0.1
        model = mlp([64, 256, 256, 256, 1])
        # The first steps*256 rows of a shuffled epoch: same work per step as a whole epoch.
        epoch = epoch_loop(model, x[: (steps + 1) * 256], y[: (steps + 1) * 256], 256, 0.03)
        runs = []
        for _ in range(3):
            t0 = time.perf_counter()
            epoch()
            runs.append(time.perf_counter() - t0)
        out["w2_samples_per_s"] = (steps + 1) * 256 / statistics.median(runs)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
