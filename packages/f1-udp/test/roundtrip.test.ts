/**
 * encode → decode round trips for every packet of every format, with random values that cover
 * each field type's extremes (generated from the resolved layouts, not through the encoder), and
 * the encoder's refusals: a field missing for the format, a value out of range, a packet the
 * format does not have.
 */
import {
  EncodeError,
  blankPacket,
  U64Codec,
  bodyCodec,
  decodePacket,
  encodePacket,
  type Codec,
  type EventPacket,
  type Packet,
  type ParticipantsPacket,
  type PacketFormat,
} from '@pitwall/f1-udp';
import { FORMATS, SAMPLE_HEADER, SPEC_SIZES, int, randomValue, rng } from './support';

/** Events get more rounds so that every code of the format is drawn. */
const roundsFor = (id: number) => (id === 3 ? 300 : 25);

const cases = FORMATS.flatMap((format) =>
  Object.keys(SPEC_SIZES[format]!).map((id) => [format, Number(id)] as [PacketFormat, number]),
);

describe('round trip', () => {
  it.each(cases)('format %i, packet %i', (format, id) => {
    const codec = bodyCodec(format, id)!;
    const next = rng(format * 100 + id);
    const codes = new Set<string>();
    for (let round = 0; round < roundsFor(id); round++) {
      const packet = randomValue(codec, next) as Packet;
      const header = {
        ...SAMPLE_HEADER,
        sessionUID: randomValue(new U64Codec(), next) as bigint,
        sessionTime: Math.fround(next() * 10000),
        frameIdentifier: int(next, 0, 0xffffffff),
        playerCarIndex: int(next, 0, 21),
      };
      const buf = encodePacket(format, header, packet);
      expect(buf.length).toBe(SPEC_SIZES[format]![id]);
      const decoded = decodePacket(buf);
      expect(decoded).toEqual({ ok: true, header: { ...header, packetFormat: format, packetId: id }, packet });
      if (packet.id === 3) codes.add(packet.code);
    }
    if (id === 3) expect(codes.size).toBe({ 2023: 19, 2024: 21, 2025: 21 }[format]);
  });

  it('covers every packet of the spec table: 14 in F1 23, 15 in F1 24, 16 in F1 25', () => {
    expect(cases.filter(([f]) => f === 2023)).toHaveLength(14);
    expect(cases.filter(([f]) => f === 2024)).toHaveLength(15);
    expect(cases.filter(([f]) => f === 2025)).toHaveLength(16);
  });

  it('keeps sessionUID 2^64-1 and 2^63 exactly', () => {
    const packet = randomValue(bodyCodec(2025, 6)!, rng(1)) as Packet;
    for (const sessionUID of [0xffffffffffffffffn, 0x8000000000000000n]) {
      const buf = encodePacket(2025, { ...SAMPLE_HEADER, sessionUID }, packet);
      expect(buf.readBigUInt64LE(7)).toBe(sessionUID);
      const r = decodePacket(buf);
      expect(r.ok && r.header.sessionUID).toBe(sessionUID);
    }
  });
});

function participants(format: PacketFormat, seed = 7): ParticipantsPacket {
  return randomValue(bodyCodec(format, 4)! as Codec<unknown>, rng(seed)) as ParticipantsPacket;
}

