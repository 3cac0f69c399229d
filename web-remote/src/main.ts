/**
 * The web remote's entry point: the link, the state and the shell, wired together.
 */
import { App } from './app.js';
import { Link, type Clock, type HelloFields, type SocketLike } from './connection.js';
import { RemoteState } from './state.js';

const clock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (h) => window.clearTimeout(h as number),
};

function wsUrl(): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
}

function start(): void {
  let app: App | undefined;
  const state: RemoteState = new RemoteState({
    send: (msg): boolean => link.send(msg),
    navigate: (view) => app?.navigate(view),
    timers: clock,
  });
  const link: Link = new Link({
    url: wsUrl(),
    createSocket: (url) => new WebSocket(url) as unknown as SocketLike,
    clock,
    hello: (): HelloFields => ({ name: app?.name, epoch: state.epoch, lastSeq: state.lastSeq }),
    onMessage: (msg) => state.handle(msg),
    onFrame: (buf) => state.frame(buf),
    onStatus: (s) => {
      state.setConnection(s.state);
      app?.status(s);
    },
  });
  app = new App(document.body, state, {
    onRename: () => {
      link.stop();
      link.start();
    },
  });

  // Wake at once from sleep, the back-forward cache, or a network change.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') link.wake();
  });
  window.addEventListener('pageshow', () => link.wake());
  window.addEventListener('online', () => link.wake());
  window.addEventListener('focus', () => link.wake());

  // A long press must not open the context menu on a control; pinch must not zoom the console.
  document.addEventListener('contextmenu', (e) => {
    if ((e.target as Element | null)?.closest?.('.slider, .btn')) e.preventDefault();
  });
  document.addEventListener('gesturestart', (e) => e.preventDefault());

  keepScreenOn();
  link.start();
}

/** Ask the tablet not to dim its screen while the remote is open (where the browser allows it). */
function keepScreenOn(): void {
  const nav = navigator as Navigator & { wakeLock?: { request(type: 'screen'): Promise<unknown> } };
  if (nav.wakeLock === undefined) return;
  const request = (): void => {
    nav.wakeLock?.request('screen').catch(() => undefined);
  };
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') request();
  });
  document.addEventListener('pointerdown', request, { once: true });
  request();
}

start();
