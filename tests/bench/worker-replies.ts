/** The messages of a benchmark's server worker, taken by type as they come. */
import type { Worker } from 'node:worker_threads';

export type Reply = { type: string; [k: string]: unknown };

/** `reply(type)` resolves with the first message of `type` the worker sent (waiting for it). */
export function workerReplies(worker: Worker): (type: string) => Promise<Reply> {
  const replies: Reply[] = [];
  let wake: (() => void) | undefined;
  worker.on('message', (m: Reply) => {
    replies.push(m);
    wake?.();
  });
  return async (type) => {
    for (;;) {
      const i = replies.findIndex((r) => r.type === type);
      if (i >= 0) return replies.splice(i, 1)[0];
      await new Promise<void>((r) => (wake = r));
    }
  };
}
