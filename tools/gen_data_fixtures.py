#!/usr/bin/python3
"""PyTorch references for rxnn's data helpers and training loop (test/data, test/train).

Usage (Debian's python3-torch; not run in CI, the output is committed):
    /usr/bin/python3 tools/gen_data_fixtures.py test/fixtures
Writes test/fixtures/data-lesson.json. Every tensor is {"shape": [...], "data": [...]}
(as test/fixtures/README.md); int64 draws are decimal strings (they exceed 2^53).
The lesson's helpers come from tools/lesson.py, verbatim.
"""
import json, os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset, random_split
from lesson import tensorGenReg, tensorGenCla, split_loader, fit, mse_cal, accuracy_cal, net_class1, T

out_dir = sys.argv[1] if len(sys.argv) > 1 else 'test/fixtures'
os.makedirs(out_dir, exist_ok=True)


def next_int64():
    """The next int64 random_() of the global generator: where the stream stands."""
    return str(torch.empty((), dtype=torch.int64).random_().item())


def state(net):
    return {k: (int(v) if k.endswith('num_batches_tracked') else T(v)) for k, v in net.state_dict().items()}


def rows(n):
    """A dataset whose row i holds the value i (features [n, 1] and labels [n, 1])."""
    return TensorDataset(torch.arange(n).float().reshape(-1, 1), torch.arange(n).float().reshape(-1, 1))


def order(batches):
    return [[int(v) for v in X.flatten().tolist()] for X, _ in batches]


out = {"generator": "torch " + torch.__version__}

# --- tensorGenReg -----------------------------------------------------------------------
gen_reg = []
for cid, seed, kw in [
    ("w=[2,-1] bias=False deg=2 (example 02)", 420, dict(w=[2, -1], bias=False, deg=2)),
    ("defaults: w=[2,-1,1] bias=True", 7, dict()),
    ("one input with intercept, deg 3, small n (scalar normal path)", 3, dict(num_examples=10, w=[3, 0.5], bias=True, deg=3, delta=0.1)),
    ("one input without intercept", 5, dict(num_examples=40, w=[-1.5], bias=False, deg=1)),
    ("three inputs, intercept 0.1, deg 2", 9, dict(num_examples=50, w=[0.5, -2, 1.25, 0.1], bias=True, deg=2, delta=0.5)),
]:
    torch.manual_seed(seed)
    f, l = tensorGenReg(**kw)
    opts = {"numExamples": kw.get("num_examples", 1000), "w": kw.get("w", [2, -1, 1]), "bias": kw.get("bias", True),
            "delta": kw.get("delta", 0.01), "deg": kw.get("deg", 1)}
    gen_reg.append({"id": cid, "seed": seed, "options": opts, "features": T(f), "labels": T(l), "next_int64": next_int64()})
out["tensorGenReg"] = gen_reg

# --- tensorGenCla -----------------------------------------------------------------------
gen_cla = []
for cid, seed, kw in [
    ("defaults", 420, dict()),
    ("bias, 4 classes, small (scalar normal path)", 11, dict(num_examples=5, num_inputs=2, num_class=4, deg_dispersion=[3, 1.5], bias=True)),
    ("3 inputs, 2 classes", 12, dict(num_examples=30, num_inputs=3, num_class=2, deg_dispersion=[5, 0.5])),
]:
    torch.manual_seed(seed)
    f, l = tensorGenCla(**kw)
    opts = {"numExamples": kw.get("num_examples", 500), "numInputs": kw.get("num_inputs", 2), "numClass": kw.get("num_class", 3),
            "degDispersion": kw.get("deg_dispersion", [4, 2]), "bias": kw.get("bias", False)}
    gen_cla.append({"id": cid, "seed": seed, "options": opts, "features": T(f), "labels": T(l), "next_int64": next_int64()})
out["tensorGenCla"] = gen_cla

# --- regression: split_loader, fit 2 epochs, mse_cal (example 02's cells, shorter) -------
torch.manual_seed(420)
features, labels = tensorGenReg(w=[2, -1], bias=False, deg=2)
train_loader, test_loader = split_loader(features, labels)
split = {"train": train_loader.dataset.indices, "test": test_loader.dataset.indices}
# The first epoch's order of the train loader, as rows of the full data set: replayed by hand
# (iterating the loader here would move the stream that fit then sees).
torch.manual_seed(420); torch.randn(1000, 2); torch.randn(1000, 1)  # replay the stream to the loaders' position
assert torch.randperm(1000).tolist() == split["train"] + split["test"]
g = torch.Generator()
torch.empty((), dtype=torch.int64).random_()
g.manual_seed(int(torch.empty((), dtype=torch.int64).random_().item()))
perm = torch.randperm(700, generator=g).tolist()
first_epoch_train = [split["train"][k] for k in perm]
torch.manual_seed(24)
net = net_class1(BN_model='pre')
init = state(net)
torch.manual_seed(1234)  # a known stream position before fit
fit(net=net, criterion=nn.MSELoss(), optimizer=torch.optim.SGD(net.parameters(), lr=0.03), batchdata=train_loader, epochs=2)
after_fit_int64 = next_int64()
trained = state(net)
net.eval()
mse_eval = {"train": mse_cal(train_loader, net).item(), "test": mse_cal(test_loader, net).item()}
net.train()
mse_train_mode_test = mse_cal(test_loader, net).item()
out["regression"] = {
    "seed": 420, "netSeed": 24, "fitSeed": 1234, "lr": 0.03, "epochs": 2,
    "split": split, "firstEpochTrainRows": first_epoch_train,
    "init": init, "state": trained, "nextInt64AfterFit": after_fit_int64,
    "mseEval": mse_eval,
    "mseTrainModeTest": mse_train_mode_test,
    "runningAfterTrainModeMse": {"running_mean": T(net.normalize1.running_mean), "running_var": T(net.normalize1.running_var),
                                 "num_batches_tracked": int(net.normalize1.num_batches_tracked)},
}

