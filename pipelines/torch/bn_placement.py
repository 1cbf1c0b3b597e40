"""PyTorch reference for rxnn's bn-placement pipeline (run: /usr/bin/python3 pipelines/torch/bn_placement.py [epochs]).

The lesson's helpers (tensorGenReg, split_loader, mse_cal) and model_comparison with
one pass per epoch, as rxnn trains; prints metrics.csv's rows so both can be compared.
"""
import sys
import torch
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset, random_split
import torch.nn.functional as F


def tensorGenReg(num_examples=1000, w=[2, -1, 1], bias=True, delta=0.01, deg=1):
    if bias:
        num_inputs = len(w) - 1
        features_true = torch.randn(num_examples, num_inputs)
        w_true = torch.tensor(w[:-1]).reshape(-1, 1).float()
        b_true = torch.tensor(w[-1]).float()
        labels_true = torch.pow(features_true, deg) @ w_true + b_true if num_inputs > 1 else torch.pow(features_true, deg) * w_true + b_true
        features = torch.cat((features_true, torch.ones(len(features_true), 1)), 1)
    else:
        num_inputs = len(w)
        features = torch.randn(num_examples, num_inputs)
        w_true = torch.tensor(w).reshape(-1, 1).float()
        labels_true = torch.pow(features, deg) @ w_true if num_inputs > 1 else torch.pow(features, deg) * w_true
    labels = labels_true + torch.randn(size=labels_true.shape) * delta
    return features, labels


def split_loader(features, labels, batch_size=10, rate=0.7):
    data = TensorDataset(features, labels)
    num_train = int(len(data) * rate)
    num_test = len(data) - num_train
    train, test = random_split(data, [num_train, num_test])
    return DataLoader(train, batch_size=batch_size, shuffle=True), DataLoader(test, batch_size=batch_size, shuffle=False)


def mse_cal(loader, net):
    data = loader.dataset
    X, y = data[:][0], data[:][1]
    return F.mse_loss(net(X), y)


class Net(nn.Module):
    """The lesson's net_class1 with BatchNorm none / pre / post, named as rxnn's MLP."""
    def __init__(self, bn):
        super().__init__()
        self.linear1 = nn.Linear(2, 4)
        if bn != "none":
            self.normalize1 = nn.BatchNorm1d(4)
        self.linear2 = nn.Linear(4, 1)
        self.bn = bn

    def forward(self, x):
        z = self.linear1(x)
        if self.bn == "pre":
            z = self.normalize1(z)
        x = torch.relu(z)
        if self.bn == "post":
            x = self.normalize1(x)
        return self.linear2(x)


def main(epochs=20):
    torch.manual_seed(420)
    features, labels = tensorGenReg(w=[2, -1], bias=False, deg=2)
    train, test = split_loader(features, labels, batch_size=10)
    names = ["none", "pre", "post"]
    models = []
    for bn in names:
        torch.manual_seed(24)
        models.append(Net(bn))
    opts = [optim.SGD(m.parameters(), lr=0.03) for m in models]
    crit = nn.MSELoss()
    print("model,epoch,train_mse,test_mse")
    for epoch in range(1, epochs + 1):
        for name, m, opt in zip(names, models, opts):
            m.train()
            for X, y in train:
                loss = crit(m(X), y)
                opt.zero_grad()
                loss.backward()
                opt.step()
            m.eval()
            print(f"{name},{epoch},{float(mse_cal(train, m))},{float(mse_cal(test, m))}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20)
