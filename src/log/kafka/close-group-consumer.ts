import { setTimeout as sleep } from 'node:timers/promises';

export interface CloseRetry {
  /** Tries at most (a stop must end). */
  attempts: number;
  /** Between two tries. */
  waitMs: number;
  onError: (err: unknown) => void;
}

/**
 * Closes a consumer-group member until it is closed. @platformatic/kafka
 * marks a client open again when leaving the group fails with anything but
 * a lost connection (a coordinator still loading after its broker restarted
 * answers with an error); a join under way then completes, and the dropped
 * client holds partitions of the group that nobody reads. Tried again until
 * the close succeeds or the attempts run out.
 */
export async function closeGroupConsumer(close: () => Promise<void>, retry: CloseRetry): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await close();
      return true;
    } catch (err) {
      retry.onError(err);
      if (attempt >= retry.attempts) return false;
      await sleep(retry.waitMs);
    }
  }
}
