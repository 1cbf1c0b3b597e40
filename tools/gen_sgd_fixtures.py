#!/usr/bin/python3
"""PyTorch 1.13's SGD, bit for bit: parameters after each of 3 steps with given gradients.

Usage (Debian's python3-torch; not run in CI, the output is committed):
    /usr/bin/python3 tools/gen_sgd_fixtures.py test/fixtures
Writes test/fixtures/sgd-bits.json: per case the options, the initial parameters, the
gradient of each step, and the parameters and momentum buffer after each step, all as
float32 bit patterns (uint32), so a test can compare exactly. Gradients are set by hand
(p.grad = ...), never computed, so only the optimizer's arithmetic is judged. Sizes 7 (the
js loop) and 1025 (odd, above the wasm path's threshold); values include -0, tiny and
large magnitudes, and a parameter that gets no gradient on step 2 (zero_grad zeroes it in
1.13, so momentum and weight decay still move it).
"""
import json, os, sys
import torch

out_dir = sys.argv[1] if len(sys.argv) > 1 else 'test/fixtures'
os.makedirs(out_dir, exist_ok=True)
torch.manual_seed(7)


def bits(t):
    return t.detach().contiguous().view(torch.int32).flatten().tolist()


def values(n, scale):
    v = torch.randn(n) * scale
    if n > 8:
        v[3] = -0.0
        v[5] = 1e-30
        v[6] = -3e4
    return v.float()


OPTIONS = [
    {'lr': 0.03},
    {'lr': 0.1, 'weight_decay': 0.01},
    {'lr': 0.05, 'momentum': 0.9},
    {'lr': 0.05, 'momentum': 0.9, 'dampening': 0.3, 'weight_decay': 1e-3},
    {'lr': 0.01, 'momentum': 0.7, 'nesterov': True, 'weight_decay': 5e-4},
]
cases = []
for n in (7, 1025):
    for opts in OPTIONS:
        p = torch.nn.Parameter(values(n, 1.0))
        q = torch.nn.Parameter(values(3, 1.0))  # gets no gradient on step 2
        init = [bits(p), bits(q)]
        opt = torch.optim.SGD([p, q], **opts)
        steps = []
        for step in range(3):
            opt.zero_grad()
            g = values(n, 0.5)
            p.grad = g.clone()
            gq = values(3, 0.5) if step != 1 else None
            if gq is not None:
                q.grad = gq.clone()
            opt.step()
            st = opt.state[p]
            steps.append({'grad': bits(g), 'gradQ': bits(gq) if gq is not None else None,
                          'param': bits(p), 'paramQ': bits(q),
                          'buf': bits(st['momentum_buffer']) if st.get('momentum_buffer') is not None else None})
        cases.append({'n': n, 'options': opts, 'init': init, 'steps': steps})

json.dump({'torch': torch.__version__, 'cases': cases}, open(os.path.join(out_dir, 'sgd-bits.json'), 'w'))
print('wrote', len(cases), 'cases')
