// The game side of AC remote telemetry for tests: a UDP server on 127.0.0.1 built from the
// codec's encoders, answering handshakes and streaming RTCarInfo to whoever subscribed.
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
import { UdpGamePeer, type Client } from '../../../packages/collector-kit/test/support/udp-game-peer';

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

/** A fake AC: answers handshakes, streams RTCarInfo every `intervalMs` to its subscriber. */
export class AcGame extends UdpGamePeer {
  /** Every handshaker received: operation and the sender's port. */
  readonly received: { op: number; port: number; at: number }[] = [];
  subscriber: Client | null = null;
  identity: HandshakeResponse = { ...identity };
  /** When false the game is "not running": it ignores handshakes and sends nothing. */
  answering = true;
  sample: () => Omit<RTCarInfo, 'gearRaw'> = () => carInfo();
  sent = 0;

  constructor(intervalMs = 5) {
    super(intervalMs);
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

  sendLap(lap: RTLap): Promise<void> {
    return this.send(encodeLap(lap), this.subscriber!);
  }

  protected tick(): void {
    if (!this.answering || !this.subscriber) return;
    this.sent++;
    this.socket.send(encodeCarInfo(this.sample()), this.subscriber.port, this.subscriber.address);
  }

  protected receive(msg: Buffer, client: Client): void {
    const h = decodeHandshaker(msg);
    if (!h.ok) return;
    this.received.push({ op: h.value.operationId, port: client.port, at: Date.now() });
    if (!this.answering) return;
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
