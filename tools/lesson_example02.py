#!/usr/bin/python3
"""PyTorch side of examples/02-net-class1-training.ts: the same cells, the same prints.

Run: /usr/bin/python3 tools/lesson_example02.py
(Debian's python3-torch; its output is in test/fixtures/examples-pytorch.json, quoted in README.md next to rxnn's.)
"""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch
import torch.nn as nn
from lesson import tensorGenReg, split_loader, net_class1, fit, mse_cal

# Cell: data — torch.manual_seed(420); features, labels = tensorGenReg(w=[2, -1], bias=False, deg=2)
torch.manual_seed(420)
features, labels = tensorGenReg(w=[2, -1], bias=False, deg=2)
# Cell: train_loader, test_loader = split_loader(features, labels)
train_loader, test_loader = split_loader(features, labels)
# Cell: torch.manual_seed(24); net = net_class1(BN_model='pre')
torch.manual_seed(24)
net = net_class1(BN_model='pre')
# Cell: fit(net, nn.MSELoss(), optim.SGD(net.parameters(), lr=0.03), train_loader, epochs=20)
fit(net=net, criterion=nn.MSELoss(), optimizer=torch.optim.SGD(net.parameters(), lr=0.03),
    batchdata=train_loader, epochs=20)
# Cell: the BatchNorm layer's parameters and running statistics after training
bn = net.normalize1
print('normalize1.weight =', bn.weight)
print('normalize1.bias =', bn.bias)
print('normalize1.running_mean =', bn.running_mean)
print('normalize1.running_var =', bn.running_var)
# Cell: net.eval(); mse_cal(train_loader, net), mse_cal(test_loader, net)
net.eval()
with torch.no_grad():
    print('train MSE =', mse_cal(train_loader, net))
    print('test MSE =', mse_cal(test_loader, net))
