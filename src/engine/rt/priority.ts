/**
 * Real-time scheduling for the render thread, as audio programs do (JACK, Ardour): the thread
 * that must finish each block before the device needs it runs under SCHED_FIFO, above every
 * normal thread of the machine, when the system allows it (root, CAP_SYS_NICE, or an rtprio
 * limit such as the `audio` group's in /etc/security/limits.d).
 *
 * Node has no call for a thread's scheduling, but Linux names the calling thread in
 * /proc/thread-self, and util-linux's `chrt` sets the policy of any thread id. Without that
 * (another system, no chrt, not permitted), the thread's nice value is lowered instead if
 * possible, and the result says what was done. The render thread sleeps between blocks (it waits
 * for the device or its clock), so a real-time policy cannot starve the machine.
 */
import { spawnSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';

export interface PriorityResult {
  /** The SCHED_FIFO priority the thread now has, or null. */
  readonly realtime: number | null;
  /** What was done, or why not (for status and the start-up line). */
  readonly detail: string;
}

function threadId(): string | undefined {
  try {
    return /task\/(\d+)$/.exec(readlinkSync('/proc/thread-self'))?.[1];
  } catch {
    return undefined;
  }
}

/** Give the calling thread SCHED_FIFO at `priority` (1-99); 0 leaves its scheduling alone. */
export function raiseThreadPriority(priority: number): PriorityResult {
  if (priority === 0) return { realtime: null, detail: 'normal scheduling (real-time priority switched off)' };
  if (!(Number.isInteger(priority) && priority >= 1 && priority <= 99)) throw new RangeError(`real-time priority ${priority}: 1 to 99, or 0 for none`);
  if (process.platform !== 'linux') return { realtime: null, detail: 'normal scheduling (real-time priority is set on Linux only)' };
  const tid = threadId();
  if (tid === undefined) return { realtime: null, detail: 'normal scheduling (/proc/thread-self is not readable)' };
  const fifo = spawnSync('chrt', ['-f', '-p', String(priority), tid], { encoding: 'utf8', timeout: 2000 });
  if (fifo.status === 0) return { realtime: priority, detail: `SCHED_FIFO priority ${priority}` };
  const why = fifo.error ? 'chrt was not found' : (fifo.stderr.trim().split('\n').pop() ?? `chrt exited with ${fifo.status}`);
  const nice = spawnSync('renice', ['-n', '-11', '-p', tid], { encoding: 'utf8', timeout: 2000 });
  return { realtime: null, detail: `normal scheduling${nice.status === 0 ? ', nice -11' : ''} (no real-time priority: ${why})` };
}
