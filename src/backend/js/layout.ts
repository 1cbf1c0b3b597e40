import { stridesOf } from '../shape';
import { take } from './pool';

export function permute(x: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const out = take(x.length);
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]);
  const src = perm.map((p) => inStrides[p]);
  const nd = outShape.length;
  const coord = new Array<number>(nd).fill(0);
  let off = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = x[off];
    // Odometer increment over the output's coordinates, tracking the source offset.
    for (let d = nd - 1; d >= 0; d--) {
      coord[d]++;
      off += src[d];
      if (coord[d] < outShape[d]) break;
      off -= src[d] * outShape[d];
      coord[d] = 0;
    }
  }
  return out;
}

export function gatherRows(x: Float32Array, rowSize: number, index: readonly number[]): Float32Array {
  const out = take(index.length * rowSize);
  if (rowSize >= 32) {
    // Long rows: a memcpy per row beats the loop (2x at 64 floats); short ones would pay a subarray object each.
    for (let r = 0; r < index.length; r++) {
      const start = index[r] * rowSize;
      out.set(x.subarray(start, start + rowSize), r * rowSize);
    }
    return out;
  }
  for (let r = 0, d = 0; r < index.length; r++) {
    const s = index[r] * rowSize;
    for (let j = 0; j < rowSize; j++) out[d++] = x[s + j];
  }
  return out;
}

export function scatterAddRows(
  g: Float32Array,
  rowSize: number,
  index: readonly number[],
  numRows: number,
): Float32Array {
  const out = new Float32Array(numRows * rowSize);
  for (let r = 0; r < index.length; r++) {
    const dst = index[r] * rowSize;
    for (let j = 0; j < rowSize; j++) out[dst + j] += g[r * rowSize + j];
  }
  return out;
}
