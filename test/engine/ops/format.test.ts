/**
 * toString against PyTorch's repr. Every expected string was printed by
 * PyTorch 1.13 (`/usr/bin/python3`, `repr(t)`, default print options); the
 * python expression that made it is in the comment above each case.
 */
import { describe, expect, it } from 'vitest';
import { arange, nn, tensor, zeros } from '../../../src';

const lines = (...ls: string[]) => ls.join('\n');

describe('toString matches PyTorch repr', () => {
  it('int-valued tensors print as "0." with a trailing point', () => {
    // torch.arange(6.).reshape(2, 3)
    expect(String(arange(6).reshape(2, 3))).toBe(lines('tensor([[0., 1., 2.],', '        [3., 4., 5.]])'));
    // torch.tensor([-1., 0., 10.])
    expect(String(tensor([-1, 0, 10]))).toBe('tensor([-1.,  0., 10.])');
    // torch.zeros(2, 2)
    expect(String(zeros(2, 2))).toBe(lines('tensor([[0., 0.],', '        [0., 0.]])'));
  });

  it('fractional values print with 4 decimals, right-aligned to a common width', () => {
    // torch.tensor([0.5, 1.25, 3.14159])
    expect(String(tensor([0.5, 1.25, 3.14159]))).toBe('tensor([0.5000, 1.2500, 3.1416])');
    // torch.tensor([[0.1234, -1.5], [2.25, 3.0]])
    expect(
      String(
        tensor([
          [0.1234, -1.5],
          [2.25, 3.0],
        ]),
      ),
    ).toBe(lines('tensor([[ 0.1234, -1.5000],', '        [ 2.2500,  3.0000]])'));
    // torch.arange(8.).reshape(2, 4).softmax(1)
    expect(String(arange(8).reshape(2, 4).softmax(1))).toBe(
      lines('tensor([[0.0321, 0.0871, 0.2369, 0.6439],', '        [0.0321, 0.0871, 0.2369, 0.6439]])'),
    );
    // torch.tensor([0.03125, 1.])  -- an exact tie rounds half to even, as Python's '{:.4f}'
    expect(String(tensor([0.03125, 1]))).toBe('tensor([0.0312, 1.0000])');
  });

  it('negatives', () => {
    // torch.tensor([-1.25, 0.5, -3.0])
    expect(String(tensor([-1.25, 0.5, -3.0]))).toBe('tensor([-1.2500,  0.5000, -3.0000])');
  });

  it('scientific notation when values span more than 1000x, exceed 1e8, or go below 1e-4', () => {
    // torch.tensor([1e-3, 2.0, 5000.0])
    expect(String(tensor([1e-3, 2.0, 5000.0]))).toBe('tensor([1.0000e-03, 2.0000e+00, 5.0000e+03])');
    // torch.tensor([1e-5, 0.5])
    expect(String(tensor([1e-5, 0.5]))).toBe('tensor([1.0000e-05, 5.0000e-01])');
    // torch.tensor([1e9, 2.])
    expect(String(tensor([1e9, 2]))).toBe('tensor([1.0000e+09, 2.0000e+00])');
    // torch.tensor(1e-6)
    expect(String(tensor(1e-6))).toBe('tensor(1.0000e-06)');
  });

  it('a long 1-D tensor wraps at 80 columns', () => {
    // torch.arange(30.) / 7
    expect(String(arange(30).div(7))).toBe(
      lines(
        'tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,',
        '        1.2857, 1.4286, 1.5714, 1.7143, 1.8571, 2.0000, 2.1429, 2.2857, 2.4286,',
        '        2.5714, 2.7143, 2.8571, 3.0000, 3.1429, 3.2857, 3.4286, 3.5714, 3.7143,',
        '        3.8571, 4.0000, 4.1429])',
      ),
    );
    // torch.arange(40.)
    expect(String(arange(40))).toBe(
      lines(
        'tensor([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12., 13.,',
        '        14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25., 26., 27.,',
        '        28., 29., 30., 31., 32., 33., 34., 35., 36., 37., 38., 39.])',
      ),
    );
  });

  it('more than 1000 elements are summarised with ... rows (the format chosen from the shown values only)', () => {
    // torch.arange(1500.).reshape(500, 3)
    expect(String(arange(1500).reshape(500, 3))).toBe(
      lines(
        'tensor([[0.0000e+00, 1.0000e+00, 2.0000e+00],',
        '        [3.0000e+00, 4.0000e+00, 5.0000e+00],',
        '        [6.0000e+00, 7.0000e+00, 8.0000e+00],',
        '        ...,',
        '        [1.4910e+03, 1.4920e+03, 1.4930e+03],',
        '        [1.4940e+03, 1.4950e+03, 1.4960e+03],',
        '        [1.4970e+03, 1.4980e+03, 1.4990e+03]])',
      ),
    );
  });

  it('a summarised 1-D row shows its ellipsis as " ..." (two spaces after the comma)', () => {
    // torch.arange(1001.)
    expect(String(arange(1001))).toBe('tensor([   0.,    1.,    2.,  ...,  998.,  999., 1000.])');
    // torch.arange(1200.).reshape(40, 30) / 3
    expect(String(arange(1200).reshape(40, 30).div(3))).toBe(
      lines(
        'tensor([[0.0000e+00, 3.3333e-01, 6.6667e-01,  ..., 9.0000e+00, 9.3333e+00,',
        '         9.6667e+00],',
        '        [1.0000e+01, 1.0333e+01, 1.0667e+01,  ..., 1.9000e+01, 1.9333e+01,',
        '         1.9667e+01],',
        '        [2.0000e+01, 2.0333e+01, 2.0667e+01,  ..., 2.9000e+01, 2.9333e+01,',
        '         2.9667e+01],',
        '        ...,',
        '        [3.7000e+02, 3.7033e+02, 3.7067e+02,  ..., 3.7900e+02, 3.7933e+02,',
        '         3.7967e+02],',
        '        [3.8000e+02, 3.8033e+02, 3.8067e+02,  ..., 3.8900e+02, 3.8933e+02,',
        '         3.8967e+02],',
        '        [3.9000e+02, 3.9033e+02, 3.9067e+02,  ..., 3.9900e+02, 3.9933e+02,',
        '         3.9967e+02]])',
      ),
    );
  });

  it('0-d tensors', () => {
    // torch.tensor(3.5)
    expect(String(tensor(3.5))).toBe('tensor(3.5000)');
    // torch.tensor(-2.)
    expect(String(tensor(-2))).toBe('tensor(-2.)');
  });

  it('requires_grad and grad_fn suffixes, wrapping onto a new line past 80 columns', () => {
    // torch.tensor([1., 2.], requires_grad=True)
    const x = tensor([1, 2], { requiresGrad: true });
    expect(String(x)).toBe('tensor([1., 2.], requires_grad=True)');
    // torch.tensor([1., 2.], requires_grad=True) * 2
    expect(String(x.mul(2))).toBe('tensor([2., 4.], grad_fn=<MulBackward0>)');
    // torch.tensor([1., 2.], requires_grad=True).sum()
    expect(String(x.sum())).toBe('tensor(3., grad_fn=<SumBackward0>)');
    // (torch.arange(9.) / 7).requires_grad_()
    const y = arange(9).div(7).requiresGrad_();
    expect(String(y)).toBe(
      lines(
        'tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429],',
        '       requires_grad=True)',
      ),
    );
    // (torch.arange(9.) / 7).requires_grad_() * 1
    expect(String(y.mul(1))).toBe(
      lines(
        'tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429],',
        '       grad_fn=<MulBackward0>)',
      ),
    );
    // (torch.arange(10.) / 7).requires_grad_()
    expect(String(arange(10).div(7).requiresGrad_())).toBe(
      lines(
        'tensor([0.0000, 0.1429, 0.2857, 0.4286, 0.5714, 0.7143, 0.8571, 1.0000, 1.1429,',
        '        1.2857], requires_grad=True)',
      ),
    );
    // torch.nn.Parameter(torch.tensor([1., 2.]))
    expect(String(new nn.Parameter(Float32Array.of(1, 2), [2]))).toBe(
      lines('Parameter containing:', 'tensor([1., 2.], requires_grad=True)'),
    );
  });

  it('3-D and 4-D tensors separate blocks with blank lines', () => {
    // torch.arange(12.).reshape(2, 2, 3) - 5.5
    expect(String(arange(12).reshape(2, 2, 3).sub(5.5))).toBe(
      lines(
        'tensor([[[-5.5000, -4.5000, -3.5000],',
        '         [-2.5000, -1.5000, -0.5000]],',
        '',
        '        [[ 0.5000,  1.5000,  2.5000],',
        '         [ 3.5000,  4.5000,  5.5000]]])',
      ),
    );
    // torch.arange(16.).reshape(2, 2, 2, 2)
    expect(String(arange(16).reshape(2, 2, 2, 2))).toBe(
      lines(
        'tensor([[[[ 0.,  1.],',
        '          [ 2.,  3.]],',
        '',
        '         [[ 4.,  5.],',
        '          [ 6.,  7.]]],',
        '',
        '',
        '        [[[ 8.,  9.],',
        '          [10., 11.]],',
        '',
        '         [[12., 13.],',
        '          [14., 15.]]]])',
      ),
    );
  });

  it('empty tensors and infinities', () => {
    // torch.zeros(0)
    expect(String(zeros(0))).toBe('tensor([])');
    // torch.zeros(0, 3)
    expect(String(zeros(0, 3))).toBe('tensor([], size=(0, 3))');
    // torch.tensor([1.5, float('inf'), -float('inf')])
    expect(String(tensor([1.5, Infinity, -Infinity]))).toBe('tensor([1.5000,    inf,   -inf])');
  });

  it('nan and inf do not widen the columns (PyTorch sizes columns from the finite values only)', () => {
    // torch.tensor([1., float('nan')])
    expect(String(tensor([1, NaN]))).toBe('tensor([1., nan])');
  });

  it('negative zero keeps its sign', () => {
    // torch.tensor([-0., 1.])
    expect(String(tensor([-0, 1]))).toBe('tensor([-0., 1.])');
    // torch.tensor(-0.)
    expect(String(tensor(-0))).toBe('tensor(-0.)');
  });

  it("scientific notation rounds exact ties half to even, as Python's '{:.4e}'", () => {
    // torch.tensor([1.03125, 1e-5])
    expect(String(tensor([1.03125, 1e-5]))).toBe('tensor([1.0312e+00, 1.0000e-05])');
  });
});
