import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';

/** A TestScheduler that compares frames with vitest's deep equality. */
export const marbles = (): TestScheduler => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
