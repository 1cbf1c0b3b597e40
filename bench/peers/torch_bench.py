"""PyTorch peer for bench/run.ts: prints one JSON object on stdout.

usage: python3 torch_bench.py '{"w3": [256, 512, 1024], "w1_epochs": 10, "w2_steps": 16, "budget_s": 2, "threads": 1}'
Threads: torch.set_num_threads(cfg["threads"]); the caller also sets OPENBLAS_NUM_THREADS and
OMP_NUM_THREADS for this process, since Debian's generic-BLAS build does not pass torch's thread
count on to the BLAS (OpenBLAS sizes its own pool when the library loads).
BLAS: the library actually mapped into this process (/proc/self/maps; threadpoolctl when it is
installed) is reported. A reference BLAS (netlib's libblas) is refused: the output is then
{"refused": reason, ...} and no timings, since that is not PyTorch as its users run it.
W3: median ms of torch.mm on float32 [n, n].
W1: the lesson: 1000x2 regression data, 70/30 split, batch 10, Linear(2,4)->BN1d->ReLU->Linear(4,1),
    MSE, SGD lr 0.03; median ms per epoch over the epochs run.
W2: 32768x64 inputs, batch 256, 3 hidden layers of 256 with BN+ReLU; samples per second over
    `w2_steps` steps (after one warm-up step), median of 3 such runs.
"""
import ctypes
import json
import os
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


def loaded_blas():
    """(name, path, optimised) of the BLAS mapped into this process."""
    try:
        from threadpoolctl import threadpool_info  # optional
        for lib in threadpool_info():
            if lib.get("user_api") == "blas":
                name = f"{lib.get('internal_api')} {lib.get('version') or ''}".strip()
                return name, lib.get("filepath", "?"), lib.get("internal_api") in ("openblas", "mkl", "blis")
    except ImportError:
        pass
    paths = []
    with open("/proc/self/maps") as f:
        for line in f:
            path = line.split()[-1] if len(line.split()) >= 6 else ""
            base = os.path.basename(path)
            if re.match(r"lib(open)?blas|libmkl_rt|libblis", base) and path not in paths:
                paths.append(path)
    for path in paths:
        real = os.path.realpath(path)
        if "openblas" in real:
            try:
                lib = ctypes.CDLL(real)
                lib.openblas_get_config.restype = ctypes.c_char_p
                lib.openblas_get_corename.restype = ctypes.c_char_p
                cfg = lib.openblas_get_config().decode()
                core = lib.openblas_get_corename().decode()
                return f"{cfg.split(' DYNAMIC_ARCH')[0]} ({core}) at {real}", real, True
            except (OSError, AttributeError):
                return f"OpenBLAS at {real}", real, True
        if "mkl" in real or "blis" in real:
            return real, real, True
    if paths:
        real = os.path.realpath(paths[0])
        return f"reference BLAS (netlib) at {real}", real, False
    info = re.search(r"BLAS_INFO=(\w+)", torch.__config__.show())
    # Built against MKL or OpenBLAS statically: no separate libblas mapped.
    name = info.group(1) if info else "?"
    return f"{name} (built in)", "", name in ("mkl", "open", "openblas")


def main():
    cfg = json.loads(sys.argv[1])
    torch.manual_seed(420)
    if cfg.get("threads"):
        torch.set_num_threads(int(cfg["threads"]))
    torch.mm(torch.ones(64, 64), torch.ones(64, 64))  # the BLAS is loaded by now
    blas, path, optimised = loaded_blas()
    out = {"version": torch.__version__, "threads": torch.get_num_threads(), "blas": blas, "blas_path": path,
           "env": {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}}
    if not optimised:
        out["refused"] = (f"PyTorch here runs {blas}: that is not PyTorch as its users run it. "
                          "Install an optimised BLAS (apt-get install -y libopenblas0-pthread) and run again.")
        print(json.dumps(out))
        return
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
