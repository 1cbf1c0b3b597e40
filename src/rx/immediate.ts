import { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';

/**
 * A scheduler that runs work on the next turn of Node's event loop
 * (`setImmediate`): after pending I/O and timers, unlike RxJS's `asapScheduler`
 * (a microtask, which starves them) and without `asyncScheduler`'s ~1 ms
 * `setInterval` floor. `batches` yields through it between two batches.
 */
export const immediateScheduler: SchedulerLike = {
  now: () => Date.now(),
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, _delay?: number, state?: T): Subscription {
    const action = new Subscription(() => clearImmediate(handle)) as Subscription & SchedulerAction<T>;
    // Rescheduling from inside `work` (this.schedule) gets a fresh action.
    action.schedule = (next?: T) => immediateScheduler.schedule(work, 0, next);
    const handle = setImmediate(() => {
      if (!action.closed) work.call(action, state);
    });
    return action;
  },
};
