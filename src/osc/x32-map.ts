/**
 * The X32 parameter tree bound onto one mixhost layout: every leaf of x32-tree.ts answers a GET
 * (from the bound mixhost parameter, or the console default), a SET becomes writes to mixhost
 * parameters (or is ignored with a reason), and `/node` text is rendered in display units.
 * The correspondence is documented in docs/osc-x32.md.
 *
 * No store dependency: values are read through `read(address)`, writes are returned to the
 * caller, which applies them (with its own source, leases and echo rules).
 */
import type { RemoteLayoutInfo } from '../control/layout-info.js';
import { clampValue, type ParamDescriptor } from '../model/descriptor.js';
import { ParamRegistry } from '../model/registry.js';
import { SOLO_MODES } from '../model/params.js';
import { X32_DYN_RATIOS, type X32Law, type X32Type } from './x32-laws.js';

const SOLO_AFL = SOLO_MODES.indexOf('afl');
const SOLO_PFL = SOLO_MODES.indexOf('pfl');
import { allNodes, pad2, type LeafDef, type NodeDef } from './x32-tree.js';

/** Reads a mixhost parameter's current value in real units. */
export type MixhostReader = (address: string) => number;

export interface X32Write {
  readonly address: string;
  readonly value: number;
}

/** The outcome of a SET on a known leaf. */
export type X32SetResult = { readonly writes: readonly X32Write[] } | { readonly ignored: string };

export interface X32Value {
  /** The OSC argument: a 0..1 float ('f'), an int ('i') or a string ('s'). */
  readonly value: number | string;
  readonly type: X32Type;
  /** The value in display units (dB, Hz, enum index) or the string. */
  readonly display: number | string;
}

export interface X32Tree {
  /** Every leaf address (`/ch/01/mix/fader`), in a stable order (node by node). */
  leaves(): readonly string[];
  /** Every node path (`ch/01/mix`), in the same order. */
  nodes(): readonly string[];
  /** Current value of a leaf, or undefined if the address is not a leaf of the tree. */
  get(address: string): X32Value | undefined;
  /** The law of a leaf (to parse `/` text, to know its OSC type). */
  law(address: string): X32Law | undefined;
  /**
   * A SET with one OSC argument: the mixhost writes, `{ignored}` when the leaf has no mixhost
   * equivalent or the argument does not fit, undefined when the address is not a leaf.
   */
  set(address: string, arg: unknown): X32SetResult | undefined;
  /** `/node` reply text for a node (`ch/01/mix`, with or without leading `/`) or a single leaf; no trailing newline. */
  nodeText(path: string): string | undefined;
  /** Leaf addresses of a node, in `/node` order (for multi-argument SETs on a node address). */
  nodeLeaves(path: string): readonly string[] | undefined;
  /** X32 leaves whose value depends on a mixhost parameter (for change notifications). */
  affected(mixhostAddress: string): readonly string[];
  /** The mixhost parameter a leaf is bound to one-to-one, if any. */
  mixhostOf(address: string): string | undefined;
}

interface Binding {
  /** The one mixhost parameter this leaf follows, when the mapping is one-to-one. */
  readonly mixhost?: string;
  readonly deps: readonly string[];
  read(r: MixhostReader): number | string;
  write(x: number | string): X32SetResult;
}

type BusTarget = { kind: 'aux' | 'fx' | 'group'; n: number } | undefined;

/**
 * Which mixhost bus the X32 mix bus `m` (1..16) stands for: the aux buses first, then the FX
 * sends, then the groups; the rest are unmapped.
 */
export function busTarget(info: RemoteLayoutInfo, m: number): BusTarget {
  const { auxBuses, fxBuses, groups } = info.mix;
  if (m <= auxBuses) return { kind: 'aux', n: m };
  if (m <= auxBuses + fxBuses.length) return { kind: 'fx', n: m - auxBuses };
  if (m <= auxBuses + fxBuses.length + groups) return { kind: 'group', n: m - auxBuses - fxBuses.length };
  return undefined;
}

// X32 EQ types {LCut, LShv, PEQ, VEQ, HShv, HCut} <-> mixhost {peak, lowshelf, highshelf, lowpass, highpass}.
const EQ_X32_TO_MIXHOST = [4, 1, 0, 0, 2, 3];
const EQ_MIXHOST_TO_X32 = [2, 1, 4, 5, 0];
const RATIOS = X32_DYN_RATIOS.map(Number);
/** X32 knee setting n (0..5) <-> a knee n·2 dB wide. */
const KNEE_DB_PER_STEP = 2;

