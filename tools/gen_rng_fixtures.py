#!/usr/bin/python3
"""PyTorch CPU random-stream fixtures: what torch.manual_seed(s) followed by each call returns.
Usage: /usr/bin/python3 tools/gen_rng_fixtures.py test/fixtures/rng.json SEED[,SEED...]"""
import json, sys
import torch, torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, random_split

def flat(t):
    return [float(v) for v in t.flatten().tolist()]

def case(seed):
    out = {"seed": seed}
    for n in (1, 5, 15, 16, 17, 40, 1000):
        torch.manual_seed(seed); out[f"randn_{n}"] = flat(torch.randn(n))
    torch.manual_seed(seed); out["randn_1000x2_then_randn_1000x1"] = [flat(torch.randn(1000, 2)), flat(torch.randn(1000, 1))]
    torch.manual_seed(seed); out["rand_7"] = flat(torch.rand(7))
    torch.manual_seed(seed); out["uniform_-0.5_0.5_x20"] = flat(torch.empty(20).uniform_(-0.5, 0.5))
    torch.manual_seed(seed); out["normal_mean2_std3_x33"] = flat(torch.normal(2.0, 3.0, size=(33,)))
    for n in (5, 700, 1000):
        torch.manual_seed(seed); out[f"randperm_{n}"] = torch.randperm(n).tolist()
    torch.manual_seed(seed); out["int64_random_then_randn_3"] = [str(int(torch.empty((), dtype=torch.int64).random_().item())), flat(torch.randn(3))]
    torch.manual_seed(seed); l1 = nn.Linear(2, 4); bn = nn.BatchNorm1d(4); l2 = nn.Linear(4, 1)
    out["linear_2_4_then_bn_then_linear_4_1"] = {"linear1.weight": flat(l1.weight), "linear1.bias": flat(l1.bias),
                                                 "linear2.weight": flat(l2.weight), "linear2.bias": flat(l2.bias)}
    # random_split of 1000 rows into 700/300, then a shuffled DataLoader (batch 10) iterated for 3 epochs
    torch.manual_seed(seed)
    ds = TensorDataset(torch.arange(1000).float().reshape(-1, 1))
    tr, te = random_split(ds, [700, 300])
    out["random_split_1000_700_300"] = {"train": list(tr.indices), "test": list(te.indices)}
    loader = DataLoader(tr, batch_size=10, shuffle=True)
    epochs = []
    for _ in range(3):
        order = []
        for (xb,) in loader:
            order.extend(int(v) for v in xb.flatten().tolist())
        epochs.append(order)
    out["shuffled_loader_rows_3_epochs"] = epochs
    return out

if __name__ == "__main__":
    seeds = [int(s) for s in sys.argv[2].split(",")]
    json.dump({"generator": "torch " + torch.__version__, "cases": [case(s) for s in seeds]}, open(sys.argv[1], "w"))
