# The gradient-accumulation lines test/optim/sgd-bits.test.ts holds rxnn to (PyTorch 1.13, CPU).
# Run: /usr/bin/python3 tools/grad_accumulation.py
import torch
def fmt(t):
    out=[]
    for v in t.detach().flatten()[:2].tolist():
        if v==0 and str(v).startswith('-'): out.append('-0')
        else:
            r=round(v*1e6)/1e6
            out.append(str(int(r)) if r==int(r) else str(r))
    return ','.join(out)
for n in (2,1100):
    lines=[]
    p=torch.zeros(n,requires_grad=True); q=torch.zeros(n,requires_grad=True)
    c=torch.tensor([0.5 if i%2 else -0.0 for i in range(n)])
    d=torch.tensor([-0.0 if i%2 else 2.0 for i in range(n)])
    opt=torch.optim.SGD([p,q],lr=0.1)
    (p*c).sum().backward(); g=p.grad
    lines.append(f'A first {fmt(p.grad)}')
    (p*c).sum().backward()
    lines.append(f'A accum {str(g is p.grad).lower()} {fmt(g)} {fmt(p.grad)}')
    opt.zero_grad(set_to_none=False)
    lines.append(f'B zero {str(g is p.grad).lower()} {fmt(g)}')
    (p*c).sum().backward()
    lines.append(f'B zero+bw {str(g is p.grad).lower()} {fmt(g)} {fmt(p.grad)}')
    (p*c).sum().backward()
    lines.append(f'B twice {str(g is p.grad).lower()} {fmt(g)} {fmt(p.grad)}')
    opt.zero_grad(set_to_none=True)
    ((p*c).sum()+(q*d).sum()).backward()
    q.grad=p.grad
    opt.zero_grad(set_to_none=False)
    ((p*c).sum()+(q*d).sum()).backward()
    lines.append(f'C shared {str(p.grad is q.grad).lower()} {fmt(p.grad)} {fmt(q.grad)}')
    ((p*c).sum()+(q*d).sum()).backward()
    lines.append(f'C second {str(p.grad is q.grad).lower()} {fmt(p.grad)} {fmt(q.grad)}')
    opt.zero_grad(set_to_none=True)
    lines.append(f'E none {"null" if p.grad is None else "x"}')
    (p*c).sum().backward()
    lines.append(f'E after {fmt(p.grad)}')
    opt=torch.optim.SGD([p],lr=0.1,momentum=0.9)
    p.grad=None
    for i in range(3):
        opt.zero_grad(set_to_none=False)
        (p*p*c+p*d).sum().backward()
        if i==0: g=p.grad
        opt.step()
    lines.append(f'F held {fmt(g)} {fmt(p.grad)} {fmt(p)}')
    print(n, torch.__version__); print('\n'.join(lines))
