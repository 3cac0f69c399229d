/**
 * The X32 parameter tree as the console has it, with the console's own defaults: which nodes
 * exist (`ch/01/mix`, `bus/03/dyn`...), which leaves each node holds, in the order a `/node` reply
 * prints them, and each leaf's law. Nothing here knows mixhost; x32-map.ts binds leaves to
 * mixhost parameters. Leaf order follows X32doc's tables and the scene-file node lines.
 */
import { LAWS as L, LEVEL_OFF_DB, bitmapLaw, enumLaw, intLaw, linf, logf, fixed, freqText, stringLaw, type X32Law } from './x32-laws.js';

export interface LeafDef {
  readonly name: string;
  readonly law: X32Law;
  /** Default in display units (dB, Hz, enum index...) or the string. */
  readonly def: number | string;
}

export interface NodeDef {
  /** Node path without the leading slash, as `/node` takes it: `ch/01/mix`. */
  readonly path: string;
  readonly leaves: readonly LeafDef[];
}

export const X32_CHANNELS = 32;
export const X32_AUXINS = 8;
export const X32_FXRTNS = 8;
export const X32_BUSES = 16;
export const X32_MATRICES = 6;
export const X32_DCAS = 8;
export const X32_HEADAMPS = 128;

export const pad2 = (n: number): string => String(n).padStart(2, '0');
const leaf = (name: string, law: X32Law, def: number | string): LeafDef => ({ name, law, def });
const off = (name: string): LeafDef => leaf(name, L.onOff, 0);

/** Colour a strip kind shows when the session gives none. */
export const DEFAULT_COLOUR = { ch: 3, auxin: 2, fxrtn: 5, bus: 6, mtx: 4, main: 7, dca: 7 } as const; // YE GN MG CY BL WH WH

function config(prefix: string, colour: number, source?: number): NodeDef {
  const leaves = [leaf('name', L.name, ''), leaf('icon', L.icon, 1), leaf('color', L.colour, colour)];
  if (source !== undefined) leaves.push(leaf('source', L.source, source));
  return { path: `${prefix}/config`, leaves };
}

function eqBands(prefix: string, bands: number): NodeDef[] {
  // Bands default to PEQ at 0 dB, spread over the range.
  const freqs = bands === 4 ? [124.7, 496.6, 1978, 7879] : [124.7, 198.1, 496.6, 1978, 4977, 7879];
  const type = bands === 4 ? L.eqType : L.eq6Type;
  const out: NodeDef[] = [{ path: `${prefix}/eq`, leaves: [off('on')] }];
  for (let b = 1; b <= bands; b++) {
    out.push({
      path: `${prefix}/eq/${b}`,
      leaves: [leaf('type', type, 2), leaf('f', L.freq, L.freq.quantize(freqs[b - 1])), leaf('g', L.eqGain, 0), leaf('q', L.eqQ, L.eqQ.quantize(2))],
    });
  }
  return out;
}

function dyn(prefix: string, withKey: boolean): NodeDef[] {
  const leaves = [
    off('on'),
    leaf('mode', L.dynMode, 0),
    leaf('det', L.dynDet, 0),
    leaf('env', L.dynEnv, 1),
    leaf('thr', L.dynThr, 0),
    leaf('ratio', L.dynRatio, 5),
    leaf('knee', L.knee, 0),
    leaf('mgain', L.mgain, 0),
    leaf('attack', L.attack, 10),
    leaf('hold', L.hold, L.hold.quantize(10)),
    leaf('release', L.release, L.release.quantize(151)),
    leaf('pos', L.prePost, 1),
  ];
  if (withKey) leaves.push(leaf('keysrc', L.source, 0));
  leaves.push(leaf('mix', L.dynMix, 100), off('auto'));
  return [
    { path: `${prefix}/dyn`, leaves },
    { path: `${prefix}/dyn/filter`, leaves: [off('on'), leaf('type', L.keyFilter, 6), leaf('f', L.freq, L.freq.quantize(1000))] },
  ];
}

function insert(prefix: string): NodeDef {
  return { path: `${prefix}/insert`, leaves: [off('on'), leaf('pos', L.prePost, 1), leaf('sel', L.insertSel, 0)] };
}

/** Sends `mix/01..count`: odd sends carry pan, tap type and pan-follow. */
function sends(prefix: string, count: number, typeLaw: X32Law): NodeDef[] {
  const out: NodeDef[] = [];
  for (let m = 1; m <= count; m++) {
    const leaves = [off('on'), leaf('level', L.send, LEVEL_OFF_DB)];
    if (m % 2 === 1) leaves.push(leaf('pan', L.pan, 0), leaf('type', typeLaw, 4), leaf('panFollow', L.panFollow, 0));
    out.push({ path: `${prefix}/mix/${pad2(m)}`, leaves });
  }
  return out;
}