describe('encoder refusals and edge cases', () => {
  it('names the missing field when a packet lacks one the format has', () => {
    const p = participants(2023);
    expect(() => encodePacket(2024, SAMPLE_HEADER, p)).toThrow(new EncodeError('missing (the field exists in this packet format)', ['participants', 0, 'techLevel']));
  });

  it('ignores fields of another format (an F1 25 packet encoded as F1 23)', () => {
    const p = participants(2025);
    const r = decodePacket(encodePacket(2023, SAMPLE_HEADER, p));
    expect(r.ok && r.packet.id === 4 && r.packet.participants[3]!.techLevel).toBeUndefined();
    expect(r.ok && r.packet.id === 4 && r.packet.participants[3]!.raceNumber).toBe(p.participants[3]!.raceNumber);
  });

  it('refuses out-of-range, fractional and wrongly typed values with the field path', () => {
    const p = participants(2025);
    p.participants[5]!.techLevel = 70000;
    expect(() => encodePacket(2025, SAMPLE_HEADER, p)).toThrow(/^participants\.5\.techLevel: .*70000/);
    p.participants[5]!.techLevel = 1.5;
    expect(() => encodePacket(2025, SAMPLE_HEADER, p)).toThrow('participants.5.techLevel: expected an integer for u16, got 1.5');
    p.participants[5]!.techLevel = 1;
    p.participants.pop();
    expect(() => encodePacket(2025, SAMPLE_HEADER, p)).toThrow('participants: expected an array of 22, got 21');
    expect(() => encodePacket(2025, { ...SAMPLE_HEADER, sessionUID: -1n }, participants(2025))).toThrow(/^header\.sessionUID: /);
  });

  it('refuses a packet the format does not have, and an event code it does not define', () => {
    const lapPositions = randomValue(bodyCodec(2025, 15)!, rng(3)) as Packet;
    expect(() => encodePacket(2024, SAMPLE_HEADER, lapPositions)).toThrow('id: no packet id 15 in format 2024');
    const scar: EventPacket = { id: 3, code: 'SCAR', details: { safetyCarType: 1, eventType: 0 } };
    expect(() => encodePacket(2023, SAMPLE_HEADER, scar)).toThrow('code: event code "SCAR" does not exist in format 2023');
  });

  it('cuts a name too long for its field at a character boundary, keeping the NUL', () => {
    const p = participants(2025);
    p.participants[0]!.name = 'é'.repeat(20); // 40 bytes into a 32-byte field: 15 characters fit
    const buf = encodePacket(2025, SAMPLE_HEADER, p);
    expect(buf[30 + 7 + 30]).toBe(0);
    expect(buf[30 + 7 + 31]).toBe(0);
    const r = decodePacket(buf);
    expect(r.ok && r.packet.id === 4 && r.packet.participants[0]!.name).toBe('é'.repeat(15));
  });

  it('splits whole milliseconds into the minutes and ms parts', () => {
    const lap = randomValue(bodyCodec(2024, 2)!, rng(5)) as Extract<Packet, { id: 2 }>;
    lap.lapData[0]!.sector1TimeMS = 125_432; // 2 min 5.432 s
    lap.lapData[0]!.deltaToRaceLeaderMS = 60_000;
    const buf = encodePacket(2024, SAMPLE_HEADER, lap);
    expect(buf.readUInt16LE(29 + 8)).toBe(5432);
    expect(buf.readUInt8(29 + 10)).toBe(2);
    expect(buf.readUInt16LE(29 + 17)).toBe(0);
    expect(buf.readUInt8(29 + 19)).toBe(1);
    lap.lapData[0]!.sector1TimeMS = 256 * 60_000;
    expect(() => encodePacket(2024, SAMPLE_HEADER, lap)).toThrow(/^lapData\.0\.sector1TimeMS: expected whole milliseconds/);
  });
});

describe('blankPacket', () => {
  it('gives a zeroed packet with the fields of its format, ready to fill and encode', () => {
    const t = blankPacket(2024, 6);
    expect(t.carTelemetryData).toHaveLength(22);
    t.carTelemetryData[0]!.gear = -1;
    t.carTelemetryData[0]!.speed = 300;
    const buf = encodePacket(2024, SAMPLE_HEADER, t);
    expect(buf.length).toBe(1352);
    expect(buf.readInt8(29 + 15)).toBe(-1);
    expect(buf.readUInt16LE(29)).toBe(300);

    const d23 = blankPacket(2023, 10);
    const d25 = blankPacket(2025, 10);
    expect(d23.carDamageData[0]!.tyreBlisters).toBeUndefined();
    expect(d25.carDamageData[0]!.tyreBlisters).toEqual([0, 0, 0, 0]);
    expect(blankPacket(2025, 4).participants[0]!.name).toBe('');
    expect(() => blankPacket(2023, 15)).toThrow('no packet id 15 in format 2023');
  });
});
