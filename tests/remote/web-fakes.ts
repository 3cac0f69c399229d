/** A manual clock and a scripted WebSocket for the web remote's pure logic (no browser). */
import type { Clock, SocketLike } from '../../web-remote/src/connection.js';

export class FakeClock implements Clock {
  t = 0;
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  now(): number {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.timers.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.timers.delete(h as number);
  }
  /** Run every timer due up to now + ms, in time order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= end && (next === undefined || e[1].at < next[1].at)) next = e;
      if (next === undefined) break;
      this.timers.delete(next[0]);
      this.t = next[1].at;
      next[1].fn();
    }
    this.t = end;
  }
  pending(): number[] {
    return [...this.timers.values()].map((x) => x.at - this.t).sort((a, b) => a - b);
  }
}

export class FakeSocket implements SocketLike {
  binaryType = 'blob';
  readyState = 0;
  sent: Array<Record<string, unknown>> = [];
  closedWith: number | undefined;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(JSON.parse(data) as Record<string, unknown>);
  }
  close(code?: number): void {
    this.closedWith = code ?? 1000;
    this.readyState = 3;
  }
  // server side
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }
  receive(msg: object | ArrayBuffer): void {
    this.onmessage?.({ data: msg instanceof ArrayBuffer ? msg : JSON.stringify(msg) });
  }
  serverClose(code: number): void {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

export const LAYOUT = {
  mix: { channels: [{ stereo: false }, { stereo: true }], auxBuses: 2, fxBuses: ['reverb'], groups: 1, vcas: 1, masterChains: 1 },
  channels: [{ name: 'Kick', color: '#d04040' }, { name: 'Keys' }],
  auxBuses: [{ name: 'Drummer IEM' }, { name: 'Wedge' }],
  fx: [{ name: 'Plate', kind: 'reverb' }],
  groups: [{ name: 'Drums' }],
  vcas: [{ name: 'Band' }],
  masterChains: [{ name: 'master' }],
};

export function welcome(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'welcome', protocol: 1, client: 'ws:7', role: 'engineer', epoch: 'e1', seq: 100, resumed: false, heartbeatMs: 5000, layout: LAYOUT, ...over };
}