function mixInput(prefix: string): NodeDef {
  return {
    path: `${prefix}/mix`,
    leaves: [leaf('on', L.onOff, 1), leaf('fader', L.fader, LEVEL_OFF_DB), leaf('st', L.onOff, 1), leaf('pan', L.pan, 0), off('mono'), leaf('mlevel', L.send, LEVEL_OFF_DB)],
  };
}

const grp = (prefix: string): NodeDef => ({ path: `${prefix}/grp`, leaves: [leaf('dca', L.dcaMask, 0), leaf('mute', L.muteMask, 0)] });

export function channelNodes(n: number): NodeDef[] {
  const c = `ch/${pad2(n)}`;
  return [
    config(c, DEFAULT_COLOUR.ch, n),
    { path: `${c}/delay`, leaves: [off('on'), leaf('time', L.delayTime, 0.3)] },
    {
      path: `${c}/preamp`,
      leaves: [leaf('trim', L.trim, 0), off('invert'), off('hpon'), leaf('hpslope', L.hpSlope, 0), leaf('hpf', L.hpf, L.hpf.quantize(80))],
    },
    {
      path: `${c}/gate`,
      leaves: [
        off('on'),
        leaf('mode', L.gateMode, 3),
        leaf('thr', L.gateThr, -80),
        leaf('range', L.gateRange, 60),
        leaf('attack', L.attack, 0),
        leaf('hold', L.hold, L.hold.quantize(100)),
        leaf('release', L.release, L.release.quantize(151)),
        leaf('keysrc', L.source, 0),
      ],
    },
    { path: `${c}/gate/filter`, leaves: [off('on'), leaf('type', L.keyFilter, 6), leaf('f', L.freq, L.freq.quantize(1000))] },
    ...dyn(c, true),
    insert(c),
    ...eqBands(c, 4),
    mixInput(c),
    ...sends(c, X32_BUSES, L.sendType),
    grp(c),
    { path: `${c}/automix`, leaves: [leaf('group', L.automixGroup, 0), leaf('weight', L.automixWeight, 0)] },
  ];
}

export function auxinNodes(n: number): NodeDef[] {
  const a = `auxin/${pad2(n)}`;
  return [
    config(a, DEFAULT_COLOUR.auxin, 32 + n),
    { path: `${a}/preamp`, leaves: [leaf('trim', L.trim, 0), off('invert')] },
    ...eqBands(a, 4),
    mixInput(a),
    ...sends(a, X32_BUSES, L.sendType),
    grp(a),
  ];
}

export function fxrtnNodes(n: number): NodeDef[] {
  const f = `fxrtn/${pad2(n)}`;
  return [config(f, DEFAULT_COLOUR.fxrtn), ...eqBands(f, 4), mixInput(f), ...sends(f, X32_BUSES, L.sendType), grp(f)];
}

export function busNodes(n: number): NodeDef[] {
  const b = `bus/${pad2(n)}`;
  return [
    config(b, DEFAULT_COLOUR.bus),
    ...dyn(b, true),
    insert(b),
    ...eqBands(b, 6),
    {
      path: `${b}/mix`,
      leaves: [leaf('on', L.onOff, 1), leaf('fader', L.fader, LEVEL_OFF_DB), leaf('st', L.onOff, 1), leaf('pan', L.pan, 0), off('mono'), leaf('mlevel', L.send, LEVEL_OFF_DB)],
    },
    ...sends(b, X32_MATRICES, L.busSendType),
    grp(b),
  ];
}

export function matrixNodes(n: number): NodeDef[] {
  const m = `mtx/${pad2(n)}`;
  return [
    config(m, DEFAULT_COLOUR.mtx),
    { path: `${m}/preamp`, leaves: [off('invert')] },
    ...dyn(m, false),
    insert(m),
    ...eqBands(m, 6),
    { path: `${m}/mix`, leaves: [leaf('on', L.onOff, 1), leaf('fader', L.fader, LEVEL_OFF_DB)] },
    grp(m),
  ];
}

export function mainNodes(which: 'st' | 'm'): NodeDef[] {
  const p = `main/${which}`;
  const mix =
    which === 'st'
      ? [leaf('on', L.onOff, 1), leaf('fader', L.fader, LEVEL_OFF_DB), leaf('pan', L.pan, 0)]
      : [leaf('on', L.onOff, 1), leaf('fader', L.fader, LEVEL_OFF_DB)];
  return [
    config(p, DEFAULT_COLOUR.main),
    ...dyn(p, true),
    insert(p),
    ...eqBands(p, 6),
    { path: `${p}/mix`, leaves: mix },
    ...sends(p, X32_MATRICES, L.busSendType),
    grp(p),
  ];
}

