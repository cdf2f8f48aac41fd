import { MAX_CARS } from '@pitwall/f1-udp';
import { benchF1Collector } from '../src';

describe('benchF1Collector', () => {
  it('measures the collector and the bare socket with the same paced sender, and reports both', async () => {
    const rigs = 2;
    const hz = 30;
    const r = await benchF1Collector({ rigSteps: [rigs], hz, durationMs: 1000 });
    console.log(`f1 bench smoke: ${JSON.stringify(r)}`);
    const sent = rigs * hz * MAX_CARS;
    expect(r).toMatchObject({ name: 'f1-collector', unit: 'frames/s', baselineName: 'bare dgram socket (packets × 22)' });
    // A light load: both sides carry (nearly) the sender's rate; never more than it sent.
    expect(r.baseline).toBeGreaterThanOrEqual(sent * 0.8);
    expect(r.ours).toBeGreaterThanOrEqual(sent * 0.8);
    expect(r.ours).toBeLessThanOrEqual(sent * 1.01);
    expect(r.ratio).toBeCloseTo(r.ours / r.baseline, 2);
    // Far below the goal's rate, so the goal cannot be met by this run.
    expect(r.met).toBe(false);
    expect(r.notes).toContain(`ramping ${rigs} rigs × ${hz} Hz`);
    expect(r.notes).toContain(`${rigs} rigs: bare socket`);
  }, 60_000);
});
