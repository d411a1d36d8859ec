/**
 * Waits `ms` milliseconds (0 for a negative or non-finite value). With a
 * `signal`, an abort ends the wait at once: the promise rejects with the
 * signal's reason (an AbortError unless the caller gave another), as
 * `signal.throwIfAborted()` would; an already aborted signal rejects without
 * waiting. The timer is cleared on abort, so nothing keeps the process alive.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  const wait = Number.isFinite(ms) && ms > 0 ? ms : 0;
  if (!signal) return new Promise((resolve) => setTimeout(resolve, wait));
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, wait);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new DOMException('The operation was aborted', 'AbortError');
}
