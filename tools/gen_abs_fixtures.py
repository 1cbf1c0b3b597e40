#!/usr/bin/python3
"""PyTorch 1.13's abs and its backward, bit for bit.

Usage (Debian's python3-torch; not run in CI, the output is committed):
    /usr/bin/python3 tools/gen_abs_fixtures.py test/fixtures
Writes test/fixtures/abs.json: per case the input x, the incoming gradient g, y = x.abs()
and x.grad after y.backward(g), all as float32 bit patterns (uint32), so a test can compare
exactly. Inputs include -0, +0, NaN, +-inf, subnormals and the largest float32; sizes 7 and
1025 (odd, above the js backend's wasm threshold).
"""
import json, os, sys
import torch

out_dir = sys.argv[1] if len(sys.argv) > 1 else 'test/fixtures'
os.makedirs(out_dir, exist_ok=True)
torch.manual_seed(11)

SPECIALS = [-0.0, 0.0, float('nan'), float('inf'), float('-inf'), 1e-45, -1e-45, 3.4028234663852886e38, -1e-30]


def bits(t):
    return t.detach().contiguous().view(torch.int32).flatten().tolist()


def case(n):
    x = torch.randn(n) * 10
    x[: min(n, len(SPECIALS))] = torch.tensor(SPECIALS[:n])
    g = torch.randn(n)
    g[1 % n] = -3.0  # at x = +0: 0 * -3 = -0
    x.requires_grad_(True)
    y = x.abs()
    y.backward(g)
    return {'n': n, 'x': bits(x), 'g': bits(g), 'y': bits(y), 'grad': bits(x.grad)}


out = {'torch': torch.__version__, 'cases': [case(7), case(1025)]}
with open(os.path.join(out_dir, 'abs.json'), 'w') as f:
    json.dump(out, f)
