#!/usr/bin/python3
"""Generate PyTorch golden fixtures for rxnn parity tests.

Usage: /usr/bin/python3 tools/gen_fixtures.py test/fixtures public
(needs Debian's python3-torch: apt-get install -y python3-torch)
Every tensor is stored as {"shape": [...], "data": [flat row-major float32 values]}.
"""
import json, sys, os
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_default_dtype(torch.float32)


def T(t):
    if t is None:
        return None
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.flatten().tolist()]}


def bn_case(cid, dim, num_features, shapes, modes, seed, eps=1e-5, momentum=0.1, affine=True,
            track=True, init_affine=None, offset=0.0, scale=1.0, note=""):
    torch.manual_seed(seed)
    Layer = {1: nn.BatchNorm1d, 2: nn.BatchNorm2d}[dim]
    bn = Layer(num_features, eps=eps, momentum=momentum, affine=affine, track_running_stats=track)
    init = {}
    if affine and init_affine:
        with torch.no_grad():
            bn.weight.copy_(torch.randn(num_features) * 0.5 + 1.0)
            bn.bias.copy_(torch.randn(num_features) * 0.5)
        init = {"weight": T(bn.weight), "bias": T(bn.bias)}
    steps = []
    for shape, mode in zip(shapes, modes):
        bn.train(mode == "train")
        x = (torch.randn(*shape) * scale + offset).requires_grad_(True)
        step = {"mode": mode, "input": T(x)}
        try:
            y = bn(x)
        except Exception as e:  # record the error PyTorch raises
            step["error"] = str(e)
            steps.append(step)
            continue
        g = torch.randn(*y.shape)
        if bn.weight is not None:
            bn.weight.grad = None
            bn.bias.grad = None
        y.backward(g)
        step.update({
            "output": T(y), "gradOutput": T(g), "gradInput": T(x.grad),
            "gradWeight": T(bn.weight.grad) if bn.weight is not None else None,
            "gradBias": T(bn.bias.grad) if bn.bias is not None else None,
            "runningMean": T(bn.running_mean), "runningVar": T(bn.running_var),
            "numBatchesTracked": int(bn.num_batches_tracked) if bn.num_batches_tracked is not None else None,
        })
        steps.append(step)
    return {"id": cid, "layer": Layer.__name__, "note": note,
            "options": {"numFeatures": num_features, "eps": eps, "momentum": momentum,
                        "affine": affine, "trackRunningStats": track},
            "init": init, "steps": steps}


class Net(nn.Module):
    """Generalisation of the lesson's net_class1: n hidden layers, BN none/pre/post."""
    def __init__(self, act, in_features, hidden, out_features, bias, bn, momentum):
        super().__init__()
        sizes = [in_features] + hidden
        for i in range(len(hidden)):
            setattr(self, f"linear{i+1}", nn.Linear(sizes[i], sizes[i+1], bias=bias))
            if bn != "none":
                setattr(self, f"normalize{i+1}", nn.BatchNorm1d(sizes[i+1], momentum=momentum))
        setattr(self, f"linear{len(hidden)+1}", nn.Linear(sizes[-1], out_features, bias=bias))
        self.n = len(hidden); self.bn = bn; self.act = act

    def forward(self, x):
        for i in range(1, self.n + 1):
            z = getattr(self, f"linear{i}")(x)
            if self.bn == "pre":
                z = getattr(self, f"normalize{i}")(z)
            x = self.act(z)
            if self.bn == "post":
                x = getattr(self, f"normalize{i}")(x)
        return getattr(self, f"linear{self.n+1}")(x)


ACTS = {"relu": torch.relu, "sigmoid": torch.sigmoid, "tanh": torch.tanh}


def state(m):
    out = {}
    for k, v in m.state_dict().items():
        out[k] = int(v) if k.endswith("num_batches_tracked") else T(v)
    return out