export function dcaNodes(n: number): NodeDef[] {
  return [
    { path: `dca/${n}`, leaves: [leaf('on', L.onOff, 1), leaf('fader', L.fader, LEVEL_OFF_DB)] },
    config(`dca/${n}`, DEFAULT_COLOUR.dca),
  ];
}

/** Solo switches (X32doc `/-stat/solosw/01…80`): 01-32 channels, 33-40 aux ins, 41-48 FX returns, 49-64 buses, 65-70 matrices, 71 main, 72 mono, 73-80 DCAs. */
export const X32_SOLO_SWITCHES = 80;

export function statNodes(): NodeDef[] {
  return [{ path: '-stat/solosw', leaves: Array.from({ length: X32_SOLO_SWITCHES }, (_, i) => off(pad2(i + 1))) }];
}

export function headampNodes(n: number): NodeDef[] {
  return [{ path: `headamp/${String(n).padStart(3, '0')}`, leaves: [leaf('gain', L.headampGain, 0), off('phantom')] }];
}

const pairs = (count: number): string[] => Array.from({ length: count }, (_, i) => `${2 * i + 1}-${2 * i + 2}`);
const ranges8 = (count: number): string[] => Array.from({ length: count }, (_, i) => `${8 * i + 1}-${8 * i + 8}`);
const offs = (names: readonly string[]): LeafDef[] => names.map(off);

