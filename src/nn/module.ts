import { Tensor } from '../tensor';
import { Parameter } from './parameter';
import { formatShape } from '../backend/shape';

/** One state-dict entry: a parameter or buffer tensor, or a number buffer such as `num_batches_tracked`. */
export type StateValue = Tensor | number;
/** A module's parameters and buffers by PyTorch's dotted key (`linear1.weight`), as `state_dict()`. */
export type StateDict = Record<string, StateValue>;

/**
 * Base class of every layer, as torch.nn.Module. Subclasses register their
 * parameters, buffers and submodules by name; names are PyTorch's, so state
 * dicts carry PyTorch's keys (`linear1.weight`, `normalize1.running_mean`).
 * A registered name maps to a property read at call time, so `bn.weight`
 * and `stateDict()['weight']` are always the same object.
 *
 * @example
 * ```ts
 * import { nn, randn, Tensor } from 'rxnn';
 * class Net extends nn.Module {
 *   fc1 = this.registerModule('fc1', new nn.Linear(2, 4));
 *   fc2 = this.registerModule('fc2', new nn.Linear(4, 1));
 *   forward(x: Tensor): Tensor {
 *     return this.fc2.forward(this.fc1.forward(x).relu());
 *   }
 * }
 * const net = new Net();
 * Object.keys(net.stateDict()); // ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
 * net.forward(randn(5, 2)).shape; // [5, 1]
 * ```
 */
export abstract class Module {
  /**
   * Train (true, the default) or eval mode, as PyTorch's `training`; set it with {@link Module.train} or {@link
   * Module.eval}.
   */
  training = true;
  private readonly paramProps = new Map<string, string>();
  private readonly bufferProps = new Map<string, string>();
  private readonly children_ = new Map<string, Module>();

  /**
   * The computation, as PyTorch's `forward`: call it directly (`model.forward(x)`); it records the graph while grad
   * mode is on.
   */
  abstract forward(...inputs: Tensor[]): Tensor;

  /** Registers property `prop` (default: `name`) as parameter `name`; its value is a Parameter or null. */
  protected registerParameter(name: string, prop = name): void {
    this.paramProps.set(name, prop);
  }

  /** Registers property `prop` as buffer `name` (a Tensor, a number such as a counter, or null). */
  protected registerBuffer(name: string, prop = name): void {
    this.bufferProps.set(name, prop);
  }

  /** Registers `module` as child `name` and returns it. */
  registerModule<M extends Module>(name: string, module: M): M {
    this.children_.set(name, module);
    return module;
  }

  /** The value of a registered parameter or buffer property (null where a module has none, e.g. bias=false). */
  private prop(prop: string): StateValue | null | undefined {
    return (this as unknown as Record<string, StateValue | null | undefined>)[prop];
  }

  /** Parameters of this module and its descendants, in registration order, each once. */
  parameters(): Parameter[] {
    return [...new Set(this.namedParameters().map(([, p]) => p))];
  }

