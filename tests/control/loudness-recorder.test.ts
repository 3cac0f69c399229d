import { afterEach, describe, expect, it } from 'vitest';
import { LoudnessRecorder, RECORDER_HZ } from '../../src/control/loudness-recorder.js';
import { defaultLayout } from '../../src/model/layout.js';
import { chainMeterPoint } from '../../src/model/master-params.js';
import { CHAIN_FIELDS, meterLayout } from '../../src/model/meters.js';
import { bearer, http, invite, startTestServer, type TestServer } from '../helpers/remote.js';

const M = CHAIN_FIELDS.indexOf('momentary');
const S = CHAIN_FIELDS.indexOf('shortTerm');
const I = CHAIN_FIELDS.indexOf('integrated');

describe('LoudnessRecorder', () => {
  it('keeps the newest points of every chain, oldest first, unmeasured as null', () => {
    const layout = meterLayout({ ...defaultLayout(), masterChains: 2 });
    const o1 = layout.offsetOf(chainMeterPoint(1));
    const o2 = layout.offsetOf(chainMeterPoint(2));
    let k = 0;
    let now = 1_000_000;
    const src = {
      layout,
      read(dst: Float32Array): boolean {
        dst.fill(-120);
        dst[o1 + M] = -20 + k;
        dst[o1 + S] = -21 + k;
        dst[o1 + I] = k < 2 ? -120 : -22; // nothing measured for the first two points
        dst[o2 + M] = -30 - k;
        return true;
      },
    };
    const rec = new LoudnessRecorder(src, 2, 4, () => now);
    for (k = 0; k < 6; k++, now += 100) rec.sample();
    const h1 = rec.history(1)!;
    // Capacity 4: points 2..5 remain.
    expect(h1).toEqual({ chain: 1, hz: RECORDER_HZ, end: 1_000_500, momentary: [-18, -17, -16, -15], shortTerm: [-19, -18, -17, -16], integrated: [-22, -22, -22, -22] });
    expect(rec.history(2)!.momentary).toEqual([-32, -33, -34, -35]);
    expect(rec.history(2)!.integrated).toEqual([null, null, null, null]);
    expect(rec.history(3)).toBeUndefined();
    expect(rec.history(0)).toBeUndefined();
  });

  it('records nothing while the meter source has no snapshot', () => {
    const layout = meterLayout(defaultLayout());
    const rec = new LoudnessRecorder({ layout, read: () => false }, 1, 10);
    rec.sample();
    expect(rec.history(1)!.momentary).toEqual([]);
  });
});

describe('GET /api/loudness/history', () => {
  let s: TestServer | undefined;
  afterEach(async () => {
    await s?.close();
    s = undefined;
  });

  it('answers the engineer and viewers with the recorded points, refuses performers, 404 for a chain that does not exist', async () => {
    s = await startTestServer();
    s.cs.loudness.stop();
    for (let n = 0; n < 3; n++) s.cs.loudness.sample();
    const o = meterLayout(s.registry.layout).offsetOf('master/chain');
    const res = await http('GET', `${s.base}/api/loudness/history?chain=1`, { headers: bearer() });
    expect(res.status).toBe(200);
    const body = res.json() as { chain: number; momentary: number[]; integrated: number[] };
    // The fake source writes -(i + 0.25) at float i: below the -120 floor past float 119.75.
    const expectM = -(o + M + 0.25);
    expect(body.chain).toBe(1);
    expect(body.momentary).toEqual(expectM > -120 ? [expectM, expectM, expectM] : [null, null, null]);
    expect(body.integrated).toHaveLength(3);
    const viewer = await invite(s.base, { role: 'viewer', name: 'FOH' });
    expect((await http('GET', `${s.base}/api/loudness/history`, { headers: bearer(viewer.token) })).status).toBe(200);
    const anna = await invite(s.base, { role: 'performer', bus: 2, name: 'Anna' });
    const refused = await http('GET', `${s.base}/api/loudness/history`, { headers: bearer(anna.token) });
    expect([refused.status, (refused.json() as { error: { code: string } }).error.code]).toEqual([403, 'E_AUTH_ROLE']);
    const none = await http('GET', `${s.base}/api/loudness/history?chain=2`, { headers: bearer() });
    expect([none.status, (none.json() as { error: { code: string } }).error.code]).toEqual([404, 'E_NOT_FOUND']);
  });
});