/** Nearest X32 colour index of `#rrggbb`: by hue, white for pale colours, OFF for dark ones. */
export function nearestColour(hex: string | undefined, fallback: number): number {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex ?? '');
  if (!m) return fallback;
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => parseInt(h, 16) / 255);
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  if (max < 0.15) return 0;
  if (max - min < 0.2 * max) return 7;
  const d = max - min;
  let h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
  h = (h * 60 + 360) % 360;
  // RD 0°, YE 60°, GN 120°, CY 180°, BL 240°, MG 300°
  const byHue = [1, 3, 2, 6, 4, 5];
  return byHue[Math.round(h / 60) % 6];
}

export function x32Tree(info: RemoteLayoutInfo, read: MixhostReader): X32Tree {
  const registry = new ParamRegistry(info.mix);
  const bindings = buildBindings(info, registry);
  const nodes = allNodes();
  const leafByAddress = new Map<string, LeafDef>();
  const leafOrder: string[] = [];
  const nodeByPath = new Map<string, NodeDef>();
  const affected = new Map<string, string[]>();
  for (const node of nodes) {
    nodeByPath.set(node.path, node);
    for (const lf of node.leaves) {
      const address = `/${node.path}/${lf.name}`;
      leafByAddress.set(address, lf);
      leafOrder.push(address);
      for (const dep of bindings.get(address)?.deps ?? []) {
        const list = affected.get(dep) ?? [];
        list.push(address);
        affected.set(dep, list);
      }
    }
  }
  const norm = (path: string): string => (path.startsWith('/') ? path : `/${path}`);

  const display = (address: string, lf: LeafDef): number | string => {
    const b = bindings.get(address);
    const v = b ? b.read(read) : lf.def;
    return lf.law.kind === 'string' ? String(v) : lf.law.quantize(Number(v));
  };
  const text = (lf: LeafDef, v: number | string): string => (lf.law.kind === 'string' ? lf.law.text(String(v)) : lf.law.text(Number(v)));

  return {
    leaves: () => leafOrder,
    nodes: () => nodes.map((n) => n.path),
    get(address) {
      const lf = leafByAddress.get(address);
      if (!lf) return undefined;
      const v = display(address, lf);
      const value = lf.law.kind === 'string' ? String(v) : lf.law.toWire(Number(v));
      return { value, type: lf.law.type, display: v };
    },
    law: (address) => leafByAddress.get(address)?.law,
    set(address, arg) {
      const lf = leafByAddress.get(address);
      if (!lf) return undefined;
      const v = lf.law.fromWire(arg);
      if (v === undefined) return { ignored: `value ${describeArg(arg)} does not fit ${address} (${lf.law.kind})` };
      const b = bindings.get(address);
      if (!b) return { ignored: `${address} has no mixhost equivalent` };
      return b.write(v);
    },
    nodeText(path) {
      const p = norm(path);
      const node = nodeByPath.get(p.slice(1));
      if (node) return `${p}${node.leaves.map((lf) => ` ${text(lf, display(`${p}/${lf.name}`, lf))}`).join('')}`;
      const lf = leafByAddress.get(p);
      return lf ? `${p} ${text(lf, display(p, lf))}` : undefined;
    },
    nodeLeaves(path) {
      const p = norm(path);
      return nodeByPath.get(p.slice(1))?.leaves.map((lf) => `${p}/${lf.name}`);
    },
    affected: (mixhostAddress) => affected.get(mixhostAddress) ?? [],
    mixhostOf: (address) => bindings.get(address)?.mixhost,
  };
}

function describeArg(arg: unknown): string {
  return typeof arg === 'string' ? JSON.stringify(arg.slice(0, 40)) : typeof arg === 'number' ? String(arg) : typeof arg;
}

// ---------------------------------------------------------------------------------------------
// bindings

