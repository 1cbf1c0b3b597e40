/**
 * Residency (src/backend/gpu/resident.ts): which values cross between host and
 * device, and when. A stand-in link keeps "device" buffers as arrays and runs
 * every kernel call with the js host kernels, so these run everywhere;
 * webgpu-device.test.ts runs the same engine on a real device (lavapipe in CI).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { trainingProblem } from '../helpers/training-problem';
import { fit, Tensor } from '../../src';
import { getBackend, registerBackend, setBackend } from '../../src/backend';
import { deviceKernels } from '../../src/backend/gpu/device-kernels';
import { DeviceLink, Residency } from '../../src/backend/gpu/resident';
import type { KernelCall } from '../../src/backend/gpu/wgsl/runtime';
import { jsHostKernels } from '../../src/backend/js';
import { fromHost, releasedError, Storage } from '../../src/backend/storage';

/** A "device" whose buffers are host arrays and whose kernels are the js ones (bit for bit the js backend). */
class FakeLink implements DeviceLink {
  readonly buffers = new Map<number, Float32Array>();
  readonly log: string[] = [];
  /** The output ids of the kernel calls, in order. */
  readonly outs: number[] = [];
  /** Every log line that starts with `what`. */
  count(what: string): number {
    return this.log.filter((l) => l.startsWith(what)).length;
  }
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
    const opt = (id: number | undefined) => (id === undefined ? null : get(id));
    const set = (id: number, v: Float32Array) => {
      this.outs.push(id);
      this.buffers.set(id, v);
    };
    const k = jsHostKernels;
    switch (call.kernel) {
      case 'unary':
        return set(call.out, k.unary(call.op, get(call.x)));
      case 'binary':
        return set(call.out, k.binary(call.op, get(call.a), call.aShape, get(call.b), call.bShape, call.outShape));
      case 'reduceSum':
        return set(call.out, k.reduce('sum', get(call.x), call.shape, call.axes));
      case 'matmul':
        return set(
          call.out,
          k.matmul(get(call.a), get(call.b), call.m, call.k, call.n, call.transA, call.transB, opt(call.bias)),
        );
      case 'permute':
        return set(call.out, k.permute(get(call.x), call.shape, call.perm));
      case 'gatherRows':
        return set(call.out, k.gatherRows(get(call.x), call.rowSize, call.index));
      case 'bnStats': {
        const st = k.batchNormStats(get(call.x), call.n, call.c, call.s, call.eps);
        set(call.mean, st.mean);
        set(call.varBiased, st.varBiased);
        return set(call.invstd, st.invstd);
      }
      case 'bnForward':
        return set(
          call.out,
          k.batchNormForward(
            get(call.x),
            call.n,
            call.c,
            call.s,
            get(call.mean),
            get(call.invstd),
            opt(call.weight),
            opt(call.bias),
          ),
        );
      case 'bnBackward': {
        const needWeightGrads = call.gradWeight !== undefined;
        const g = k.batchNormBackward(
          get(call.gy),
          get(call.x),
          call.n,
          call.c,
          call.s,
          get(call.mean),
          get(call.invstd),
          opt(call.weight),
          call.batchStats,
          needWeightGrads,
        );
        set(call.gradInput, g.gradInput);
        if (call.gradWeight !== undefined) set(call.gradWeight, g.gradWeight as Float32Array);
        if (call.gradBias !== undefined) set(call.gradBias, g.gradBias as Float32Array);
        return;
      }
      case 'bnUpdateStats':
        return k.batchNormUpdateStats(
          opt(call.runningMean),
          opt(call.runningVar),
          get(call.mean),
          get(call.varBiased),
          call.momentum,
          call.m,
        );
      case 'sgd':
        return k.sgdUpdate(get(call.param), get(call.grad), opt(call.buf), {
          lr: call.lr,
          momentum: call.momentum,
          dampening: call.dampening,
          weightDecay: call.weightDecay,
          nesterov: call.nesterov,
          first: call.first,
        });
      case 'accumulate':
        return k.accumulate(get(call.dst), get(call.src));
      case 'fill':
        return set(call.dst, new Float32Array(call.length).fill(call.value));
    }
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

const idOf = (s: Storage) => (s.device as { id: number } | null)?.id;

describe('residency', () => {
  it('a result stays on the device until read; a read brings it back once', () => {
    const { link, res, K } = setup();
    const x = fromHost(Float32Array.of(1, 2, 3));
    const y = K.unary('neg', x);
    const z = K.unary('neg', y);
    expect(z.host).toBeNull(); // no host array until read
    expect(y.host).toBeNull();
    expect(res.hostArrays).toBe(0);
    expect(link.log).toEqual(['upload 2', 'run unary', 'run unary']);
    const first = K.read(z);
    const again = K.read(z);
    expect(again).toBe(first);
    expect(Array.from(first)).toEqual([1, 2, 3]);
    expect(link.count('read')).toBe(1);
    expect(res.reads).toBe(1);
    expect(res.hostArrays).toBe(1);
    expect(res.isOnDevice(y)).toBe(true);
    expect(y.host).toBeNull();
    expect(res.isOnDevice(z)).toBe(false);
    expect(z.host).toBe(first);
  });

  it('a host storage is uploaded once and its host array is let go', () => {
    const { link, res, K } = setup();
    const values = Float32Array.of(1, 2);
    const x = fromHost(values);
    expect(x.host).toBe(values);
    K.unary('neg', x);
    expect(x.host).toBeNull();
    expect(res.isOnDevice(x)).toBe(true);
    expect(res.uploads).toBe(1);
    // The storage owns its array: nothing should write it, and once uploaded the storage no longer looks at it.
    values[0] = 5;
    const y = K.unary('neg', x);
    const z = K.binary('add', x, [2], y, [2], [2]);
    expect(link.count('upload')).toBe(1);
    expect(res.uploads).toBe(1);
    expect(Array.from(K.read(y))).toEqual([-1, -2]);
    expect(Array.from(K.read(z))).toEqual([0, 0]);
    expect(res.hostArrays).toBe(2); // y's and z's readbacks; none for x
    expect(x.host).toBeNull();
  });

  it('a read storage is re-uploaded at its next device use (whoever holds the array may have written it)', () => {
    const { link, res, K } = setup();
    const y = K.unary('neg', fromHost(Float32Array.of(1, 2)));
    const h = K.read(y);
    expect(Array.from(h)).toEqual([-1, -2]);
    expect(res.isOnDevice(y)).toBe(false);
    h[1] = 10;
    const z = K.unary('neg', y);
    expect(link.count('upload')).toBe(2); // the input's, then y's after its read
    expect(res.uploads).toBe(2);
    expect(y.host).toBeNull(); // uploaded again: the device is current, the host array let go
    expect(res.isOnDevice(y)).toBe(true);
    expect(Array.from(K.read(z))).toEqual([1, -10]);
    // Used again without a read in between: no upload.
    K.unary('neg', y);
    expect(res.uploads).toBe(2);
    expect(Array.from(K.read(y))).toEqual([-1, 10]);
  });

  it('in-place kernels leave the device current; fill uploads nothing', () => {
    const { link, res, K } = setup();
    const g = fromHost(Float32Array.of(7, 7, 7));
    K.fill(g, 0);
    expect(g.host).toBeNull();
    K.accumulate(g, fromHost(Float32Array.of(1, 2, 3)));
    K.accumulate(g, g);
    expect(link.count('upload')).toBe(1); // the src, not g
    expect(res.isOnDevice(g)).toBe(true);
    expect(Array.from(K.read(g))).toEqual([2, 4, 6]);
    expect(res.hostArrays).toBe(1);
  });

  it('release retires the storage: a later use throws', () => {
    const { res, K } = setup();
    const a = K.unary('neg', fromHost(Float32Array.of(1, 2)));
    K.release(a);
    expect(a.released).toBe(true);
    expect(a.host).toBeNull();
    expect(res.isOnDevice(a)).toBe(false);
    const message = releasedError().message;
    expect(() => K.read(a)).toThrow(message);
    expect(() => K.unary('neg', a)).toThrow(message);
    expect(() => K.accumulate(a, a)).toThrow(message);
    K.release(a); // twice: nothing more happens
    expect(a.released).toBe(true);
    // A host storage that never reached the device is retired the same way.
    const h = fromHost(Float32Array.of(3));
    K.release(h);
    expect(h.released).toBe(true);
    expect(h.host).toBeNull();
    expect(() => K.unary('neg', h)).toThrow(message);
    expect(() => K.read(h)).toThrow(message);
    expect(res.hostArrays).toBe(0);
  });

  it('a released buffer id is reused by the next output of that length', () => {
    const { link, res, K } = setup();
    const a = K.unary('neg', fromHost(Float32Array.of(1, 2)));
    const aId = idOf(a);
    expect(aId).toBe(link.outs[0]);
    expect(res.deviceBytes).toBe(2 * 8); // the input and a
    K.release(a);
    expect(res.deviceBytes).toBe(2 * 8); // kept for reuse, not freed
    const b = K.unary('neg', fromHost(Float32Array.of(3, 4)));
    expect(b).not.toBe(a);
    expect(idOf(b)).toBe(aId);
    expect(link.outs[1]).toBe(aId);
    expect(res.deviceBytes).toBe(3 * 8); // one more upload buffer, no new output buffer
    expect(link.count('free')).toBe(0);
    expect(Array.from(K.read(b))).toEqual([-3, -4]);
    // Another length does not take it.
    K.release(b);
    const c = K.unary('neg', fromHost(Float32Array.of(5, 6, 7)));
    expect(idOf(c)).not.toBe(aId);
    expect(Array.from(K.read(c))).toEqual([-5, -6, -7]);
    const d = K.unary('neg', fromHost(Float32Array.of(8, 9)));
    expect(idOf(d)).toBe(aId);
    expect(Array.from(K.read(d))).toEqual([-8, -9]);
  });

  it('drain reads back every storage whose values are on the device', () => {
    const { link, res, K } = setup();
    const x = fromHost(Float32Array.of(1, 2));
    const b = K.unary('neg', x);
    const c = K.unary('neg', b);
    expect(res.deviceArrays).toBe(3); // x (uploaded), b, c
    res.drain();
    expect(res.deviceArrays).toBe(0);
    expect(Array.from(x.host ?? [])).toEqual([1, 2]);
    expect(Array.from(b.host ?? [])).toEqual([-1, -2]);
    expect(Array.from(c.host ?? [])).toEqual([1, 2]);
    expect(link.count('read')).toBe(3);
    expect(res.hostArrays).toBe(3);
  });

  it('what runs on the host says so: pow reads its inputs back, then runs the js kernel', () => {
    const { res, K } = setup();
    const y = K.unary('neg', fromHost(Float32Array.of(2, 3)));
    const p = K.binary('pow', y, [2], fromHost(Float32Array.of(2)), [], [2]);
    expect(res.isOnDevice(p)).toBe(false);
    expect(p.host).not.toBeNull();
    expect(Array.from(K.read(p))).toEqual([4, 9]);
    expect(res.reads).toBe(1);
    expect(res.hostArrays).toBe(1); // y's readback; p was made on the host
  });
});

/**
 * The engine on the fake device, as setBackend('gpu', { mode: 'webgpu' }) runs it on a real one:
 * a backend whose kernels are deviceKernels over this residency (the js kernels under the rest).
 */
describe('residency: a training loop on the fake device', () => {
  const link = new FakeLink();
  const res = new Residency(link);
  registerBackend({
    name: 'fake-device',
    parent: 'js',
    setup: () => ({ name: 'fake-device' }),
    modeKernels: () => deviceKernels(res, link),
    deactivate: () => res.drain(),
  });
  const previous = getBackend();
  afterAll(() => {
    setBackend(previous.name, previous.mode ? { mode: previous.mode } : undefined);
  });

  const problem = (seed: number) => trainingProblem(seed);

  it('holds no host copies of resident tensors; a read makes exactly one; the values are the js backend bits', async () => {
    setBackend('fake-device');
    const p = problem(5);
    await fit({ ...p, epochs: 2 }); // warm: every storage the loop uses now lives on the device
    expect(link.count('run sgd')).toBe(2 * 3 * 10); // the loop ran on the fake device: 2 epochs of 3 steps, 10 parameters
    const before = res.hostArrays;
    const reads = res.reads;
    await fit({ ...p, epochs: 3 });
    expect(res.hostArrays - before).toBe(0); // fit reads no loss
    expect(res.reads - reads).toBe(0);
    const params = p.model.parameters();
    expect(params.length).toBe(10); // 3 linear layers' weight and bias, 2 BatchNorms' weight and bias
    for (const q of params) {
      expect(q.storage.host).toBeNull();
      expect(res.isOnDevice(q.storage)).toBe(true);
      expect(q.grad).not.toBeNull();
      expect((q.grad as Tensor).storage.host).toBeNull();
    }
    // The momentum buffers and BatchNorm's running statistics too.
    const buffers = (p.optimizer as unknown as { buffers: Map<Tensor, Storage> }).buffers;
    expect(buffers.size).toBe(params.length);
    for (const b of buffers.values()) expect(b.host).toBeNull();
    for (const [key, v] of Object.entries(p.model.stateDict()))
      if (v instanceof Tensor) expect(v.storage.host, key).toBeNull();

    const w = params[0];
    const got = Array.from(w.data);
    expect(res.hostArrays - before).toBe(1);
    expect(w.storage.host).not.toBeNull();

    setBackend('js'); // drains the fake device
    const q = problem(5);
    await fit({ ...q, epochs: 2 });
    await fit({ ...q, epochs: 3 });
    expect(got).toEqual(Array.from(q.model.parameters()[0].data));
  });
});