# --- classification: tensorGenCla, split_loader, fit 2 epochs (cla=True), accuracy_cal ----
torch.manual_seed(420)
features, labels = tensorGenCla()
train_loader, test_loader = split_loader(features, labels)
split = {"train": train_loader.dataset.indices, "test": test_loader.dataset.indices}
torch.manual_seed(24)
net = net_class1(BN_model='pre', out_features=3)
fit(net=net, criterion=nn.CrossEntropyLoss(), optimizer=torch.optim.SGD(net.parameters(), lr=0.03),
    batchdata=train_loader, epochs=2, cla=True)
trained = state(net)
acc_train_mode = accuracy_cal(test_loader, net).item()  # train mode: batch statistics (and a running-stat update)
net.eval()
out["classification"] = {
    "seed": 420, "netSeed": 24, "lr": 0.03, "epochs": 2, "split": split, "state": trained,
    "accuracyTrainModeTest": acc_train_mode,
    "accuracyEval": {"train": accuracy_cal(train_loader, net).item(), "test": accuracy_cal(test_loader, net).item()},
}

# --- loaders: stream consumption, drop_last, explicit generators, fractions -------------
streams = []
for seed in [0, 420, 24]:
    rec = {"seed": seed}
    ds = rows(25)
    torch.manual_seed(seed)
    plain = DataLoader(ds, batch_size=10, shuffle=False)
    rec["plainEpochs"] = [order(plain) for _ in range(2)]
    rec["afterPlain2Epochs"] = next_int64()
    torch.manual_seed(seed)
    it = iter(DataLoader(ds, batch_size=10, shuffle=True))
    rec["afterShuffledIterOnly"] = next_int64()
    torch.manual_seed(seed)
    it = iter(DataLoader(ds, batch_size=10, shuffle=True)); next(it)
    rec["afterShuffledFirstBatch"] = next_int64()
    torch.manual_seed(seed)
    shuffled = DataLoader(ds, batch_size=10, shuffle=True)
    rec["shuffledEpochs"] = [order(shuffled) for _ in range(2)]
    rec["afterShuffled2Epochs"] = next_int64()
    torch.manual_seed(seed)
    dl = DataLoader(ds, batch_size=10, shuffle=True, drop_last=True)
    rec["dropLastShuffledEpochs"] = [order(dl) for _ in range(2)]
    rec["dropLastPlain"] = order(DataLoader(ds, batch_size=10, shuffle=False, drop_last=True))
    g = torch.Generator().manual_seed(seed + 5)
    torch.manual_seed(seed)
    gl = DataLoader(ds, batch_size=10, shuffle=True, generator=g)
    rec["generatorLoaderEpochs"] = [order(gl) for _ in range(2)]
    rec["globalAfterGeneratorLoader"] = next_int64()  # untouched by a loader with its own generator
    rec["generatorAfter"] = str(torch.empty((), dtype=torch.int64).random_(generator=g).item())
    # When the discarded second randperm of a loader with a generator happens: only once the
    # sampler runs out, i.e. at the call after the last full batch (20 rows, batch 10).
    g = torch.Generator().manual_seed(seed)
    it = iter(DataLoader(rows(20), batch_size=10, shuffle=True, generator=g)); next(it); next(it)
    rec["generatorAfterTwoOfTwoBatches"] = str(torch.empty((), dtype=torch.int64).random_(generator=g).item())
    g = torch.Generator().manual_seed(seed)
    rec["generatorLoaderFullEpoch20"] = order(DataLoader(rows(20), batch_size=10, shuffle=True, generator=g))
    rec["generatorAfterFullEpoch20"] = str(torch.empty((), dtype=torch.int64).random_(generator=g).item())
    torch.manual_seed(seed)
    parts = random_split(rows(11), [0.5, 0.3, 0.2])
    rec["fractionSplit_11_[0.5,0.3,0.2]"] = [p.indices for p in parts]
    parts = random_split(rows(10), [0.7, 0.2, 0.1], generator=torch.Generator().manual_seed(seed))
    rec["fractionSplitGenerator_10_[0.7,0.2,0.1]"] = [p.indices for p in parts]
    streams.append(rec)
out["loaders"] = streams

path = os.path.join(out_dir, "data-lesson.json")
json.dump(out, open(path, "w"))
print("wrote", path)
