// Fuzzing a collector over real UDP: seeded random bytes and mutations of valid datagrams, sent at
// the collector's own pace, partly from a stranger's socket.
import * as dgram from 'node:dgram';
import { sleep, until } from './collector-harness';
import type { Client } from './udp-game-peer';

export { seededRandom as prng } from '@pitwall/seeded-random';

/** Random draws and the mutations every codec's fuzz uses, all from one seeded generator. */
export class Mutator {
  constructor(readonly rand: () => number) {}

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.rand() * n);
  }

  bytes(n: number): Buffer {
    return Buffer.from(Array.from({ length: n }, () => this.int(256)));
  }

  /** Flips one to eight random bits in place. */
  flipBits(base: Buffer): Buffer {
    for (let i = 0, n = 1 + this.int(8); i < n; i++) base[this.int(base.length)]! ^= 1 << this.int(8);
    return base;
  }

  /** A random prefix, possibly empty. */
  truncate(base: Buffer): Buffer {
    return base.subarray(0, this.int(base.length));
  }

  /** One to `maxExtra` random bytes appended. */
  extend(base: Buffer, maxExtra: number): Buffer {
    return Buffer.concat([base, this.bytes(1 + this.int(maxExtra))]);
  }

  /**
   * A copy of one of `valid`, with bits flipped, truncated, extended by up to `maxExtra` bytes, or
   * changed by one of the codec's `own` mutations, each as likely as the others.
   */
  mutate(valid: readonly Buffer[], maxExtra: number, own: readonly ((base: Buffer) => Buffer)[]): Buffer {
    const base = Buffer.from(valid[this.int(valid.length)]!);
    const which = this.int(3 + own.length);
    if (which === 0) return this.flipBits(base);
    if (which === 1) return this.truncate(base);
    if (which === 2) return this.extend(base, maxExtra);
    return own[which - 3]!(base);
  }
}

export interface FuzzDelivery {
  rand: () => number;
  count: number;
  /** Datagrams sent at once before waiting for the collector to count them. */
  batch: number;
  datagram: () => Buffer;
  /** Sends as the game (from the address the collector accepts). */
  game: { send(datagram: Buffer, to: Client): Promise<void> };
  collector: Client;
  /** Datagrams the collector has counted so far: accepted plus dropped. */
  counted: () => Promise<number>;
}

/**
 * Sends `count` datagrams to the collector, about 2% of them from a stranger's socket, and after
 * each batch waits until the collector has counted every one: paced by the collector, so none is
 * lost to a full socket buffer and a miscount fails at its batch. The baseline is the count after
 * the traffic before the fuzz has settled.
 */
export async function deliverFuzz(d: FuzzDelivery): Promise<{ baseline: number; fromStranger: number }> {
  await sleep(50);
  const baseline = await d.counted();
  const stranger = dgram.createSocket('udp4');
  await new Promise<void>((r) => stranger.bind(0, '127.0.0.1', () => r()));
  let sent = 0;
  let fromStranger = 0;
  while (sent < d.count) {
    const sends: Promise<void>[] = [];
    for (let i = 0; i < d.batch && sent < d.count; i++, sent++) {
      const datagram = d.datagram();
      if (d.rand() < 0.02) {
        fromStranger++;
        sends.push(new Promise((r) => stranger.send(datagram, d.collector.port, d.collector.address, () => r())));
      } else {
        sends.push(d.game.send(datagram, d.collector));
      }
    }
    await Promise.all(sends);
    await until(`${sent} datagrams counted`, async () => (await d.counted()) === baseline + sent, 5000);
  }
  await new Promise<void>((r) => stranger.close(() => r()));
  return { baseline, fromStranger };
}

/** Every datagram a collector's link counted for `source`: accepted plus dropped. */
export const datagramsCounted = (counter: (name: string, labels: Record<string, string>) => Promise<number>, source: string) => async () =>
  (await counter('pitwall_collector_datagrams_total', { source })) + (await counter('pitwall_collector_datagrams_dropped_total', { source }));
