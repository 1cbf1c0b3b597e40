import { K } from '../../backend/registry';
import type { BinaryOp, UnaryOp } from '../../backend/kernels';
import { broadcastShapes } from '../../backend/shape';
import { isTensor, Operand, ownedGrad, result, Tensor, wrap } from '../tensor';
import { sumToShape } from './reduce';
import { ArgumentError, check, is } from '../../validate';

/** A number operand becomes a 0-d constant, which broadcasts against anything; anything else is an ArgumentError. */
export function asTensor(o: Operand, fn = 'operand', arg = 'other'): Tensor {
  if (typeof o === 'number') return new Tensor(Float32Array.of(o), []);
  if (isTensor(o)) return o;
  throw new ArgumentError(fn, arg, o, 'a Tensor or a number');
}

/** The broadcast shape; `a.shape` itself when the shapes are equal (the common case: no new array). */
function outShape(a: readonly number[], b: readonly number[]): readonly number[] {
  if (a === b) return a;
  if (a.length === b.length) {
    let i = 0;
    while (i < a.length && a[i] === b[i]) i++;
    if (i === a.length) return a;
  }
  return broadcastShapes(a, b);
}

/** `saves`: whether the rule keeps a forward tensor (mul, div, pow do; add and sub do not). */
function binary(
  op: BinaryOp,
  name: string,
  a: Tensor,
  b: Tensor,
  // needA/needB: whether a and b need their gradient (the rule computes only those).
  backward: (g: Tensor, needA: boolean, needB: boolean) => [Tensor | null, Tensor | null],
  saves = true,
): Tensor {
  if (!isTensor(a)) throw new ArgumentError(op, 'input', a, 'a Tensor');
  if (!isTensor(b)) throw new ArgumentError(op, 'other', b, 'a Tensor');
  const shape = outShape(a.shape, b.shape);
  const data = K.binary(op, a.storage, a.shape, b.storage, b.shape, shape);
  return result(
    data,
    shape,
    name,
    [a, b],
    (g) => {
      const [ga, gb] = backward(g, a.requiresGrad, b.requiresGrad);
      return [
        ga && a.requiresGrad ? sumToShape(ga, a.shape) : null,
        gb && b.requiresGrad ? sumToShape(gb, b.shape) : null,
      ];
    },
    saves,
  );
}

function unary(
  op: UnaryOp,
  name: string,
  x: Tensor,
  backward: (g: Tensor, out: Tensor) => Tensor,
  saves = true,
): Tensor {
  if (!isTensor(x)) throw new ArgumentError(op, 'input', x, 'a Tensor');
  const out: Tensor = result(K.unary(op, x.storage), x.shape, name, [x], (g) => [backward(g, out)], saves);
  return out;
}

// d(a + b) = g, g
export function add(x: Operand, y: Operand): Tensor {
  return binary('add', 'AddBackward0', asTensor(x, 'add', 'input'), asTensor(y, 'add', 'other'), (g) => [g, g], false);
}

// d(a - b) = g, -g
export function sub(x: Operand, y: Operand): Tensor {
  return binary(
    'sub',
    'SubBackward0',
    asTensor(x, 'sub', 'input'),
    asTensor(y, 'sub', 'other'),
    (g, _, needB) => [g, needB ? neg(g) : null],
    false,
  );
}

// d(a * b) = g * b, g * a
export function mul(x: Operand, y: Operand): Tensor {
  const a = asTensor(x, 'mul', 'input'),
    b = asTensor(y, 'mul', 'other');
  return binary('mul', 'MulBackward0', a, b, (g, needA, needB) => [needA ? mul(g, b) : null, needB ? mul(g, a) : null]);
}

// d(a / b) = g / b, -g * a / b^2
export function div(x: Operand, y: Operand): Tensor {
  const a = asTensor(x, 'div', 'input'),
    b = asTensor(y, 'div', 'other');
  return binary('div', 'DivBackward0', a, b, (g, needA, needB) => [
    needA ? div(g, b) : null,
    needB ? neg(div(mul(g, a), mul(b, b))) : null,
  ]);
}

// d(x^e) = g * e * x^(e - 1)
export function pow(x: Tensor, exponent: number): Tensor {
  const e = asTensor(check('pow', 'exponent', exponent, is.number));
  return binary('pow', 'PowBackward0', x, e, (g) => [
    exponent === 0 ? new Tensor(new Float32Array(g.size), g.shape) : mul(g, mul(pow(x, exponent - 1), exponent)),
    null,
  ]);
}

/** 1 where a > b, else 0. Not differentiable (a comparison). */
export function gt(x: Operand, y: Operand): Tensor {
  const a = asTensor(x, 'gt', 'input'),
    b = asTensor(y, 'gt', 'other');
  const shape = outShape(a.shape, b.shape);
  return wrap(K.binary('gt', a.storage, a.shape, b.storage, b.shape, shape), shape);
}

// d(-x) = -g
export function neg(x: Tensor): Tensor {
  return unary('neg', 'NegBackward0', x, (g) => neg(g), false);
}

// d(exp x) = g * exp(x)
export function exp(x: Tensor): Tensor {
  return unary('exp', 'ExpBackward0', x, (g, out) => mul(g, out));
}

// d(log x) = g / x
export function log(x: Tensor): Tensor {
  return unary('log', 'LogBackward0', x, (g) => div(g, x));
}

// d(sqrt x) = g / (2 sqrt(x))
export function sqrt(x: Tensor): Tensor {
  return unary('sqrt', 'SqrtBackward0', x, (g, out) => div(g, mul(out, 2)));
}

// d(relu x) = g where x > 0, else g * 0: one fused kernel pass, as PyTorch's threshold_backward
// (g * 0 rather than 0 keeps the bits of the g * (x > 0) it replaces: -0 for negative g, NaN for NaN).
/** As `torch.nn.functional.relu`: `max(x, 0)` elementwise; the gradient is 0 where `x <= 0`. */
export function relu(x: Tensor): Tensor {
  return unary('relu', 'ReluBackward0', x, (g) =>
    ownedGrad(K.binary('reluGrad', g.storage, g.shape, x.storage, x.shape, x.shape), x.shape),
  );
}

// d(sigmoid x) = g * (1 - y) * y
/** As `torch.sigmoid`: `1 / (1 + exp(-x))` elementwise. */
export function sigmoid(x: Tensor): Tensor {
  return unary('sigmoid', 'SigmoidBackward0', x, (g, y) => mul(mul(g, sub(1, y)), y));
}

// d(tanh x) = g * (1 - y^2)
/** As `torch.tanh`: the hyperbolic tangent, elementwise. */
export function tanh(x: Tensor): Tensor {
  return unary('tanh', 'TanhBackward0', x, (g, y) => mul(g, sub(1, mul(y, y))));
}

// d(|x|) = g * sign(x), sign(x) = (x > 0) - (0 > x): 0 at ±0 and at NaN, as PyTorch's sgn
export function abs(x: Tensor): Tensor {
  return unary('abs', 'AbsBackward0', x, (g) => mul(g, sub(gt(x, 0), gt(0, x))));
}
