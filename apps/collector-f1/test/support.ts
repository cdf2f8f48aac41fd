import * as dgram from 'node:dgram';
import { MemoryBus, type MemoryBusOptions } from '@pitwall/bus';
import { EnvReader } from '@pitwall/config';
import { blankPacket, encodePacket, MAX_CARS, PacketId, type HeaderFields, type PacketFormat } from '@pitwall/f1-udp';
import { topicCatalogue, topicNames } from '@pitwall/kafka';
import { silentLogger } from '@pitwall/logger';
import { Metrics } from '@pitwall/metrics';
import { codecs, type SessionInfo, type TelemetryFrame } from '@pitwall/proto';
import { Health } from '@pitwall/service';
import { loadCollectorF1Config, startCollectorF1, type CollectorF1 } from '../src';

export const until = async (what: string, cond: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

export interface Running {
  collector: CollectorF1;
  bus: MemoryBus;
  metrics: Metrics;
  health: Health;
  frames: TelemetryFrame[];
  /** SessionInfo messages in arrival order, with their keys. */
  sessions: { key: string | null; info: SessionInfo }[];
  /** Opens the consumers' gate (open from the start unless `gated`). */
  open(): void;
  stop(): Promise<void>;
  /** A counter's value summed over the series matching `labels`. */
  counter(name: string, labels?: Record<string, string>): Promise<number>;
  /** Datagrams the collector read, and how many of them it accepted or dropped. */
  intake(): Promise<{ received: number; accepted: number; dropped: number }>;
  /** Sends datagrams to the collector from one client socket, in order. */
  send(...datagrams: Buffer[]): Promise<void>;
  /** Sends, then waits until the collector has read as many datagrams in all. */
  deliver(...datagrams: Buffer[]): Promise<void>;
}

export async function run(env: Record<string, string> = {}, opts: { busOptions?: MemoryBusOptions; gated?: boolean } = {}): Promise<Running> {
  const catalogue = topicCatalogue({ telemetryPartitions: 4 });
  const bus = new MemoryBus({ catalogue, ...opts.busOptions });
  const metrics = new Metrics('collector-f1');
  const health = new Health();
  const frames: TelemetryFrame[] = [];
  const sessions: Running['sessions'] = [];
  let open: () => void = () => undefined;
  const gate = opts.gated ? new Promise<void>((r) => (open = r)) : Promise.resolve();
  const topics = topicNames(catalogue);
  await bus.consumer({ groupId: 'test-frames', topics: [topics.telemetry] }).run(async (batch) => {
    await gate;
    for (const m of batch.messages) frames.push(codecs.frame.decode(m.value));
  });
  await bus.consumer({ groupId: 'test-sessions', topics: [topics.sessions] }).run(async (batch) => {
    await gate;
    for (const m of batch.messages) sessions.push({ key: m.key, info: codecs.session.decode(m.value) });
  });
  const config = loadCollectorF1Config(new EnvReader({ F1_UDP_HOST: '127.0.0.1', F1_UDP_PORT: '0', ...env }));
  const collector = await startCollectorF1({ bus, topics, logger: silentLogger(), metrics, health, config });
  const client = dgram.createSocket('udp4');
  const counter = (name: string, labels: Record<string, string> = {}) => metrics.counter(name, '', Object.keys(labels)).value(labels);
  const intake = async () => ({
    received: await counter('pitwall_collector_datagrams_received_total'),
    accepted: await counter('pitwall_collector_datagrams_total'),
    dropped: await counter('pitwall_collector_datagrams_dropped_total'),
  });
  const send = async (...datagrams: Buffer[]) => {
    for (const d of datagrams) {
      await new Promise<void>((resolve, reject) => client.send(d, collector.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
    }
  };
  let sent = 0;
  return {
    collector,
    bus,
    metrics,
    health,
    frames,
    sessions,
    open: () => open(),
    async stop() {
      open();
      client.close();
      await collector.stop();
      await bus.close();
    },
    counter,
    intake,
    send,
    async deliver(...datagrams) {
      await send(...datagrams);
      sent += datagrams.length;
      await until(`the collector to read ${sent} datagrams`, async () => (await intake()).received >= sent);
    },
  };
}

/** A deterministic race: which values each car gets, so tests can check the join car by car. */
export const driverName = (i: number) => `Driver ${String(i).padStart(2, '0')}`;

/**
 * Builds the packets of one game session (one rig) with the codec's own encoder: every car slot
 * filled with values derived from its index, so a frame shows which packet each field came from.
 */
export class Rig {
  overallFrame = 1000;
  sessionTime = 60;

  constructor(
    readonly format: PacketFormat,
    readonly sessionUID: bigint,
    readonly cars = MAX_CARS,
    readonly playerCarIndex = 0,
  ) {}

  header(overrides: Partial<HeaderFields> = {}): HeaderFields {
    return {
      gameYear: this.format % 100,
      gameMajorVersion: 1,
      gameMinorVersion: 5,
      packetVersion: 1,
      sessionUID: this.sessionUID,
      sessionTime: Math.fround(this.sessionTime),
      frameIdentifier: this.overallFrame,
      overallFrameIdentifier: this.overallFrame,
      playerCarIndex: this.playerCarIndex,
      secondaryPlayerCarIndex: 255,
      ...overrides,
    };
  }

  /** Moves the game on by one frame (1/60 s). */
  advance(): void {
    this.overallFrame++;
    this.sessionTime += 1 / 60;
  }

  session(trackId = 13, sessionType = 10, trackLength = 5807): Buffer {
    const p = blankPacket(this.format, PacketId.Session);
    p.trackId = trackId;
    p.sessionType = sessionType;
    p.trackLength = trackLength;
    p.totalLaps = 53;
    return encodePacket(this.format, this.header(), p);
  }

  participants(names: (i: number) => string = driverName, numActiveCars = this.cars): Buffer {
    const p = blankPacket(this.format, PacketId.Participants);
    p.numActiveCars = numActiveCars;
    for (let i = 0; i < MAX_CARS; i++) {
      const d = p.participants[i]!;
      d.name = i < numActiveCars ? names(i) : '';
      d.teamId = i % 10;
      d.raceNumber = i + 1;
      d.aiControlled = i === this.playerCarIndex ? 0 : 1;
    }
    return encodePacket(this.format, this.header(), p);
  }

  lapData(resultStatus: (i: number) => number = (i) => (i < this.cars ? 2 : 0)): Buffer {
    const p = blankPacket(this.format, PacketId.LapData);
    for (let i = 0; i < MAX_CARS; i++) {
      const l = p.lapData[i]!;
      l.resultStatus = resultStatus(i);
      l.carPosition = MAX_CARS - i;
      l.currentLapNum = 3;
      l.lapDistance = 100 * i + 0.5;
      l.sector = i % 3;
      l.currentLapTimeInMS = 30_000 + i;
      l.lastLapTimeInMS = 90_000 + i;
      l.pitStatus = i === 5 ? 2 : 0;
      l.currentLapInvalid = i === 6 ? 1 : 0;
    }
    return encodePacket(this.format, this.header(), p);
  }

  motion(): Buffer {
    const p = blankPacket(this.format, PacketId.Motion);
    for (let i = 0; i < MAX_CARS; i++) {
      const m = p.carMotionData[i]!;
      m.worldPositionX = i * 10;
      m.worldPositionY = -i - 1;
      m.worldPositionZ = i * 2;
      m.gForceLateral = -1.5 + i / 8;
      m.gForceLongitudinal = 0.25 * i;
      m.gForceVertical = 1;
      m.yaw = -0.5;
    }
    return encodePacket(this.format, this.header(), p);
  }

  carStatus(): Buffer {
    const p = blankPacket(this.format, PacketId.CarStatus);
    for (let i = 0; i < MAX_CARS; i++) {
      const s = p.carStatusData[i]!;
      s.fuelInTank = 50 + i;
      s.ersStoreEnergy = 1_000_000 + i;
      s.drsAllowed = 1;
    }
    return encodePacket(this.format, this.header(), p);
  }

  carDamage(): Buffer {
    const p = blankPacket(this.format, PacketId.CarDamage);
    for (let i = 0; i < MAX_CARS; i++) p.carDamageData[i]!.tyresWear = [10, 20, 30, 40 + i];
    return encodePacket(this.format, this.header(), p);
  }

  carTelemetry(overrides: Partial<HeaderFields> = {}): Buffer {
    const p = blankPacket(this.format, PacketId.CarTelemetry);
    for (let i = 0; i < MAX_CARS; i++) {
      const t = p.carTelemetryData[i]!;
      t.speed = 200 + i;
      t.throttle = 0.75;
      t.brake = 0.25;
      t.clutch = 40;
      t.steer = -0.5;
      t.gear = i === 7 ? -1 : 5;
      t.engineRPM = 11_000 + i;
      t.drs = 1;
      t.brakesTemperature = [500, 510, 520, 530];
      t.tyresSurfaceTemperature = [90, 91, 92, 93];
      t.tyresInnerTemperature = [100, 101, 102, 103];
      t.engineTemperature = 110;
      t.tyresPressure = [21, 21.5, 22, 22.5];
    }
    return encodePacket(this.format, this.header(overrides), p);
  }

  sessionEnded(): Buffer {
    return encodePacket(this.format, this.header(), { id: PacketId.Event, code: 'SEND', details: {} });
  }

  /** The packets of one frame, telemetry last (as the game sends motion and lap data first). */
  frame(): Buffer[] {
    return [this.motion(), this.lapData(), this.carStatus(), this.carTelemetry()];
  }
}
