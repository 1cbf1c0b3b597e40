import { K } from '../../backend/registry';
import { fromHost, scalarStorage } from '../../backend/storage';
import { broadcastShapes, formatShape, sizeOf } from '../../backend/shape';
import { isGradEnabled } from '../../autograd';
import { ownedGrad, result, Tensor, wrap } from '../tensor';
import { normalizeDim } from './dims';
import { sumToShape } from './reduce';
import { ArgumentError, check, is } from '../../validate';

const isIndex = is.instance(Array, 'a list of row indices') as ReturnType<typeof is.instance<number[]>>;

/**
 * A new tensor over the same data (every tensor is contiguous), even when the shape is
 * unchanged, as in PyTorch; d = g reshaped back. One -1 is inferred. `name` is the node
 * PyTorch 1.13 records: ReshapeAliasBackward0 for reshape, ViewBackward0 for view.
 */
export function reshape(x: Tensor, shape: readonly number[], name = 'ReshapeAliasBackward0'): Tensor {
  const target = inferShape(shape, x.size, x.shape);
  return result(x.storage, target, name, [x], (g) => [reshapeGrad(g, x.shape)], false);
}

/** torch.Tensor.view: reshape under PyTorch's other node name. */
export function view(x: Tensor, shape: readonly number[]): Tensor {
  return reshape(x, shape, 'ViewBackward0');
}

/**
 * For backward rules (which run without recording): `g` itself when it already has
 * `shape`, so that its ownership (Tensor.ownedGrad) passes on; else a reshaped wrapper.
 */
export function reshapeGrad(g: Tensor, shape: readonly number[]): Tensor {
  if (g.shape.length === shape.length && g.shape.every((d, i) => d === shape[i])) return g;
  return reshape(g, shape);
}

function inferShape(shape: readonly number[], size: number, from: readonly number[]): number[] {
  check('reshape', 'shape', shape, is.instance(Array, 'a list of integers'));
  shape.forEach((d, i) => check('reshape', `shape[${i}]`, d, is.number));
  const unknown = shape.indexOf(-1);
  const bad = shape.some((d, i) => !Number.isInteger(d) || d < -1 || (d === -1 && i !== unknown));
  const known = shape.reduce((p, d) => (d === -1 ? p : p * d), 1);
  const out = [...shape];
  if (!bad && unknown >= 0 && known > 0 && size % known === 0) out[unknown] = size / known;
  if (bad || sizeOf(out) !== size || out.includes(-1)) {
    throw new Error(
      `reshape: shape ${formatShape(shape)} is invalid for input of size ${size} (shape ${formatShape(from)})`,
    );
  }
  return out;
}

// expand repeats size-1 (or missing leading) axes; d = g summed back to x's shape
export function expand(x: Tensor, shape: readonly number[]): Tensor {
  if (x.shape.length === shape.length && x.shape.every((d, i) => d === shape[i])) return x;
  if (broadcastShapes(x.shape, shape).join() !== shape.join()) {
    throw new Error(
      `expand: tensor of shape ${formatShape(x.shape)} cannot be expanded to shape ${formatShape(shape)}`,
    );
  }
  const zero = scalarStorage(0);
  return result(
    K.binary('add', x.storage, x.shape, zero, [], shape),
    shape,
    'ExpandBackward0',
    [x],
    (g) => [sumToShape(g, x.shape)],
    false,
  );
}

// permute reorders axes; d = g permuted by the inverse permutation
export function permute(x: Tensor, dims: readonly number[]): Tensor {
  const perm = dims.map((d) => normalizeDim(d, x.ndim, 'permute'));
  if (perm.length !== x.ndim || new Set(perm).size !== perm.length) {
    throw new Error(
      `permute: dims ${formatShape(dims)} must be a permutation of the ${x.ndim} dims of shape ${formatShape(x.shape)}`,
    );
  }
  const inverse = new Array<number>(perm.length);
  perm.forEach((p, i) => {
    inverse[p] = i;
  });
  return result(
    K.permute(x.storage, x.shape, perm),
    perm.map((p) => x.shape[p]),
    'PermuteBackward0',
    [x],
    (g) => [permute(g, inverse)],
    false,
  );
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim(dim0, x.ndim, 'transpose'),
    b = normalizeDim(dim1, x.ndim, 'transpose');
  if (x.ndim < 2) return x;
  const perm = x.shape.map((_, i) => i);
  [perm[a], perm[b]] = [perm[b], perm[a]];
  const out = permute(x, perm);
  if (out.gradFn) out.gradFn.name = 'TransposeBackward0';
  return out;
}

