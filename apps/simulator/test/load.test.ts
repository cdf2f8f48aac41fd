import { PacketId, decodePacket } from '@pitwall/f1-udp';
import { runLoad, startLoad } from '../src/load';
import { TestPeer } from './udp-client';

describe('load mode', () => {
  it('runs N rigs of M cars for a number of steps, stops itself, and its counts add up', async () => {
    const peer = await TestPeer.open();
    try {
      const report = await runLoad({ port: peer.port, rigs: 3, cars: 6, rateHz: 100, steps: 30, format: 2024, seed: 7 });
      await peer.waitFor(report.packets, () => true, 3000);
      expect(peer.received).toHaveLength(report.packets);
      expect(report.rigs).toBe(3);
      expect(report.steps).toBe(3 * 30);
      expect(report.frames).toBe(3 * 30 * 6);
      expect(report.bytes).toBe(peer.received.reduce((n, b) => n + b.length, 0));
      expect(report.sendErrors).toBe(0);
      expect(new Set(report.sessionUids).size).toBe(3);
      expect(report.sessionUids.every((uid) => uid >= 2n ** 63n)).toBe(true);

      const decoded = peer.received.map((b) => {
        const d = decodePacket(b);
        if (!d.ok) throw new Error(d.detail);
        return d;
      });
      for (const uid of report.sessionUids) {
        const own = decoded.filter((d) => d.header.sessionUID === uid);
        const telemetry = own.filter((d) => d.header.packetId === PacketId.CarTelemetry);
        expect(telemetry.map((d) => d.header.frameIdentifier)).toEqual(Array.from({ length: 30 }, (_v, i) => i + 1));
        const participants = own.find((d) => d.header.packetId === PacketId.Participants)!.packet;
        expect(participants.id === PacketId.Participants && participants.numActiveCars).toBe(6);
      }
      // Per rig: 5 packets a step, plus session start, session and participants.
      const perStep = decoded.filter((d) => [0, 2, 6, 7, 10].includes(d.header.packetId)).length;
      expect(perStep).toBe(3 * 30 * 5);
    } finally {
      await peer.close();
    }
  });

  it('stops at its time bound, and on stop()', async () => {
    const peer = await TestPeer.open();
    try {
      const started = Date.now();
      const report = await runLoad({ port: peer.port, rigs: 2, cars: 22, rateHz: 50, durationMs: 300 });
      expect(Date.now() - started).toBeLessThan(1500);
      expect(report.steps / 2).toBeGreaterThanOrEqual(2); // fewer only if the event loop stalled
      expect(report.steps / 2).toBeLessThanOrEqual(20);
      expect(report.frames).toBe(report.steps * 22);

      const run = startLoad({ port: peer.port, rigs: 1, cars: 2, rateHz: 50, durationMs: 60_000 });
      await new Promise((resolve) => setTimeout(resolve, 100));
      const stopped = await run.stop();
      expect(await run.done).toBe(stopped);
      expect(stopped.elapsedMs).toBeLessThan(2000);
    } finally {
      await peer.close();
    }
  });

  it('refuses an unbounded run and impossible sizes', () => {
    expect(() => startLoad({ port: 1, rigs: 1, cars: 1, rateHz: 10 })).toThrow(/needs a bound/);
    expect(() => startLoad({ port: 1, rigs: 1, cars: 23, rateHz: 10, steps: 1 })).toThrow(/cars must be 1..22/);
    expect(() => startLoad({ port: 1, rigs: 0, cars: 1, rateHz: 10, steps: 1 })).toThrow(/rigs must be/);
  });
});