  /**
   * Parameters with their dotted names, depth-first. A parameter reachable twice (a module
   * or weight shared between layers) is listed once, under its first name, as in PyTorch.
   */
  namedParameters(prefix = ''): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    const seen = new Set<Parameter>();
    for (const [path, m] of this.namedModules(prefix.endsWith('.') ? prefix.slice(0, -1) : prefix)) {
      for (const [name, prop] of m.paramProps) {
        const p = m.prop(prop) as Parameter | null | undefined;
        if (!p || seen.has(p)) continue;
        seen.add(p);
        out.push([path ? `${path}.${name}` : name, p]);
      }
    }
    return out;
  }

  /** Every registration in order, a module registered under two names twice (Sequential runs them all). */
  protected registeredModules(): Module[] {
    return [...this.children_.values()];
  }

  /** Direct submodules, in registration order, each once. */
  children(): Module[] {
    return this.namedChildren().map(([, m]) => m);
  }

  /** (name, module) pairs of the direct submodules, in registration order, each module once, as `named_children()`. */
  namedChildren(): [string, Module][] {
    const seen = new Set<Module>();
    return [...this.children_].filter(([, m]) => !seen.has(m) && !!seen.add(m));
  }

  /** This module first, then every descendant depth-first in registration order, each once. */
  modules(): Module[] {
    return this.namedModules().map(([, m]) => m);
  }

  /** (dotted name, module) pairs, depth-first; a module reachable twice is listed once, under its first name. */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const walk = (m: Module, path: string) => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([path, m]);
      for (const [name, child] of m.children_) walk(child, path ? `${path}.${name}` : name);
    };
    walk(this, prefix);
    return out;
  }

  /** Sets training mode on this module and every descendant. */
  train(mode = true): this {
    if (typeof mode !== 'boolean') throw new Error(`train: mode must be a boolean, got ${JSON.stringify(mode)}`);
    for (const m of this.modules()) m.training = mode;
    return this;
  }

  /** Evaluation mode for this module and every descendant, as `eval()`: the same as `train(false)`; returns this. */
  eval(): this {
    return this.train(false);
  }

  /** Parameters then buffers of each module, depth-first, as PyTorch orders state_dict. */
  stateDict(prefix = ''): StateDict {
    const out: StateDict = {};
    for (const [name, prop] of this.paramProps) {
      const p = this.prop(prop);
      if (p) out[prefix + name] = p;
    }
    for (const [name, prop] of this.bufferProps) {
      const b = this.prop(prop);
      if (b !== null && b !== undefined) out[prefix + name] = b;
    }
    for (const [name, child] of this.children_) Object.assign(out, child.stateDict(`${prefix}${name}.`));
    return out;
  }

  /**
   * Copies `sd` into this module's parameters and buffers (in place, so
   * optimizers keep their references). Strict by default: missing, unexpected
   * and wrongly shaped entries are all collected into one error, and nothing
   * is written unless every entry fits. Tensor entries may be Tensors or
   * `{shape, data}` objects (a state dict read back from JSON).
   */
  loadStateDict(
    sd: Record<string, unknown>,
    opts: { strict?: boolean } = {},
  ): {
    /** Keys this module has that `sd` lacks (left unchanged; an error when strict). */
    missingKeys: string[];
    /** Keys of `sd` this module does not have (ignored; an error when strict). */
    unexpectedKeys: string[];
  } {
    const strict = opts.strict ?? true;
    const own = this.stateDict();
    const missing = Object.keys(own).filter((k) => !(k in sd));
    const unexpected = Object.keys(sd).filter((k) => !(k in own));
    const problems: string[] = [];
    const writes: (() => void)[] = [];
    for (const [key, target] of Object.entries(own)) {
      if (!(key in sd)) continue;
      const value = sd[key];
      if (typeof target === 'number') {
        const v = typeof value === 'number' ? value : value instanceof Tensor && value.size === 1 ? value.item() : NaN;
        if (!Number.isInteger(v) || v < 0)
          problems.push(`${key}: expected a non-negative integer, got ${JSON.stringify(value)}`);
        else writes.push(() => this.setBuffer(key, v));
        continue;
      }
      const src = asTensorLike(value);
      if (!src) {
        problems.push(`${key}: expected a tensor of shape ${formatShape(target.shape)}, got ${typeof value}`);
      } else if (src.shape.join() !== target.shape.join()) {
        problems.push(
          `size mismatch for ${key}: copying a param with shape ${formatShape(src.shape)}, the shape in current model is ${formatShape(target.shape)}`,
        );
      } else if (src.data.length !== target.size) {
        problems.push(
          `${key}: shape ${formatShape(src.shape)} needs ${target.size} values, data has ${src.data.length}`,
        );
      } else {
        // JSON data: numbers, or "NaN", "Infinity", "-Infinity", "-0" (which JSON lacks); nothing else is coerced.
        const bad = Array.isArray(src.data)
          ? src.data.findIndex((x) => typeof x !== 'number' && !NON_FINITE.has(x))
          : -1;
        if (bad >= 0)
          problems.push(
            `${key}: data[${bad}] must be a number or "NaN", "Infinity", "-Infinity", "-0", got ${JSON.stringify(src.data[bad]) ?? 'undefined'}`,
          );
        else writes.push(() => target.data.set(Array.isArray(src.data) ? src.data.map(Number) : src.data));
      }
    }
    if (problems.length || (strict && (missing.length || unexpected.length))) {
      const parts = [
        ...(strict && missing.length
          ? [`Missing key(s) in state_dict: ${missing.map((k) => `"${k}"`).join(', ')}.`]
          : []),
        ...(strict && unexpected.length
          ? [`Unexpected key(s) in state_dict: ${unexpected.map((k) => `"${k}"`).join(', ')}.`]
          : []),
        ...problems,
      ];
      throw new Error(`Error(s) in loading state_dict for ${this.constructor.name}:\n\t${parts.join('\n\t')}`);
    }
    for (const w of writes) w();
    return { missingKeys: missing, unexpectedKeys: unexpected };
  }

  /** Writes a number-valued buffer (e.g. num_batches_tracked) addressed by its dotted key. */
  private setBuffer(key: string, value: number): void {
    const path = key.split('.');
    const m = path.slice(0, -1).reduce<Module>((at, name) => at.children_.get(name)!, this);
    (m as unknown as Record<string, StateValue>)[m.bufferProps.get(path[path.length - 1])!] = value;
  }

  /** Extra text inside the repr's parentheses, as PyTorch's extra_repr. */
  extraRepr(): string {
    return '';
  }

  /** PyTorch's repr: `Name(extra)` or a nested listing of the children. */
  toString(): string {
    const name = this.constructor.name;
    if (this.children_.size === 0) return `${name}(${this.extraRepr()})`;
    const lines = [
      ...(this.extraRepr() ? [this.extraRepr()] : []),
      ...[...this.children_].map(([n, m]) => `(${n}): ${m.toString().replace(/\n/g, '\n  ')}`),
    ];
    return `${name}(\n  ${lines.join('\n  ')}\n)`;
  }
}

const NON_FINITE = new Set<unknown>(['NaN', 'Infinity', '-Infinity', '-0']);

function asTensorLike(v: unknown): { shape: readonly number[]; data: ArrayLike<number> } | null {
  if (v instanceof Tensor) return v;
  if (
    v &&
    typeof v === 'object' &&
    Array.isArray((v as { shape?: unknown }).shape) &&
    (Array.isArray((v as { data?: unknown }).data) || ArrayBuffer.isView((v as { data?: unknown }).data))
  ) {
    return v as { shape: number[]; data: number[] };
  }
  return null;
}