// rows of x at `index`; d = g scatter-added back into the rows it came from
export function indexSelect(x: Tensor, index: readonly number[]): Tensor {
  if (x.ndim < 1) throw new Error('indexSelect: needs a tensor with at least one dimension, got a 0-d tensor');
  const rows = x.shape[0];
  check('indexSelect', 'index', index, isIndex);
  for (let k = 0; k < index.length; k++) {
    const i = index[k];
    if (typeof i !== 'number') throw new ArgumentError('indexSelect', `index[${k}]`, i, 'an integer row index');
    if (!Number.isInteger(i) || i < 0 || i >= rows) {
      throw new Error(`indexSelect: index ${i} is out of bounds for dimension 0 with size ${rows}`);
    }
  }
  const rowSize = rows === 0 ? 0 : x.size / rows;
  const shape = x.shape.slice();
  shape[0] = index.length;
  const data = K.gatherRows(x.storage, rowSize, index);
  // Batching data (no grad) records nothing; otherwise backward keeps its own copy of the index.
  if (!(x.requiresGrad && isGradEnabled())) return wrap(data, shape);
  const idx = index.slice();
  return result(data, shape, 'IndexSelectBackward0', [x], (g) => [
    ownedGrad(K.scatterAddRows(g.storage, rowSize, idx, rows), x.shape),
  ]);
}

/** Concatenate along `dim`; every other dim must match. d = the matching slice of g for each input. */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  check('cat', 'tensors', tensors, is.instance(Array, 'a list of tensors'));
  tensors.forEach((t, i) => check('cat', `tensors[${i}]`, t, is.instance(Tensor)));
  if (tensors.length === 0) throw new Error('cat: expected a non-empty list of tensors');
  const first = tensors[0];
  tensors.forEach((t, i) => {
    if (t.ndim === 0) throw new Error(`cat: zero-dimensional tensor (at position ${i}) cannot be concatenated`);
  });
  const d = normalizeDim(dim, first.ndim, 'cat');
  tensors.forEach((t, i) => {
    if (t.ndim !== first.ndim || t.shape.some((s, j) => j !== d && s !== first.shape[j])) {
      throw new Error(
        `cat: sizes of tensors must match except in dimension ${d}: tensor 0 has shape ` +
          `${formatShape(first.shape)}, tensor ${i} has shape ${formatShape(t.shape)}`,
      );
    }
  });
  const outer = sizeOf(first.shape.slice(0, d));
  const inner = sizeOf(first.shape.slice(d + 1));
  const widths = tensors.map((t) => t.shape[d] * inner);
  const total = widths.reduce((a, b) => a + b, 0);
  const shape = [...first.shape];
  shape[d] = tensors.reduce((a, t) => a + t.shape[d], 0);
  const out = new Float32Array(outer * total);
  // Each input contributes a block of widths[i] values to every outer row.
  let offset = 0;
  tensors.forEach((t, i) => {
    const d = t.data;
    for (let o = 0; o < outer; o++) out.set(d.subarray(o * widths[i], (o + 1) * widths[i]), o * total + offset);
    offset += widths[i];
  });
  return result(
    fromHost(out),
    shape,
    'CatBackward0',
    tensors,
    (g) => {
      let off = 0;
      const gd = g.data;
      return tensors.map((t, i) => {
        const part = new Float32Array(t.size);
        for (let o = 0; o < outer; o++)
          part.set(gd.subarray(o * total + off, o * total + off + widths[i]), o * widths[i]);
        off += widths[i];
        return new Tensor(part, t.shape);
      });
    },
    false,
  );
}

export function clone(x: Tensor): Tensor {
  return result(K.unary('copy', x.storage), x.shape, 'CloneBackward0', [x], (g) => [g], false);
}
