/**
 * Moves the app's clock `ms` past real time by faking only `Date`, which the service reads for
 * every expiry decision; timers, sockets and the database drivers keep running in real time.
 * Undo with jest.useRealTimers().
 */
export function moveClockBy(ms: number): void {
  jest.useRealTimers();
  jest.useFakeTimers({
    now: Date.now() + ms,
    advanceTimers: true,
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
}
