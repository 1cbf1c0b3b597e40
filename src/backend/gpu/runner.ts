import { GpuMode, loadGpuJs } from './modes';
import { KernelSpec, SOURCES } from './sources';

/**
 * Compiles each (kernel, shape) once and keeps it: an epoch's last, smaller
 * batch compiles on its first epoch only. The cache holds at most
 * MAX_KERNELS compiled kernels; past that the least recently used is destroyed.
 */
export interface Runner {
  readonly mode: GpuMode;
  run(spec: KernelSpec, args: Float32Array[]): Float32Array;
  /** Kernels compiled so far (for tests: a repeated shape must not recompile). */
  readonly compiles: number;
  readonly cached: number;
}

export const MAX_KERNELS = 256;

type Compiled = ((...args: Float32Array[]) => Float32Array) & { destroy?(removeCanvasReferences?: boolean): void };

/** Runs gpu.js kernels in this thread: modes cpu, webasm and headlessgl. */
export class InProcessRunner implements Runner {
  private readonly gpu: InstanceType<ReturnType<typeof loadGpuJs>['GPU']>;
  private readonly cache = new Map<string, Compiled>();
  compiles = 0;

  constructor(readonly mode: GpuMode) {
    const { GPU } = loadGpuJs();
    this.gpu = new GPU({ mode });
  }

  get cached(): number {
    return this.cache.size;
  }

  run(spec: KernelSpec, args: Float32Array[]): Float32Array {
    let k = this.cache.get(spec.key);
    if (k) {
      // Re-insert: Map order is then least recently used first.
      this.cache.delete(spec.key);
      this.cache.set(spec.key, k);
    } else {
      k = this.gpu.createKernel(SOURCES[spec.source], {
        output: [spec.output],
        constants: spec.constants,
        loopMaxIterations: Math.max(1, spec.loopMax),
        precision: 'single',
        tactic: 'precision',
      } as never) as unknown as Compiled;
      this.compiles++;
      this.cache.set(spec.key, k);
      if (this.cache.size > MAX_KERNELS) {
        const [oldKey, old] = this.cache.entries().next().value as [string, Compiled];
        this.cache.delete(oldKey);
        old.destroy?.();
      }
    }
    const out = k(...args);
    // gpu.js returns a fresh Float32Array per call on these modes; copy otherwise.
    return out instanceof Float32Array && out.length === spec.output
      ? out
      : Float32Array.from(out as ArrayLike<number>);
  }
}
