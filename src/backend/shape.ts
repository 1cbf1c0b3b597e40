/** Shape arithmetic shared by the engine and every backend. */

/** A shape as error messages print it: `[2, 3]`. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

/** The NumPy/PyTorch broadcast of two shapes; throws naming both when they do not broadcast. */
export function broadcastShapes(a: readonly number[], b: readonly number[]): number[] {
  const n = Math.max(a.length, b.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(
        `shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast together ` +
          `(dimension ${i - n} is ${da} vs ${db})`,
      );
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Maps a flat index of `outShape` to the flat index of a tensor of `shape`
 * broadcast to it (size-1 and missing leading axes repeat).
 */
export function broadcastIndexer(shape: readonly number[], outShape: readonly number[]): (i: number) => number {
  const n = outShape.length;
  const own = stridesOf(shape);
  const outStrides = stridesOf(outShape);
  const srcStrides = outShape.map((d, i) => {
    const j = shape.length - n + i;
    return j < 0 || shape[j] === 1 ? 0 : own[j];
  });
  return (flat: number) => {
    let src = 0;
    for (let i = 0; i < n; i++) {
      const coord = Math.floor(flat / outStrides[i]) % outShape[i];
      src += coord * srcStrides[i];
    }
    return src;
  };
}
