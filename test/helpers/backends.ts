import { afterAll, beforeAll, describe } from 'vitest';
import { getBackend, setBackend } from '../../src';
import { availableBackends } from '../../src/backend/available';

/** Every backend (and gpu.js mode) that runs on this machine; the engine's specs run on each. */
export function backendsUnderTest(): { label: string; name: string; options?: unknown }[] {
  return availableBackends();
}

/** Runs `body` once per available backend, with that backend active for its tests. */
export function forEachBackend(body: (label: string) => void): void {
  for (const b of backendsUnderTest()) {
    describe(`backend ${b.label}`, () => {
      let previous = getBackend();
      beforeAll(() => {
        previous = getBackend();
        setBackend(b.name, b.options);
      });
      afterAll(() => {
        setBackend(previous.name, previous.mode ? { mode: previous.mode } : undefined);
      });
      body(b.label);
    });
  }
}