/** The `/config` tree (console-wide settings: links, mute groups, solo, talkback, routing...). */
export function configNodes(): NodeDef[] {
  const solo = [
    leaf('level', L.send, 0),
    leaf('source', enumLaw(['OFF', 'LR', 'LR+C', 'LRPFL', 'LRAFL', 'AUX56', 'AUX78']), 1),
    leaf('sourcetrim', linf(-18, 18, 0.5, fixed(1, true)), 0),
    leaf('chmode', enumLaw(['PFL', 'AFL']), 0),
    leaf('busmode', enumLaw(['PFL', 'AFL']), 1),
    leaf('dcamode', enumLaw(['PFL', 'AFL']), 1),
    ...offs(['exclusive', 'followsel', 'followsolo']),
    leaf('dimatt', linf(-40, 0, 1, fixed(1)), -20),
    ...offs(['dim', 'mono', 'delay']),
    leaf('delaytime', L.delayTime, 0.3),
    ...offs(['masterctrl', 'mute', 'dimpfl']),
  ];
  const talkAB = (): LeafDef[] => [leaf('level', L.send, -10), off('dim'), off('latch'), leaf('destmap', bitmapLaw(18), 0)];
  const aesBlocks = enumLaw([
    ...['AN', 'A', 'B', 'CARD'].flatMap((p) => (p === 'AN' || p === 'CARD' ? ranges8(4) : ranges8(6)).map((r) => `${p}${r}`)),
    'OUT1-8', 'OUT9-16', 'P161-8', 'P169-16', 'AUX1-6/Mon', 'AuxIN1-6/TB',
    ...ranges8(6).map((r) => `UOUT${r}`),
    ...ranges8(4).map((r) => `UIN${r}`),
  ]);
  const inBlocks = enumLaw([...ranges8(4).map((r) => `AN${r}`), ...ranges8(6).map((r) => `A${r}`), ...ranges8(6).map((r) => `B${r}`), ...ranges8(4).map((r) => `CARD${r}`), ...ranges8(4).map((r) => `UIN${r}`)]);
  const auxBlocks = enumLaw(['AUX1-4', 'AN1-2', 'AN1-4', 'AN1-6', 'A1-2', 'A1-4', 'A1-6', 'B1-2', 'B1-4', 'B1-6', 'CARD1-2', 'CARD1-4', 'CARD1-6', 'UIN1-2', 'UIN1-4', 'UIN1-6']);
  const outBlocks = intLaw(0, 35);
  const routing = (name: string, blocks: readonly string[], law: X32Law, first: number): NodeDef => ({
    path: `config/routing/${name}`,
    leaves: blocks.map((b, i) => leaf(b, law, first + i)),
  });
  const userctrl = (s: 'A' | 'B' | 'C'): NodeDef[] => [
    { path: `config/userctrl/${s}`, leaves: [leaf('color', L.colour, 0)] },
    { path: `config/userctrl/${s}/enc`, leaves: [1, 2, 3, 4].map((e) => leaf(String(e), stringLaw(7), '-')) },
    { path: `config/userctrl/${s}/btn`, leaves: [5, 6, 7, 8, 9, 10, 11, 12].map((b) => leaf(String(b), stringLaw(7), '-')) },
  ];
  return [
    { path: 'config/chlink', leaves: offs(pairs(16)) },
    { path: 'config/auxlink', leaves: offs(pairs(4)) },
    { path: 'config/fxlink', leaves: offs(pairs(4)) },
    { path: 'config/buslink', leaves: offs(pairs(8)) },
    { path: 'config/mtxlink', leaves: offs(pairs(3)) },
    { path: 'config/mute', leaves: offs(['1', '2', '3', '4', '5', '6']) },
    { path: 'config/linkcfg', leaves: offs(['hadly', 'eq', 'dyn', 'fdrmute']) },
    { path: 'config/mono', leaves: [leaf('mode', enumLaw(['LR+M', 'LCR']), 0), off('link')] },
    { path: 'config/solo', leaves: solo },
    { path: 'config/talk', leaves: [off('enable'), leaf('source', enumLaw(['INT', 'EXT']), 0)] },
    { path: 'config/talk/A', leaves: talkAB() },
    { path: 'config/talk/B', leaves: talkAB() },
    {
      path: 'config/osc',
      leaves: [
        leaf('level', L.send, -30),
        leaf('f1', logf(20, 20000, 121, freqText), 1000),
        leaf('f2', logf(20, 20000, 121, freqText), 100),
        leaf('fsel', enumLaw(['F1', 'F2']), 0),
        leaf('type', enumLaw(['SINE', 'PINK', 'WHITE']), 0),
        leaf('dest', intLaw(0, 25), 0),
      ],
    },
    { path: 'config/userrout/out', leaves: Array.from({ length: 48 }, (_, i) => leaf(pad2(i + 1), intLaw(0, 208), i + 1)) },
    { path: 'config/userrout/in', leaves: Array.from({ length: 32 }, (_, i) => leaf(pad2(i + 1), intLaw(0, 168), i + 1)) },
    { path: 'config/routing', leaves: [leaf('routswitch', enumLaw(['REC', 'PLAY']), 0)] },
    { ...routing('IN', ranges8(4), inBlocks, 0), leaves: [...routing('IN', ranges8(4), inBlocks, 0).leaves, leaf('AUX', auxBlocks, 0)] },
    routing('AES50A', ranges8(6), aesBlocks, 0),
    routing('AES50B', ranges8(6), aesBlocks, 0),
    routing('CARD', ranges8(4), aesBlocks, 0),
    routing('OUT', ['1-4', '9-12', '5-8', '13-16'], outBlocks, 0),
    { ...routing('PLAY', ranges8(4), inBlocks, 0), leaves: [...routing('PLAY', ranges8(4), inBlocks, 0).leaves, leaf('AUX', auxBlocks, 0)] },
    ...userctrl('A'),
    ...userctrl('B'),
    ...userctrl('C'),
    { path: 'config/tape', leaves: [leaf('gainL', linf(-6, 24, 0.5, fixed(1, true)), 0), leaf('gainR', linf(-6, 24, 0.5, fixed(1, true)), 0), off('autoplay')] },
    { path: 'config/amixenable', leaves: offs(['X', 'Y']) },
    {
      path: 'config/dp48',
      leaves: [leaf('scope', bitmapLaw(4), 0), leaf('broadcast', intLaw(0, 1), 0), leaf('asap', enumLaw(['0', '1']), 0)],
    },
    { path: 'config/dp48/link', leaves: Array.from({ length: 24 }, (_, i) => leaf(pad2(i + 1), intLaw(0, 1), 0)) },
    { path: 'config/dp48/assign', leaves: Array.from({ length: 48 }, (_, i) => leaf(pad2(i + 1), intLaw(0, 12), 0)) },
    { path: 'config/dp48/grpname', leaves: Array.from({ length: 12 }, (_, i) => leaf(pad2(i + 1), stringLaw(8), '')) },
  ];
}

/** Every node of the tree, in a stable order: config, channels, aux ins, FX returns, buses, matrices, main, DCAs, head amps. */
export function allNodes(): NodeDef[] {
  const out: NodeDef[] = [...configNodes()];
  for (let n = 1; n <= X32_CHANNELS; n++) out.push(...channelNodes(n));
  for (let n = 1; n <= X32_AUXINS; n++) out.push(...auxinNodes(n));
  for (let n = 1; n <= X32_FXRTNS; n++) out.push(...fxrtnNodes(n));
  for (let n = 1; n <= X32_BUSES; n++) out.push(...busNodes(n));
  for (let n = 1; n <= X32_MATRICES; n++) out.push(...matrixNodes(n));
  out.push(...mainNodes('st'), ...mainNodes('m'));
  for (let n = 1; n <= X32_DCAS; n++) out.push(...dcaNodes(n));
  for (let n = 0; n < X32_HEADAMPS; n++) out.push(...headampNodes(n));
  out.push(...statNodes());
  return out;
}
