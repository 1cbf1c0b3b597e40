#!/usr/bin/python3
"""The BatchNorm lesson's helpers in PyTorch, as the notebook defines them.

rxnn's src/data and src/train reproduce these; the reference scripts beside this
file (tools/lesson_example02.py, tools/gen_data_fixtures.py) import them so that
the references come from the lesson's own code, not from a re-implementation.
Needs Debian's python3-torch (run with /usr/bin/python3); never run in CI.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import Dataset, DataLoader, random_split


def tensorGenReg(num_examples=1000, w=[2, -1, 1], bias=True, delta=0.01, deg=1):
    if bias == True:
        num_inputs = len(w) - 1
        features_true = torch.randn(num_examples, num_inputs)
        w_true = torch.tensor(w[:-1]).reshape(-1, 1).float()
        b_true = torch.tensor(w[-1]).float()
        if num_inputs == 1:
            labels_true = torch.pow(features_true, deg) * w_true + b_true
        else:
            labels_true = torch.mm(torch.pow(features_true, deg), w_true) + b_true
        features = torch.cat((features_true, torch.ones(len(features_true), 1)), 1)
        labels = labels_true + torch.randn(size=labels_true.shape) * delta
    else:
        num_inputs = len(w)
        features = torch.randn(num_examples, num_inputs)
        w_true = torch.tensor(w).reshape(-1, 1).float()
        if num_inputs == 1:
            labels_true = torch.pow(features, deg) * w_true
        else:
            labels_true = torch.mm(torch.pow(features, deg), w_true)
        labels = labels_true + torch.randn(size=labels_true.shape) * delta
    return features, labels


def tensorGenCla(num_examples=500, num_inputs=2, num_class=3, deg_dispersion=[4, 2], bias=False):
    cov = deg_dispersion[1]
    dis = deg_dispersion[0]
    fs = []
    ls = []
    for i in range(num_class):
        fs.append(torch.normal(i * dis - dis * (num_class - 1) / 2, cov, size=(num_examples, num_inputs)))
        ls.append(torch.full((num_examples, 1), i).float())
    features = torch.cat(fs).float()
    labels = torch.cat(ls)
    if bias:
        features = torch.cat((features, torch.ones(len(features), 1)), 1)
    return features, labels


class GenData(Dataset):
    def __init__(self, features, labels):
        self.features = features
        self.labels = labels
        self.lens = len(features)

    def __getitem__(self, index):
        return self.features[index, :], self.labels[index]

    def __len__(self):
        return self.lens


def split_loader(features, labels, batch_size=10, rate=0.7):
    data = GenData(features, labels)
    num_train = int(data.lens * rate)
    num_test = data.lens - num_train
    data_train, data_test = random_split(data, [num_train, num_test])
    train_loader = DataLoader(data_train, batch_size=batch_size, shuffle=True)
    test_loader = DataLoader(data_test, batch_size=batch_size, shuffle=False)
    return (train_loader, test_loader)


def fit(net, criterion, optimizer, batchdata, epochs=3, cla=False):
    for epoch in range(epochs):
        for X, y in batchdata:
            if cla == True:
                y = y.flatten().long()
            yhat = net.forward(X)
            loss = criterion(yhat, y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


def mse_cal(data_loader, net):
    data = data_loader.dataset
    X = data[:][0]
    y = data[:][1]
    yhat = net(X)
    return F.mse_loss(yhat, y)


def accuracy_cal(data_loader, net):
    data = data_loader.dataset
    X = data[:][0]
    y = data[:][1]
    zhat = net(X)
    soft_z = F.softmax(zhat, 1)
    acc_bool = torch.argmax(soft_z, 1).flatten() == y.flatten()
    acc = torch.mean(acc_bool.float())
    return acc


class net_class1(nn.Module):
    """The lesson's net_class1: Linear(in, n_hidden) → [BN] → act → [BN] → Linear(n_hidden, out)."""
    def __init__(self, act_fun=torch.relu, in_features=2, n_hidden=4, out_features=1, bias=True, BN_model=None,
                 momentum=0.1):
        super(net_class1, self).__init__()
        self.linear1 = nn.Linear(in_features, n_hidden, bias=bias)
        self.normalize1 = nn.BatchNorm1d(n_hidden, momentum=momentum)
        self.linear2 = nn.Linear(n_hidden, out_features, bias=bias)
        self.BN_model = BN_model
        self.act_fun = act_fun

    def forward(self, x):
        if self.BN_model == None:
            z1 = self.linear1(x)
            p1 = self.act_fun(z1)
            out = self.linear2(p1)
        elif self.BN_model == 'pre':
            z1 = self.normalize1(self.linear1(x))
            p1 = self.act_fun(z1)
            out = self.linear2(p1)
        elif self.BN_model == 'post':
            z1 = self.linear1(x)
            p1 = self.act_fun(z1)
            out = self.linear2(self.normalize1(p1))
        return out


def T(t):
    """A tensor as the fixtures store it: {"shape": [...], "data": [flat row-major floats]}."""
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.flatten().tolist()]}
