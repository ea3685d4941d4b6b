// Why: while a WebGPU promise is pending (a read-back's mapAsync), Dawn for Node re-polls its
// events with setImmediate, back to back: the waiting thread spins a core at 100 %. On a GPU that
// is a wasted core per training thread; on SwiftShader, which computes on those same cores, it
// took half the machine. Dawn looks setImmediate up on the global object each time, so this
// thread's global setImmediate hands Dawn's poll (a native function, no arguments) to a 1 ms timer.

const MARK = Symbol.for('colt-lab.dawn-polling');

/** Whether `f` is a function implemented in C++ (Dawn's poll callback is one). */
function isNative(f: unknown): boolean {
  return typeof f === 'function' && Function.prototype.toString.call(f).includes('[native code]');
}

/** Spaces Dawn's event polling on this thread by `intervalMs` (idempotent); other setImmediate calls are untouched. */
export function throttleDawnPolling(intervalMs = 1): void {
  const g = globalThis as unknown as { setImmediate: (cb: (...a: unknown[]) => void, ...args: unknown[]) => unknown; [MARK]?: true };
  if (g[MARK]) return;
  const immediate = g.setImmediate;
  const throttled = (cb: (...a: unknown[]) => void, ...args: unknown[]): unknown =>
    args.length === 0 && isNative(cb) && cb.name === '' ? setTimeout(cb, intervalMs) : immediate(cb, ...args);
  // util.promisify(setImmediate) keeps working through the original's properties.
  Object.defineProperties(throttled, Object.getOwnPropertyDescriptors(immediate));
  g.setImmediate = throttled;
  g[MARK] = true;
}