function buildBindings(info: RemoteLayoutInfo, registry: ParamRegistry): Map<string, Binding> {
  const out = new Map<string, Binding>();
  const desc = (address: string): ParamDescriptor | undefined => {
    const i = registry.find(address);
    return i < 0 ? undefined : registry.descriptors[i];
  };
  const write = (address: string, value: number): X32Write => {
    const d = desc(address);
    return { address, value: d ? clampValue(d, value) : value };
  };
  /** One-to-one: X32 display value = toX(mixhost value). */
  const direct = (x32: string, address: string, toX: (v: number) => number = (v) => v, toM: (x: number) => number = (x) => x): void => {
    if (!desc(address)) return;
    out.set(x32, {
      mixhost: address,
      deps: [address],
      read: (r) => toX(r(address)),
      write: (x) => ({ writes: [write(address, toM(Number(x)))] }),
    });
  };
  const inverted = (x32: string, address: string): void => direct(x32, address, (v) => (v >= 0.5 ? 0 : 1), (x) => (x >= 0.5 ? 0 : 1));
  const constant = (x32: string, value: number | string, reason: string, deps: readonly string[] = []): void => {
    out.set(x32, { deps, read: () => value, write: () => ({ ignored: reason }) });
  };
  const sessionName = (x32: string, name: string): void => constant(x32, name.slice(0, 12), 'names are session data: set them in the session');

  info.channels.forEach((strip, i) => {
    const n = i + 1;
    const x = `/ch/${pad2(n)}`;
    const c = `ch/${n}`;
    if (n > 32) return;
    sessionName(`${x}/config/name`, strip.name);
    constant(`${x}/config/color`, nearestColour(strip.color, 3), 'colours are session data: set them in the session');
    direct(`${x}/preamp/trim`, `${c}/trim`);
    direct(`${x}/preamp/invert`, `${c}/polarity`);
    direct(`${x}/preamp/hpon`, `${c}/hpf/on`);
    direct(`${x}/preamp/hpslope`, `${c}/hpf/slope`);
    direct(`${x}/preamp/hpf`, `${c}/hpf/freq`);
    direct(`${x}/gate/on`, `${c}/gate/on`);
    gateMode(out, `${x}/gate/mode`, c, write);
    direct(`${x}/gate/thr`, `${c}/gate/threshold`);
    direct(`${x}/gate/range`, `${c}/gate/range`);
    direct(`${x}/gate/attack`, `${c}/gate/attack`);
    direct(`${x}/gate/hold`, `${c}/gate/hold`);
    direct(`${x}/gate/release`, `${c}/gate/release`);
    direct(`${x}/dyn/on`, `${c}/comp/on`);
    direct(`${x}/dyn/thr`, `${c}/comp/threshold`);
    direct(`${x}/dyn/ratio`, `${c}/comp/ratio`, nearestRatio, (k) => RATIOS[k]);
    direct(`${x}/dyn/knee`, `${c}/comp/knee`, (db) => db / KNEE_DB_PER_STEP, (k) => k * KNEE_DB_PER_STEP);
    direct(`${x}/dyn/mgain`, `${c}/comp/makeup`);
    direct(`${x}/dyn/attack`, `${c}/comp/attack`);
    direct(`${x}/dyn/release`, `${c}/comp/release`);
    direct(`${x}/dyn/filter/on`, `${c}/comp/schpf/on`);
    direct(`${x}/dyn/filter/f`, `${c}/comp/schpf/freq`);
    direct(`${x}/eq/on`, `${c}/eq/on`);
    for (let b = 1; b <= 4; b++) {
      direct(`${x}/eq/${b}/type`, `${c}/eq/${b}/type`, (t) => EQ_MIXHOST_TO_X32[Math.round(t)] ?? 2, (k) => EQ_X32_TO_MIXHOST[k] ?? 0);
      direct(`${x}/eq/${b}/f`, `${c}/eq/${b}/freq`);
      direct(`${x}/eq/${b}/g`, `${c}/eq/${b}/gain`);
      direct(`${x}/eq/${b}/q`, `${c}/eq/${b}/q`);
    }
    inverted(`${x}/mix/on`, `${c}/mute`);
    direct(`/-stat/solosw/${pad2(n)}`, `${c}/solo`);
    direct(`${x}/mix/fader`, `${c}/fader`);
    direct(`${x}/mix/st`, `${c}/main`);
    direct(`${x}/mix/pan`, `${c}/pan`);
    for (let m = 1; m <= 16; m++) channelSend(info, `${x}/mix/${pad2(m)}`, c, m, { direct, constant });
    dcaMask(out, `${x}/grp/dca`, c, info.mix.vcas, write);
  });

  for (let m = 1; m <= 16; m++) {
    const t = busTarget(info, m);
    const x = `/bus/${pad2(m)}`;
    if (!t) continue;
    const p = t.kind === 'aux' ? `bus/${t.n}` : t.kind === 'group' ? `group/${t.n}` : undefined;
    const name = t.kind === 'aux' ? info.auxBuses[t.n - 1]?.name : t.kind === 'group' ? info.groups[t.n - 1]?.name : `${info.fx[t.n - 1]?.name ?? 'FX'} send`;
    sessionName(`${x}/config/name`, name ?? '');
    if (p) {
      inverted(`${x}/mix/on`, `${p}/mute`);
      direct(`${x}/mix/fader`, `${p}/fader`);
      direct(`${x}/mix/pan`, `${p}/pan`);
    }
  }

  info.fx.forEach((fx, i) => {
    const x = `/fxrtn/${pad2(i + 1)}`;
    if (i >= 8) return;
    sessionName(`${x}/config/name`, fx.name);
    inverted(`${x}/mix/on`, `fx/${i + 1}/mute`);
    direct(`${x}/mix/fader`, `fx/${i + 1}/fader`);
    direct(`${x}/mix/pan`, `fx/${i + 1}/pan`);
  });

  // The console's channel solo mode: PFL or AFL (mixhost's SIP reads as AFL: both are after the fader).
  direct('/config/solo/chmode', 'monitor/solo/mode', (m) => (Math.round(m) === SOLO_PFL ? 0 : 1), (k) => (k === 0 ? SOLO_PFL : SOLO_AFL));

  sessionName('/main/st/config/name', info.masterChains[0]?.name ?? '');
  inverted('/main/st/mix/on', 'master/mute');
  direct('/main/st/mix/fader', 'master/fader');
  direct('/main/st/mix/pan', 'master/pan');

  info.vcas.forEach((vca, i) => {
    if (i >= 8) return;
    const x = `/dca/${i + 1}`;
    inverted(`${x}/on`, `vca/${i + 1}/mute`);
    direct(`${x}/fader`, `vca/${i + 1}/fader`);
    sessionName(`${x}/config/name`, vca.name);
  });
  return out;
}

