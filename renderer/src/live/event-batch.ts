/** What the batcher schedules with: animation frames, and a timer for when frames stop (a hidden tab). */
export interface BatchScheduler {
  requestFrame(callback: () => void): unknown;
  cancelFrame(handle: unknown): void;
  setTimer(callback: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

/** The page's scheduler: requestAnimationFrame where there is one, timers otherwise. */
export function browserScheduler(): BatchScheduler {
  const raf = typeof requestAnimationFrame === 'function';
  return {
    requestFrame: (cb) => (raf ? requestAnimationFrame(() => cb()) : setTimeout(cb, 16)),
    cancelFrame: (h) => (raf ? cancelAnimationFrame(h as number) : clearTimeout(h as ReturnType<typeof setTimeout>)),
    setTimer: (cb, ms) => setTimeout(cb, ms),
    clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
  };
}

/** A queue that hands its items over in one batch per animation frame. */
export interface EventBatcher<T> {
  push(item: T): void;
  /** Hands over what is queued now (tests, and before a refetch that must see every event). */
  flushNow(): void;
  dispose(): void;
}

/**
 * Collects items (run events) and calls `flush` once per animation frame with all that arrived,
 * so a burst of 40 events a second costs one store update and at most one render per frame.
 * Browsers stop animation frames in hidden tabs; the timer hands a batch over after `maxDelayMs`
 * then, so nothing piles up.
 */
export function createEventBatcher<T>(flush: (batch: T[]) => void, scheduler: BatchScheduler = browserScheduler(), maxDelayMs = 250): EventBatcher<T> {
  let queue: T[] = [];
  let frame: unknown = null;
  let timer: unknown = null;
  const run = (): void => {
    if (frame !== null) scheduler.cancelFrame(frame);
    if (timer !== null) scheduler.clearTimer(timer);
    frame = null;
    timer = null;
    if (queue.length === 0) return;
    const batch = queue;
    queue = [];
    flush(batch);
  };
  return {
    push(item) {
      queue.push(item);
      if (frame === null) frame = scheduler.requestFrame(run);
      if (timer === null) timer = scheduler.setTimer(run, maxDelayMs);
    },
    flushNow: run,
    dispose() {
      if (frame !== null) scheduler.cancelFrame(frame);
      if (timer !== null) scheduler.clearTimer(timer);
      frame = null;
      timer = null;
      queue = [];
    },
  };
}
