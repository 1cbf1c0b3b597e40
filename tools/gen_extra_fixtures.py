#!/usr/bin/python3
"""Extra PyTorch references for rxnn's tests, beyond test/fixtures/{batchnorm,mlp,rng}.json.

Usage (needs Debian's python3-torch; not run in CI, the output is committed):
    /usr/bin/python3 tools/gen_extra_fixtures.py test/fixtures
Reuses the shared generator's helpers so the format is the same (test/fixtures/README.md).
"""
import json, os, sys
sys.path.insert(0, os.path.dirname(__file__))
import torch
from gen_fixtures import mlp_case, Net, ACTS

out_dir = sys.argv[1]
os.makedirs(out_dir, exist_ok=True)

cases = [
    mlp_case("extra/deep-tanh-bn-post-sgd-momentum-decay", 7, act="tanh", hidden=(8, 8, 4), bn="post",
             lr=0.05, sgd_momentum=0.9, weight_decay=1e-3, n_batches=8, batch=16),
    mlp_case("extra/sigmoid-bn-pre-cumulative-momentum", 8, act="sigmoid", hidden=(5,), bn="pre",
             momentum=None, lr=0.1, n_batches=6, batch=8),
    mlp_case("extra/classification-relu-bn-pre", 9, act="relu", hidden=(6,), out_features=3, bn="pre",
             task="cla", lr=0.1, sgd_momentum=0.5, n_batches=6, batch=12),
    mlp_case("extra/no-bias-relu-bn-pre", 10, act="relu", in_features=3, hidden=(4, 4), bias=False, bn="pre",
             n_batches=4, batch=10),
]
seeds = {"extra/deep-tanh-bn-post-sgd-momentum-decay": 7, "extra/sigmoid-bn-pre-cumulative-momentum": 8,
         "extra/classification-relu-bn-pre": 9, "extra/no-bias-relu-bn-pre": 10}
for c in cases:
    c["seed"] = seeds[c["id"]]
    m = c["model"]
    torch.manual_seed(0)
    net = Net(ACTS[m["activation"]], m["inFeatures"], m["hidden"], m["outFeatures"], m["bias"], m["bn"], m["momentum"])
    c["repr"] = repr(net)
json.dump({"generator": "torch " + torch.__version__, "cases": cases}, open(f"{out_dir}/mlp-extra.json", "w"))
