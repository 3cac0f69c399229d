/**
 * The parameter reference (docs/parameters.md), generated from the descriptors so it can never
 * disagree with them. One table per kind of strip, with `<n>` for the strip, bus or band number.
 */
import { formatValue, type ParamDescriptor } from './descriptor.js';
import { defaultLayout } from './layout.js';
import { ParamRegistry } from './registry.js';

function row(d: ParamDescriptor, address: string): string {
  const range = d.options ? d.options.join(', ') : `${formatValue(d, d.min)} … ${formatValue(d, d.max)}`;
  return `| \`${address}\` | ${d.label} | ${d.unit} | ${range} | ${formatValue(d, d.default)} | ${d.taper.name} |`;
}

export function parameterReference(): string {
  const reg = new ParamRegistry(defaultLayout([{ stereo: false }]));
  const head = '| address | name | unit | range | default | taper |\n|---|---|---|---|---|---|';
  const sections: Array<[title: string, prefix: RegExp, generic: (a: string) => string | null]> = [
    ['Input channel `ch/<n>` (n = 1..channel count)', /^ch\/1\//, (a) => {
      // Show numbered sub-parameters once: EQ band 1, send 1, FX send 1, group 1, VCA 1.
      const m = /^ch\/1\/(eq\/(\d)\/|send\/(\d)\/|fx\/(\d)\/|group\/(\d)|vca\/(\d))/.exec(a);
      if (m && [m[2], m[3], m[4], m[5], m[6]].some((x) => x !== undefined && x !== '1')) return null;
      return a.replace(/^ch\/1\//, 'ch/<n>/').replace(/^(ch\/<n>\/)eq\/1\//, '$1eq/<b>/').replace(/^(ch\/<n>\/)send\/1\//, '$1send/<a>/')
        .replace(/^(ch\/<n>\/)fx\/1\//, '$1fx/<f>/').replace(/^(ch\/<n>\/)group\/1$/, '$1group/<g>').replace(/^(ch\/<n>\/)vca\/1$/, '$1vca/<v>');
    }],
    ['Aux bus `bus/<a>` (a = 1..8)', /^bus\/1\//, (a) => a.replace(/^bus\/1\//, 'bus/<a>/')],
    ['FX bus 1 `fx/1` (reverb by default)', /^fx\/1\//, (a) => a],
    ['FX bus 2 `fx/2` (delay by default)', /^fx\/2\//, (a) => a],
    ['Group `group/<g>` (g = 1..4)', /^group\/1\//, (a) => a.replace(/^group\/1\//, 'group/<g>/')],
    ['VCA `vca/<v>` (v = 1..8)', /^vca\/1\//, (a) => a.replace(/^vca\/1\//, 'vca/<v>/')],
    ['Master chain, monitor and the loudness tap', /^(master|monitor|loudness)\//, (a) => a],
  ];
  const parts = [
    '# Parameter reference',
    '',
    'Generated from the descriptors in `src/model/params.ts` (a test keeps this file in step).',
    'Every parameter is stored in its real unit; tapers map it to a 0..1 control position',
    '(see [engine.md](engine.md) for the fader, pan and balance laws). Switches are 0/1; enums',
    'are stored as the index of their option. In `ch/<n>/…`, `<b>` is an EQ band 1..4, `<a>` an',
    'aux bus 1..8, `<f>` an FX bus 1..2, `<g>` a group 1..4, `<v>` a VCA 1..8.',
  ];
  for (const [title, prefix, generic] of sections) {
    parts.push('', `## ${title}`, '', head);
    for (const d of reg.descriptors) {
      if (!prefix.test(d.address)) continue;
      const a = generic(d.address);
      if (a !== null) parts.push(row(d, a));
    }
  }
  return `${parts.join('\n')}\n`;
}
