/**
 * Whether operations record the graph for backward. Like torch.no_grad, the
 * switch is global and restored even when `fn` throws.
 */
let enabled = true;

/** Whether grad mode is on (operations record the graph), as `torch.is_grad_enabled`; off inside {@link noGrad}. */
export function isGradEnabled(): boolean {
  return enabled;
}

/** Runs `fn` with grad mode set to `flag`, restoring the previous mode afterwards. */
function withGradMode<T>(flag: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = flag;
  try {
    return fn();
  } finally {
    enabled = prev;
  }
}

/**
 * Runs `fn` without recording gradients (PyTorch's `with torch.no_grad()`).
 *
 * @example
 * ```ts
 * import { noGrad, tensor } from 'rxnn';
 * const w = tensor([1, 2], { requiresGrad: true });
 * w.mul(2).requiresGrad; // true
 * noGrad(() => w.mul(2)).requiresGrad; // false: nothing recorded
 * ```
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with gradient recording on, e.g. inside a noGrad block. */
export function enableGrad<T>(fn: () => T): T {
  return withGradMode(true, fn);
}
