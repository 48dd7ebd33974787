/**
 * Runs `fn` up to `attempts` times, waiting `delayMs`, then twice as long, between tries; the last failure is thrown.
 * For steps whose failure is usually a passing database hiccup (a pool connection timing out under load) and whose
 * loss would cost more than the wait: handing a busy machine's job back to the queue.
 */
export async function withRetries<T>(
  fn: () => Promise<T>,
  o: { attempts: number; delayMs: number; onRetry?: (e: Error, attempt: number) => void },
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (attempt >= o.attempts) throw e;
      o.onRetry?.(e as Error, attempt);
      await new Promise((r) => setTimeout(r, o.delayMs * 2 ** (attempt - 1)));
    }
  }
}
