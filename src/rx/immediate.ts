import { SchedulerAction, SchedulerLike, Subscription } from 'rxjs';

/**
 * A scheduler that runs work on the next turn of Node's event loop
 * (`setImmediate`): after pending I/O and timers, unlike RxJS's `asapScheduler`
 * (a microtask, which starves them) and without `asyncScheduler`'s ~1 ms
 * `setInterval` floor. `batches` yields through it between two batches.
 * Delayed work (`delay > 0`, as `timer` and `interval` ask) waits on `setTimeout`.
 */
export const immediateScheduler: SchedulerLike = {
  now: () => Date.now(),
  schedule<T>(work: (this: SchedulerAction<T>, state?: T) => void, delay = 0, state?: T): Subscription {
    let cancel = (): void => {};
    const action = new Subscription(() => cancel()) as Subscription & SchedulerAction<T>;
    // Rescheduling from inside `work` (this.schedule, as `interval` does) reuses this action, as
    // RxJS's own actions do, so unsubscribing what schedule returned also stops the next run.
    action.schedule = (next?: T, after = 0) => {
      cancel();
      if (action.closed) return action;
      const run = () => {
        if (!action.closed) work.call(action, next);
      };
      if (after > 0) {
        const handle = setTimeout(run, after);
        cancel = () => clearTimeout(handle);
      } else {
        const handle = setImmediate(run);
        cancel = () => clearImmediate(handle);
      }
      return action;
    };
    return action.schedule(state, delay);
  },
};