function nearestRatio(ratio: number): number {
  let best = 0;
  for (let k = 1; k < RATIOS.length; k++) {
    if (Math.abs(Math.log(RATIOS[k] / ratio)) < Math.abs(Math.log(RATIOS[best] / ratio))) best = k;
  }
  return best;
}

/** Gate mode: GATE <-> gate; EXP2/3/4 <-> expander at ratio 2/3/4; DUCK is not supported. */
function gateMode(out: Map<string, Binding>, x32: string, c: string, write: (a: string, v: number) => X32Write): void {
  const mode = `${c}/gate/mode`;
  const ratio = `${c}/gate/ratio`;
  out.set(x32, {
    deps: [mode, ratio],
    read: (r) => (r(mode) < 0.5 ? 3 : r(ratio) < 2.5 ? 0 : r(ratio) < 3.5 ? 1 : 2),
    write(x) {
      const k = Number(x);
      if (k === 3) return { writes: [write(mode, 0)] };
      if (k <= 2) return { writes: [write(mode, 1), write(ratio, k + 2)] };
      return { ignored: 'ducking is not supported by the mixhost gate' };
    },
  });
}

/** `/ch/NN/grp/dca` bit V-1 <-> `ch/N/vca/V` (VCAs beyond 8 are not reachable). */
function dcaMask(out: Map<string, Binding>, x32: string, c: string, vcas: number, write: (a: string, v: number) => X32Write): void {
  const count = Math.min(vcas, 8);
  const addresses = Array.from({ length: count }, (_, v) => `${c}/vca/${v + 1}`);
  out.set(x32, {
    deps: addresses,
    read: (r) => addresses.reduce((mask, a, v) => (r(a) >= 0.5 ? mask | (1 << v) : mask), 0),
    write: (x) => ({ writes: addresses.map((a, v) => write(a, (Number(x) >> v) & 1)) }),
  });
}

interface BindHelpers {
  direct(x32: string, address: string, toX?: (v: number) => number, toM?: (x: number) => number): void;
  constant(x32: string, value: number | string, reason: string, deps?: readonly string[]): void;
}

/**
 * Send `/ch/NN/mix/MM/*`: to an aux bus or an FX bus the level and (odd sends) the tap follow
 * the mixhost send, `on` is always ON (mixhost sends have no switch of their own); to a group
 * bus `on` is the channel's group assignment and the level stays at 0 dB.
 */
function channelSend(info: RemoteLayoutInfo, x: string, c: string, m: number, h: BindHelpers): void {
  const t = busTarget(info, m);
  if (!t) return;
  if (t.kind === 'group') {
    h.direct(`${x}/on`, `${c}/group/${t.n}`);
    h.constant(`${x}/level`, 0, 'a group assignment has no send level in mixhost');
    return;
  }
  const p = t.kind === 'aux' ? `${c}/send/${t.n}` : `${c}/fx/${t.n}`;
  h.constant(`${x}/on`, 1, 'mixhost sends have no on switch: pull the send level down instead');
  h.direct(`${x}/level`, `${p}/level`);
  if (m % 2 === 1) h.direct(`${x}/type`, `${p}/pre`, (pre) => (pre >= 0.5 ? 3 : 4), (k) => (k <= 3 ? 1 : 0));
}

