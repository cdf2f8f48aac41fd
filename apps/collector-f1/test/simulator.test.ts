/**
 * Interop with the simulator's F1 rig (apps/simulator, an independent sender built on the same
 * codec): what it sends for a race is what the collector publishes, car by car.
 */
import { MAX_CARS, PACKET_FORMATS } from '@pitwall/f1-udp';
import { F1Sender } from '../../simulator/src/f1/sender';
import { run, until, type Running } from './support';

describe('collector-f1 fed by the simulator\'s F1 rig', () => {
  let r: Running | undefined;
  afterEach(async () => {
    await r?.stop();
    r = undefined;
  });

  it.each(PACKET_FORMATS)('format %i: one frame per car sample, named, on the right track, in sequence', async (format) => {
    r = await run();
    const sender = new F1Sender({ port: r.collector.port, format, rateHz: 60, maxTicks: 40, menuPackets: 3, trackId: 13, race: { seed: 7 } });
    sender.start();
    await sender.finished();
    await until('every car sample as a frame', () => r!.frames.length >= sender.carSamples);
    await new Promise((res) => setTimeout(res, 50));

    expect(sender.carSamples).toBe(40 * MAX_CARS);
    expect(r.frames).toHaveLength(sender.carSamples);
    expect(await r.counter('pitwall_f1_menu_packets_total')).toBe(3);
    expect(new Set(r.frames.map((f) => f.sessionId))).toEqual(new Set([`f1:${sender.sessionUid.toString()}`]));
    expect(sender.sessionUid).toBeGreaterThan(2n ** 63n);

    const last = r.frames.slice(-MAX_CARS);
    expect(new Set(last.map((f) => f.track))).toEqual(new Set(['Suzuka']));
    expect(last.every((f) => (f.driverName ?? '').length > 0)).toBe(true);
    expect(last.map((f) => f.racePosition).sort((a, b) => a! - b!)).toEqual(Array.from({ length: MAX_CARS }, (_, i) => i + 1));
    for (let car = 0; car < MAX_CARS; car++) {
      const seq = r.frames.filter((f) => f.carId === String(car)).map((f) => Number(f.sequence));
      expect(seq).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    }
    await until('session info with the simulator\'s drivers', () => r!.sessions.some((s) => s.info.cars!.length === MAX_CARS && s.info.track === 'Suzuka'));
  });
});
