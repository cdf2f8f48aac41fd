// The game side of AC remote telemetry for tests: a UDP server on 127.0.0.1 built from the
// codec's encoders, answering handshakes and streaming RTCarInfo to whoever subscribed.
import * as dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import {
  AcOperation,
  decodeHandshaker,
  encodeCarInfo,
  encodeHandshakeResponse,
  encodeLap,
  type HandshakeResponse,
  type RTCarInfo,
  type RTLap,
} from '@pitwall/ac-udp';

const f = Math.fround;

export function carInfo(over: Partial<RTCarInfo> = {}): Omit<RTCarInfo, 'gearRaw'> {
  const w = (a: number, b: number, c: number, d: number): [number, number, number, number] => [f(a), f(b), f(c), f(d)];
  return {
    identifier: 'a',
    size: 328,
    speedKmh: f(201.5),
    speedMph: f(125.2),
    speedMs: f(55.97),
    isAbsEnabled: true,
    isAbsInAction: false,
    isTcInAction: true,
    isTcEnabled: true,
    isInPit: false,
    isEngineLimiterOn: false,
    accGVertical: f(0.05),
    accGHorizontal: f(-1.25),
    accGFrontal: f(0.75),
    lapTimeMs: 45_123,
    lastLapMs: 98_765,
    bestLapMs: 97_001,
    lapCount: 3,
    gas: f(0.875),
    brake: f(0.125),
    clutch: f(1),
    engineRpm: f(7350),
    steer: f(-90),
    gear: 4,
    cgHeight: f(0.31),
    wheelAngularSpeed: w(150, 151, 152, 153),
    slipAngle: w(1.5, 1.6, 2.1, 2.2),
    slipAngleContactPatch: w(1.4, 1.5, 2, 2.1),
    slipRatio: w(0.01, 0.02, 0.05, 0.06),
    tyreSlip: w(0.1, 0.2, 0.3, 0.4),
    ndSlip: w(0.5, 0.6, 0.7, 0.8),
    load: w(3100, 3200, 4100, 4200),
    dy: w(1.1, 1.2, 1.3, 1.4),
    mz: w(-10, -11, -12, -13),
    tyreDirtyLevel: w(0, 0, 0.5, 1),
    camberRad: w(-0.05, -0.05, -0.03, -0.03),
    tyreRadius: w(0.33, 0.33, 0.34, 0.34),
    tyreLoadedRadius: w(0.32, 0.32, 0.33, 0.33),
    suspensionHeight: w(0.05, 0.051, 0.06, 0.061),
    carPositionNormalized: f(0.4321),
    carSlope: f(0.01),
    carCoordinates: [f(-120.5), f(3.25), f(880.125)],
    ...over,
  };
}

export const identity: HandshakeResponse = {
  carName: 'ks_ferrari_488_gt3',
  driverName: 'Kimi Räikkönen',
  identifier: 4242,
  version: 1,
  trackName: 'monza',
  trackConfig: 'junior',
};

export interface Client {
  address: string;
  port: number;
}

/** A fake AC: answers handshakes, streams RTCarInfo every `intervalMs` to its subscriber. */
export class AcGame {
  readonly socket = dgram.createSocket('udp4');
  /** Every handshaker received: operation and the sender's port. */
  readonly received: { op: number; port: number; at: number }[] = [];
  subscriber: Client | null = null;
  identity: HandshakeResponse = { ...identity };
  /** When false the game is "not running": it ignores handshakes and sends nothing. */
  answering = true;
  sample: () => Omit<RTCarInfo, 'gearRaw'> = () => carInfo();
  sent = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly intervalMs = 5) {}

  async start(): Promise<number> {
    this.socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    await new Promise<void>((resolve) => this.socket.bind(0, '127.0.0.1', () => resolve()));
    this.timer = setInterval(() => this.tick(), this.intervalMs);
    return this.port;
  }

  get port(): number {
    return (this.socket.address() as AddressInfo).port;
  }

  ops(): number[] {
    return this.received.map((r) => r.op);
  }

  /** The game quits: forgets its subscriber and ignores everything until `restart`. */
  quit(): void {
    this.answering = false;
    this.subscriber = null;
  }

  restart(identity?: Partial<HandshakeResponse>): void {
    this.identity = { ...this.identity, ...identity };
    this.answering = true;
  }

  send(datagram: Buffer, to: Client): Promise<void> {
    return new Promise((resolve, reject) => this.socket.send(datagram, to.port, to.address, (err) => (err ? reject(err) : resolve())));
  }

  sendLap(lap: RTLap): Promise<void> {
    return this.send(encodeLap(lap), this.subscriber!);
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }

  private tick(): void {
    if (!this.answering || !this.subscriber) return;
    this.sent++;
    this.socket.send(encodeCarInfo(this.sample()), this.subscriber.port, this.subscriber.address);
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const h = decodeHandshaker(msg);
    if (!h.ok) return;
    this.received.push({ op: h.value.operationId, port: rinfo.port, at: Date.now() });
    if (!this.answering) return;
    const client = { address: rinfo.address, port: rinfo.port };
    switch (h.value.operationId) {
      case AcOperation.Handshake:
        this.socket.send(encodeHandshakeResponse(this.identity), client.port, client.address);
        break;
      case AcOperation.SubscribeUpdate:
        this.subscriber = client;
        break;
      case AcOperation.Dismiss:
        this.subscriber = null;
        break;
    }
  }
}
