/**
 * Residency (src/backend/gpu/resident.ts): which values cross between host and
 * device, and when. A stand-in link keeps "device" buffers as arrays and runs a
 * few kernels in JS, so these run everywhere; webgpu-device.test.ts runs the
 * same engine on a real device (lavapipe in CI).
 */
import { describe, expect, it } from 'vitest';
import { deviceKernels } from '../../src/backend/gpu/device-kernels';
import { DeviceLink, Residency } from '../../src/backend/gpu/resident';
import type { KernelCall } from '../../src/backend/gpu/wgsl/runtime';

class FakeLink implements DeviceLink {
  readonly buffers = new Map<number, Float32Array>();
  readonly log: string[] = [];
  upload(id: number, data: Float32Array): void {
    this.buffers.set(id, data.slice());
    this.log.push(`upload ${id}`);
  }
  run(call: KernelCall): void {
    this.log.push(`run ${call.kernel}`);
    const get = (id: number) => {
      const b = this.buffers.get(id);
      if (!b) throw new Error(`fake device: no buffer ${id}`);
      return b;
    };
    if (call.kernel === 'unary' && call.op === 'neg')
      this.buffers.set(
        call.out,
        get(call.x).map((v) => -v),
      );
    else if (call.kernel === 'unary' && call.op === 'copy') this.buffers.set(call.out, get(call.x).slice());
    else if (call.kernel === 'fill') this.buffers.set(call.dst, new Float32Array(call.length).fill(call.value));
    else if (call.kernel === 'accumulate') {
      const d = get(call.dst),
        s = get(call.src);
      d.forEach((v, i) => {
        d[i] = v + s[i];
      });
    } else throw new Error(`fake device: ${call.kernel} not emulated`);
  }
  free(ids: number[]): void {
    for (const id of ids) this.buffers.delete(id);
    this.log.push(`free ${ids.length}`);
  }
  read(id: number, into: Float32Array): void {
    const b = this.buffers.get(id);
    if (!b) throw new Error(`fake device: read of missing buffer ${id}`);
    into.set(b);
    this.log.push(`read ${id}`);
  }
}

function setup() {
  const link = new FakeLink();
  const res = new Residency(link);
  return { link, res, K: deviceKernels(res, link) };
}

describe('residency', () => {
  it('a result stays on the device until read; a read brings it back once', () => {
    const { link, res, K } = setup();
    const x = Float32Array.of(1, 2, 3);
    const y = K.unary('neg', x);
    const z = K.unary('neg', y);
    expect(Array.from(z)).toEqual([0, 0, 0]); // the host array is only the handle so far
    expect(link.log).toEqual(['upload 2', 'run unary', 'run unary']);
    K.sync(z);
    K.sync(z);
    expect(Array.from(z)).toEqual([1, 2, 3]);
    expect(link.log.filter((l) => l.startsWith('read'))).toHaveLength(1);
    expect(res.reads).toBe(1);
    expect(res.isOnDevice(y)).toBe(true);
    expect(res.isOnDevice(z)).toBe(false);
  });

  it('a host array is uploaded at every device use: whoever holds it may have written it', () => {
    const { link, K } = setup();
    const x = Float32Array.of(1, 2);
    K.unary('neg', x);
    x[0] = 5;
    const y = K.unary('neg', x);
    K.sync(y);
    expect(Array.from(y)).toEqual([-5, -2]);
    expect(link.log.filter((l) => l.startsWith('upload'))).toHaveLength(2);
  });

  it('after a read the host is current: writes there reach the device at the next use', () => {
    const { K } = setup();
    const y = K.unary('neg', Float32Array.of(1, 2));
    K.sync(y);
    y[1] = 10;
    const z = K.unary('neg', y);
    K.sync(z);
    expect(Array.from(z)).toEqual([1, -10]);
  });

  it('in-place kernels leave the device current; fill uploads nothing', () => {
    const { link, K } = setup();
    const g = Float32Array.of(7, 7, 7);
    K.fill(g, 0);
    K.accumulate(g, Float32Array.of(1, 2, 3));
    K.accumulate(g, g);
    expect(link.log.filter((l) => l.startsWith('upload'))).toHaveLength(1); // the src, not g
    K.sync(g);
    expect(Array.from(g)).toEqual([2, 4, 6]);
  });

  it('released results come back with their device buffer; drain reads back what is on the device', () => {
    const { link, res, K } = setup();
    const a = K.unary('neg', Float32Array.of(1, 2));
    K.release(a);
    const b = K.unary('neg', Float32Array.of(3, 4));
    expect(b).toBe(a);
    const c = K.unary('neg', b);
    expect(res.deviceArrays).toBe(2);
    res.drain();
    expect(res.deviceArrays).toBe(0);
    expect(Array.from(b)).toEqual([-3, -4]);
    expect(Array.from(c)).toEqual([3, 4]);
    expect(link.log.filter((l) => l.startsWith('read'))).toHaveLength(2);
  });

  it('what runs on the host says so: pow reads its inputs back, then runs the js kernel', () => {
    const { res, K } = setup();
    const y = K.unary('neg', Float32Array.of(2, 3));
    const p = K.binary('pow', y, [2], Float32Array.of(2), [], [2]);
    expect(Array.from(p)).toEqual([4, 9]);
    expect(res.isOnDevice(p)).toBe(false);
    expect(res.reads).toBe(1);
  });
});