def mlp_case(cid, seed, act="relu", in_features=2, hidden=(4,), out_features=1, bias=True, bn="pre",
             momentum=0.1, lr=0.03, sgd_momentum=0.0, weight_decay=0.0, n_batches=10, batch=10,
             task="reg", eval_rows=16):
    torch.manual_seed(seed)
    hidden = list(hidden)
    net = Net(ACTS[act], in_features, hidden, out_features, bias, bn, momentum)
    init = state(net)
    opt = torch.optim.SGD(net.parameters(), lr=lr, momentum=sgd_momentum, weight_decay=weight_decay)
    crit = nn.MSELoss() if task == "reg" else nn.CrossEntropyLoss()
    batches, losses = [], []
    w = torch.randn(in_features, 1)
    for _ in range(n_batches):
        x = torch.randn(batch, in_features)
        if task == "reg":
            y = (x ** 2) @ w + 0.01 * torch.randn(batch, 1)
            target = y
        else:
            y = torch.randint(0, out_features, (batch, 1)).float()
            target = y.flatten().long()
        batches.append({"x": T(x), "y": T(y)})
        net.train()
        loss = crit(net(x), target)
        opt.zero_grad(); loss.backward(); opt.step()
        losses.append(float(loss))
    net.eval()
    xe = torch.randn(eval_rows, in_features)
    with torch.no_grad():
        ye = net(xe)
    return {"id": cid,
            "model": {"activation": act, "inFeatures": in_features, "hidden": hidden,
                      "outFeatures": out_features, "bias": bias, "bn": bn, "momentum": momentum},
            "task": task,
            "optimizer": {"lr": lr, "momentum": sgd_momentum, "weightDecay": weight_decay},
            "init": init, "batches": batches,
            "after": {"losses": losses, "state": state(net)},
            "eval": {"x": T(xe), "yhat": T(ye)}}


def seed_cells():
    """The lesson's exact cells (nn.BatchNorm1d on arange(9))."""
    f = torch.arange(9).reshape(3, 3).float()
    out = {"f": T(f)}
    bn1 = nn.BatchNorm1d(3)
    out["params_init"] = [T(p) for p in bn1.parameters()]
    out["bn1_train"] = T(bn1(f))
    out["bn1_running_mean"] = T(bn1.running_mean); out["bn1_running_var"] = T(bn1.running_var)
    out["zscore_unbiased_var"] = T((f - f.mean(0)) / torch.sqrt(f.var(0)))
    out["zscore_biased_var"] = T((f - f.mean(0)) / torch.sqrt(f.var(0, unbiased=False)))
    bn2 = nn.BatchNorm1d(3, affine=False)
    out["affine_false_params"] = len(list(bn2.parameters()))
    out["bn2_affine_false_train"] = T(bn2(f))
    bn5 = nn.BatchNorm1d(3); bn5.eval()
    out["bn5_eval"] = T(bn5(f)); out["bn5_running_mean_after_eval"] = T(bn5.running_mean)
    out["bn5_running_var_after_eval"] = T(bn5.running_var)
    out["repr"] = repr(nn.BatchNorm1d(3))
    return out


def main():
    out_dir, which = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    if which == "public":
        bn = [
            bn_case("bn1d/basic-3steps-then-eval", 1, 5, [(8, 5)] * 3 + [(4, 5)], ["train"] * 3 + ["eval"], 1, init_affine=True),
            bn_case("bn1d/momentum-none-cumulative", 1, 3, [(6, 3)] * 4, ["train"] * 4, 2, momentum=None),
            bn_case("bn1d/affine-false", 1, 4, [(5, 4)] * 2 + [(3, 4)], ["train", "train", "eval"], 3, affine=False),
            bn_case("bn1d/no-running-stats", 1, 3, [(7, 3), (2, 3), (4, 3)], ["train", "eval", "eval"], 4, track=False),
            bn_case("bn1d/3d-input-NCL", 1, 4, [(3, 4, 5)] * 2 + [(2, 4, 5)], ["train", "train", "eval"], 5, init_affine=True),
            bn_case("bn1d/batch-of-one-train-errors", 1, 3, [(1, 3)], ["train"], 6),
            bn_case("bn2d/basic-NCHW", 2, 3, [(4, 3, 5, 5)] * 2 + [(2, 3, 5, 5)], ["train", "train", "eval"], 7, init_affine=True),
            bn_case("bn2d/one-sample-spatial-ok", 2, 2, [(1, 2, 3, 3)], ["train"], 8),
        ]
        mlp = [
            mlp_case("mlp/seed-net_class1-bn-pre", 420, bn="pre"),
            mlp_case("mlp/seed-net_class1-bn-post", 421, bn="post"),
            mlp_case("mlp/seed-net_class1-no-bn", 422, bn="none"),
        ]
        json.dump({"generator": "torch " + torch.__version__, "cases": bn}, open(f"{out_dir}/batchnorm.json", "w"))
        json.dump({"generator": "torch " + torch.__version__, "cases": mlp}, open(f"{out_dir}/mlp.json", "w"))
        json.dump({"generator": "torch " + torch.__version__, "cells": seed_cells()}, open(f"{out_dir}/seed-cells.json", "w"), indent=1)
    else:
        sys.exit("only the public set is generated here")

if __name__ == "__main__":
    main()
