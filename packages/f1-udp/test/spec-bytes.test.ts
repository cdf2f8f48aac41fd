/**
 * Datagrams written byte by byte at the offsets of EA's F1 23/24/25 specs (offsets worked out by
 * hand from the packed structs, noted beside each write), decoded, and then encoded back: the
 * encoder must reproduce the hand-built bytes exactly, which pins every field it writes.
 */
import { decodePacket, encodePacket, type DecodeSuccess, type Packet, type PacketHeader } from '@pitwall/f1-udp';
import { FORMATS, SAMPLE_HEADER, datagram } from './support';

function decodeOk(buf: Buffer): DecodeSuccess {
  const result = decodePacket(buf);
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}: ${result.detail}`);
  return result;
}

function headerFields(header: PacketHeader) {
  const { packetFormat: _f, packetId: _i, ...rest } = header;
  return rest;
}

/** Decodes, checks the body's id, and checks that encoding the result gives the same bytes. */
function decodeAndReencode<I extends Packet['id']>(buf: Buffer, id: I): Extract<Packet, { id: I }> {
  const { header, packet } = decodeOk(buf);
  expect(packet.id).toBe(id);
  expect(encodePacket(header.packetFormat, headerFields(header), packet).equals(buf)).toBe(true);
  return packet as Extract<Packet, { id: I }>;
}

const f32 = Math.fround;

describe('header (29 bytes, all formats)', () => {
  it.each(FORMATS)('reads every header field of format %i, including a sessionUID of 2^64-1', (format) => {
    const buf = datagram(format, 6, 1352, { sessionUID: 0xffffffffffffffffn, sessionTime: f32(0.81) });
    const { header } = decodeOk(buf);
    expect(header).toEqual({
      packetFormat: format,
      gameYear: format % 100,
      gameMajorVersion: 1,
      gameMinorVersion: 12,
      packetVersion: 1,
      packetId: 6,
      sessionUID: 18446744073709551615n,
      sessionTime: 0.8100000023841858,
      frameIdentifier: 4242,
      overallFrameIdentifier: 4343,
      playerCarIndex: 19,
      secondaryPlayerCarIndex: 255,
    });
    expect(header.sessionUID.toString()).toBe('18446744073709551615');
  });

  it('tolerates a zeroed menu header (session UID 0, game year 0 in F1 23)', () => {
    const buf = datagram(2023, 0, 1349, {
      gameYear: 0, gameMajorVersion: 0, gameMinorVersion: 0, packetVersion: 0, sessionUID: 0n,
      sessionTime: 0, frameIdentifier: 0, overallFrameIdentifier: 0, playerCarIndex: 0, secondaryPlayerCarIndex: 0,
    });
    const { header } = decodeOk(buf);
    expect(header.gameYear).toBe(0);
    expect(header.sessionUID).toBe(0n);
  });
});

describe('motion (0): 60 bytes a car from offset 29', () => {
  it.each(FORMATS)('format %i: last car, signed direction vectors, float32 precision', (format) => {
    const buf = datagram(format, 0, 1349);
    const car = 29 + 21 * 60;
    buf.writeFloatLE(0.81, car + 0); // worldPositionX
    buf.writeFloatLE(-1234.5, car + 20); // worldVelocityZ
    buf.writeInt16LE(-32767, car + 24); // worldForwardDirX
    buf.writeInt16LE(32767, car + 34); // worldRightDirZ
    buf.writeFloatLE(-4.25, car + 36); // gForceLateral
    buf.writeFloatLE(3.14159, car + 56); // roll, the last 4 bytes of the datagram
    const packet = decodeAndReencode(buf, 0);
    const m = packet.carMotionData[21]!;
    expect(packet.carMotionData).toHaveLength(22);
    expect(m.worldPositionX).toBe(0.8100000023841858);
    expect(m.worldVelocityZ).toBe(-1234.5);
    expect(m.worldForwardDirX).toBe(-32767);
    expect(m.worldRightDirZ).toBe(32767);
    expect(m.gForceLateral).toBe(-4.25);
    expect(m.roll).toBe(f32(3.14159));
    expect(packet.carMotionData[20]!.roll).toBe(0);
  });
});

describe('session (1)', () => {
  it('F1 23: 56 forecast samples, Race = 10, last field at 643', () => {
    const buf = datagram(2023, 1, 644);
    buf.writeUInt8(3, 29); // weather
    buf.writeInt8(-5, 30); // trackTemperature
    buf.writeInt8(-12, 31); // airTemperature
    buf.writeUInt8(57, 32); // totalLaps
    buf.writeUInt16LE(5412, 33); // trackLength
    buf.writeUInt8(10, 35); // sessionType: Race in F1 23
    buf.writeInt8(-1, 36); // trackId unknown
    buf.writeUInt16LE(3600, 38); // sessionTimeLeft
    buf.writeUInt8(21, 47); // numMarshalZones
    buf.writeFloatLE(0.5, 48 + 20 * 5); // marshalZones[20].zoneStart
    buf.writeInt8(-1, 48 + 20 * 5 + 4); // marshalZones[20].zoneFlag
    buf.writeUInt8(2, 153); // safetyCarStatus
    buf.writeUInt8(56, 155); // numWeatherForecastSamples
    buf.writeUInt8(10, 156 + 55 * 8); // weatherForecastSamples[55].sessionType
    buf.writeInt8(-3, 156 + 55 * 8 + 3); // [55].trackTemperature
    buf.writeUInt8(99, 156 + 55 * 8 + 7); // [55].rainPercentage
    buf.writeUInt8(1, 604); // forecastAccuracy
    buf.writeUInt32LE(0xdeadbeef, 606); // seasonLinkIdentifier
    buf.writeUInt32LE(720, 632); // timeOfDay
    buf.writeUInt8(3, 643); // numRedFlagPeriods
    const s = decodeAndReencode(buf, 1);
    expect(s).toMatchObject({
      weather: 3, trackTemperature: -5, airTemperature: -12, totalLaps: 57, trackLength: 5412,
      sessionType: 10, trackId: -1, sessionTimeLeft: 3600, numMarshalZones: 21, safetyCarStatus: 2,
      numWeatherForecastSamples: 56, forecastAccuracy: 1, seasonLinkIdentifier: 0xdeadbeef, timeOfDay: 720,
      numRedFlagPeriods: 3,
    });
    expect(s.marshalZones[20]).toEqual({ zoneStart: 0.5, zoneFlag: -1 });
    expect(s.weatherForecastSamples).toHaveLength(56);
    expect(s.weatherForecastSamples[55]).toMatchObject({ sessionType: 10, trackTemperature: -3, rainPercentage: 99 });
    expect(s.sector2LapDistanceStart).toBeUndefined();
    expect('equalCarPerformance' in s).toBe(false);
  });

  it.each([2024, 2025])('F1 %i: 64 forecast samples, weekend settings, sector starts at 745/749', (format) => {
    const buf = datagram(format, 1, 753);
    buf.writeUInt8(15, 35); // sessionType: Race in F1 24/25
    buf.writeUInt8(64, 155); // numWeatherForecastSamples
    buf.writeUInt8(18, 156 + 63 * 8); // weatherForecastSamples[63].sessionType (Time Trial)
    buf.writeInt8(-7, 156 + 63 * 8 + 5); // [63].airTemperature
    buf.writeUInt8(1, 668); // forecastAccuracy, 64 bytes later than F1 23
    buf.writeUInt32LE(1439, 696); // timeOfDay
    buf.writeUInt8(2, 707); // numRedFlagPeriods
    buf.writeUInt8(1, 708); // equalCarPerformance
    buf.writeUInt8(3, 731); // affectsLicenceLevelMP
    buf.writeUInt8(4, 732); // numSessionsInWeekend
    buf.writeUInt8(15, 733 + 11); // weekendStructure[11]
    buf.writeFloatLE(1800.25, 745); // sector2LapDistanceStart
    buf.writeFloatLE(3600.75, 749); // sector3LapDistanceStart
    const s = decodeAndReencode(buf, 1);
    expect(s.sessionType).toBe(15);
    expect(s.weatherForecastSamples).toHaveLength(64);
    expect(s.weatherForecastSamples[63]).toMatchObject({ sessionType: 18, airTemperature: -7 });
    expect(s).toMatchObject({
      forecastAccuracy: 1, timeOfDay: 1439, numRedFlagPeriods: 2, equalCarPerformance: 1,
      affectsLicenceLevelMP: 3, numSessionsInWeekend: 4, sector2LapDistanceStart: 1800.25, sector3LapDistanceStart: 3600.75,
    });
    expect(s.weekendStructure![11]).toBe(15);
  });
});

describe('lap data (2)', () => {
  it('F1 23: 50 bytes a car, uint16 deltas, sector = minutes * 60000 + ms', () => {
    const buf = datagram(2023, 2, 1131);
    const car = 29 + 21 * 50;
    buf.writeUInt32LE(95123, car + 0); // lastLapTimeInMS
    buf.writeUInt16LE(5432, car + 8); // sector1 ms part
    buf.writeUInt8(1, car + 10); // sector1 minutes part
    buf.writeUInt16LE(59999, car + 11); // sector2 ms part
    buf.writeUInt8(2, car + 13); // sector2 minutes part
    buf.writeUInt16LE(65535, car + 14); // deltaToCarInFrontInMS
    buf.writeUInt16LE(1234, car + 16); // deltaToRaceLeaderInMS
    buf.writeFloatLE(-12.5, car + 18); // lapDistance, negative before the line
    buf.writeUInt8(20, car + 30); // carPosition
    buf.writeUInt8(7, car + 43); // resultStatus
    buf.writeUInt16LE(24000, car + 45); // pitLaneTimeInLaneInMS
    buf.writeUInt8(1, car + 49); // pitStopShouldServePen
    buf.writeUInt8(255, 1129); // timeTrialPBCarIdx
    buf.writeUInt8(3, 1130); // timeTrialRivalCarIdx
    const p = decodeAndReencode(buf, 2);
    expect(p.lapData[21]).toMatchObject({
      lastLapTimeInMS: 95123, sector1TimeMS: 65432, sector2TimeMS: 179999, deltaToCarInFrontMS: 65535,
      deltaToRaceLeaderMS: 1234, lapDistance: -12.5, carPosition: 20, resultStatus: 7, pitLaneTimeInLaneInMS: 24000,
      pitStopShouldServePen: 1,
    });
    expect(p.lapData[21]!.speedTrapFastestSpeed).toBeUndefined();
    expect(p).toMatchObject({ timeTrialPBCarIdx: 255, timeTrialRivalCarIdx: 3 });
  });

  it.each([2024, 2025])('F1 %i: 57 bytes a car, minute parts after the deltas, speed trap', (format) => {
    const buf = datagram(format, 2, 1285);
    const car = 29 + 21 * 57;
    buf.writeUInt16LE(30000, car + 8); // sector1 ms part
    buf.writeUInt8(0, car + 10);
    buf.writeUInt16LE(100, car + 14); // deltaToCarInFront ms part
    buf.writeUInt8(1, car + 16); // deltaToCarInFront minutes part
    buf.writeUInt16LE(200, car + 17); // deltaToRaceLeader ms part
    buf.writeUInt8(3, car + 19); // deltaToRaceLeader minutes part
    buf.writeFloatLE(4321.5, car + 20); // lapDistance
    buf.writeUInt8(1, car + 32); // carPosition
    buf.writeUInt8(1, car + 51); // pitStopShouldServePen
    buf.writeFloatLE(331.7, car + 52); // speedTrapFastestSpeed
    buf.writeUInt8(255, car + 56); // speedTrapFastestLap
    buf.writeUInt8(7, 1283); // timeTrialPBCarIdx
    const p = decodeAndReencode(buf, 2);
    expect(p.lapData[21]).toMatchObject({
      sector1TimeMS: 30000, deltaToCarInFrontMS: 60100, deltaToRaceLeaderMS: 180200, lapDistance: 4321.5,
      carPosition: 1, pitStopShouldServePen: 1, speedTrapFastestSpeed: f32(331.7), speedTrapFastestLap: 255,
    });
    expect(p.timeTrialPBCarIdx).toBe(7);
  });
});

describe('event (3): 4-byte code at 29, 12-byte details union at 33', () => {
  function event(format: number, code: string): Buffer {
    const buf = datagram(format, 3, 45);
    buf.write(code, 29, 'latin1');
    return buf;
  }

  it.each(FORMATS)('format %i: FTLP, PENA, SPTP, FLBK, BUTN, OVTK, STLG and detail-less codes', (format) => {
    let b = event(format, 'FTLP');
    b.writeUInt8(21, 33);
    b.writeFloatLE(83.456, 34);
    expect(decodeAndReencode(b, 3)).toEqual({ id: 3, code: 'FTLP', details: { vehicleIdx: 21, lapTime: f32(83.456) } });

    b = event(format, 'PENA');
    [5, 27, 3, 255, 10, 12, 2].forEach((v, i) => b.writeUInt8(v, 33 + i));
    expect(decodeAndReencode(b, 3).details).toEqual({
      penaltyType: 5, infringementType: 27, vehicleIdx: 3, otherVehicleIdx: 255, time: 10, lapNum: 12, placesGained: 2,
    });

    b = event(format, 'SPTP');
    b.writeUInt8(4, 33);
    b.writeFloatLE(344.2, 34);
    b.writeUInt8(1, 38);
    b.writeUInt8(0, 39);
    b.writeUInt8(9, 40);
    b.writeFloatLE(350.1, 41); // fastestSpeedInSession: the last 4 bytes
    expect(decodeAndReencode(b, 3).details).toEqual({
      vehicleIdx: 4, speed: f32(344.2), isOverallFastestInSession: 1, isDriverFastestInSession: 0,
      fastestVehicleIdxInSession: 9, fastestSpeedInSession: f32(350.1),
    });

    b = event(format, 'FLBK');
    b.writeUInt32LE(0xfffffffe, 33);
    b.writeFloatLE(61.5, 37);
    expect(decodeAndReencode(b, 3).details).toEqual({ flashbackFrameIdentifier: 0xfffffffe, flashbackSessionTime: 61.5 });

    b = event(format, 'BUTN');
    b.writeUInt32LE(0x80000001, 33);
    expect(decodeAndReencode(b, 3).details).toEqual({ buttonStatus: 0x80000001 });

    b = event(format, 'OVTK');
    b.writeUInt8(1, 33);
    b.writeUInt8(2, 34);
    expect(decodeAndReencode(b, 3).details).toEqual({ overtakingVehicleIdx: 1, beingOvertakenVehicleIdx: 2 });

    b = event(format, 'STLG');
    b.writeUInt8(5, 33);
    expect(decodeAndReencode(b, 3).details).toEqual({ numLights: 5 });

    for (const code of ['SSTA', 'SEND', 'DRSE', 'CHQF', 'LGOT', 'RDFL']) {
      expect(decodeAndReencode(event(format, code), 3)).toEqual({ id: 3, code, details: {} });
    }
    for (const code of ['TMPT', 'RCWN', 'DTSV']) {
      b = event(format, code);
      b.writeUInt8(17, 33);
      expect(decodeAndReencode(b, 3).details).toEqual({ vehicleIdx: 17 });
    }
  });

  it('F1 23 has no SCAR or COLL; F1 24 adds them', () => {
    for (const code of ['SCAR', 'COLL']) {
      const r = decodePacket(event(2023, code));
      expect(r).toMatchObject({ ok: false, reason: 'unknown_event_code', packetFormat: 2023, packetId: 3 });
    }
    let b = event(2024, 'SCAR');
    b.writeUInt8(2, 33);
    b.writeUInt8(3, 34);
    expect(decodeAndReencode(b, 3).details).toEqual({ safetyCarType: 2, eventType: 3 });
    b = event(2025, 'COLL');
    b.writeUInt8(0, 33);
    b.writeUInt8(21, 34);
    expect(decodeAndReencode(b, 3).details).toEqual({ vehicle1Idx: 0, vehicle2Idx: 21 });
  });

  it('F1 25 adds a reason to RTMT and DRSD and a stop time to SGSV; F1 24 does not', () => {
    let b = event(2025, 'RTMT');
    b.writeUInt8(6, 33);
    b.writeUInt8(8, 34);
    expect(decodeAndReencode(b, 3).details).toEqual({ vehicleIdx: 6, reason: 8 });
    b = event(2025, 'DRSD');
    b.writeUInt8(2, 33);
    expect(decodeAndReencode(b, 3).details).toEqual({ reason: 2 });
    b = event(2025, 'SGSV');
    b.writeUInt8(11, 33);
    b.writeFloatLE(10.3, 34);
    expect(decodeAndReencode(b, 3).details).toEqual({ vehicleIdx: 11, stopTime: f32(10.3) });

    b = event(2024, 'RTMT');
    b.writeUInt8(6, 33);
    expect(decodeOk(b).packet).toEqual({ id: 3, code: 'RTMT', details: { vehicleIdx: 6 } });
    b = event(2024, 'SGSV');
    b.writeUInt8(11, 33);
    expect(decodeOk(b).packet).toEqual({ id: 3, code: 'SGSV', details: { vehicleIdx: 11 } });
  });

  it('rejects an unknown code with the code in the detail', () => {
    const r = decodePacket(event(2025, 'ABCD'));
    expect(r).toMatchObject({ ok: false, reason: 'unknown_event_code' });
    expect(!r.ok && r.detail).toContain('"ABCD"');
  });
});

describe('participants (4)', () => {
  function writeName(buf: Buffer, offset: number, name: string) {
    buf.write(name, offset, 'utf8'); // the rest stays NUL
  }

  it('F1 23: 58 bytes a car, 48-byte names', () => {
    const buf = datagram(2023, 4, 1306);
    buf.writeUInt8(20, 29); // numActiveCars
    const car = 30 + 21 * 58;
    buf.writeUInt8(1, car + 0); // aiControlled
    buf.writeUInt8(255, car + 1); // driverId: network human
    buf.writeUInt8(8, car + 3); // teamId
    buf.writeUInt8(44, car + 5); // raceNumber
    writeName(buf, car + 7, 'Kimi Räikkönen');
    buf.writeUInt8(1, car + 55); // yourTelemetry
    buf.writeUInt8(0, car + 56); // showOnlineNames
    buf.writeUInt8(3, car + 57); // platform
    const p = decodeAndReencode(buf, 4);
    expect(p.numActiveCars).toBe(20);
    expect(p.participants[21]).toEqual({
      aiControlled: 1, driverId: 255, networkId: 0, teamId: 8, myTeam: 0, raceNumber: 44, nationality: 0,
      name: 'Kimi Räikkönen', yourTelemetry: 1, showOnlineNames: 0, platform: 3,
    });
  });

  it('F1 24: 60 bytes a car, little-endian techLevel after showOnlineNames', () => {
    const buf = datagram(2024, 4, 1350);
    const car = 30 + 21 * 60;
    writeName(buf, car + 7, 'x'.repeat(47)); // longest name that still has its NUL
    buf.writeUInt16LE(0x0102, car + 57); // techLevel: 258, not 513
    buf.writeUInt8(6, car + 59); // platform
    const p = decodeAndReencode(buf, 4);
    expect(p.participants[21]!.name).toBe('x'.repeat(47));
    expect(p.participants[21]!.techLevel).toBe(258);
    expect(p.participants[21]!.platform).toBe(6);
  });

  it('F1 25: 57 bytes a car, 32-byte names, livery colours', () => {
    const buf = datagram(2025, 4, 1284);
    const car = 30 + 21 * 57;
    writeName(buf, car + 7, 'Łukasz 漢字…');
    buf.writeUInt8(1, car + 39); // yourTelemetry
    buf.writeUInt16LE(3000, car + 41); // techLevel
    buf.writeUInt8(4, car + 43); // platform
    buf.writeUInt8(2, car + 44); // numColours
    [255, 0, 10, 1, 2, 3].forEach((v, i) => buf.writeUInt8(v, car + 45 + i)); // liveryColours[0..1]
    buf.writeUInt8(77, car + 56); // liveryColours[3].blue, the last byte
    const p = decodeAndReencode(buf, 4);
    expect(p.participants[21]).toMatchObject({
      name: 'Łukasz 漢字…', yourTelemetry: 1, techLevel: 3000, platform: 4, numColours: 2,
      liveryColours: [{ red: 255, green: 0, blue: 10 }, { red: 1, green: 2, blue: 3 }, { red: 0, green: 0, blue: 0 }, { red: 0, green: 0, blue: 77 }],
    });
  });

  it('stops a name at the first NUL and ignores the junk after it', () => {
    const buf = datagram(2025, 4, 1284);
    buf.write('Max\0junk', 30 + 7, 'utf8');
    const { packet } = decodeOk(buf);
    expect(packet.id === 4 && packet.participants[0]!.name).toBe('Max');
  });
});

describe('car telemetry (6): 60 bytes a car, trailer at 1349', () => {
  it.each(FORMATS)('format %i: reverse gear, wheel arrays RL RR FL FR, suggested gear', (format) => {
    const buf = datagram(format, 6, 1352);
    const car = 29 + 5 * 60;
    buf.writeUInt16LE(312, car + 0); // speed
    buf.writeFloatLE(0.81, car + 2); // throttle
    buf.writeFloatLE(-1, car + 6); // steer
    buf.writeFloatLE(0.25, car + 10); // brake
    buf.writeUInt8(100, car + 14); // clutch
    buf.writeInt8(-1, car + 15); // gear: reverse
    buf.writeUInt16LE(12500, car + 16); // engineRPM
    buf.writeUInt8(1, car + 18); // drs
    buf.writeUInt16LE(0x7fff, car + 20); // revLightsBitValue
    [900, 910, 1000, 1010].forEach((v, i) => buf.writeUInt16LE(v, car + 22 + 2 * i)); // brakesTemperature RL RR FL FR
    [90, 91, 100, 101].forEach((v, i) => buf.writeUInt8(v, car + 30 + i)); // tyresSurfaceTemperature
    [95, 96, 105, 106].forEach((v, i) => buf.writeUInt8(v, car + 34 + i)); // tyresInnerTemperature
    buf.writeUInt16LE(110, car + 38); // engineTemperature
    [21.5, 21.6, 23.5, 23.6].forEach((v, i) => buf.writeFloatLE(v, car + 40 + 4 * i)); // tyresPressure
    [0, 1, 4, 7].forEach((v, i) => buf.writeUInt8(v, car + 56 + i)); // surfaceType
    buf.writeUInt8(255, 1349); // mfdPanelIndex
    buf.writeInt8(-1, 1351); // suggestedGear
    const p = decodeAndReencode(buf, 6);
    expect(p.carTelemetryData[5]).toEqual({
      speed: 312, throttle: 0.8100000023841858, steer: -1, brake: 0.25, clutch: 100, gear: -1, engineRPM: 12500,
      drs: 1, revLightsPercent: 0, revLightsBitValue: 0x7fff, brakesTemperature: [900, 910, 1000, 1010],
      tyresSurfaceTemperature: [90, 91, 100, 101], tyresInnerTemperature: [95, 96, 105, 106], engineTemperature: 110,
      tyresPressure: [21.5, f32(21.6), 23.5, f32(23.6)], surfaceType: [0, 1, 4, 7],
    });
    expect(p).toMatchObject({ mfdPanelIndex: 255, mfdPanelIndexSecondaryPlayer: 0, suggestedGear: -1 });
  });
});

describe('car status (7): 55 bytes a car', () => {
  it.each(FORMATS)('format %i: fuel, negative FIA flag, ERS', (format) => {
    const buf = datagram(format, 7, 1239);
    const car = 29 + 21 * 55;
    buf.writeUInt8(2, car + 0); // tractionControl
    buf.writeUInt8(58, car + 3); // frontBrakeBias
    buf.writeFloatLE(42.5, car + 5); // fuelInTank
    buf.writeFloatLE(110, car + 9); // fuelCapacity
    buf.writeFloatLE(-0.75, car + 13); // fuelRemainingLaps
    buf.writeUInt16LE(13000, car + 17); // maxRPM
    buf.writeUInt16LE(4000, car + 19); // idleRPM
    buf.writeUInt8(8, car + 21); // maxGears
    buf.writeUInt16LE(250, car + 23); // drsActivationDistance
    buf.writeUInt8(16, car + 25); // actualTyreCompound
    buf.writeUInt8(16, car + 26); // visualTyreCompound
    buf.writeUInt8(12, car + 27); // tyresAgeLaps
    buf.writeInt8(-1, car + 28); // vehicleFiaFlags
    buf.writeFloatLE(4e6, car + 37); // ersStoreEnergy
    buf.writeUInt8(3, car + 41); // ersDeployMode
    buf.writeFloatLE(12345.5, car + 50); // ersDeployedThisLap
    buf.writeUInt8(1, car + 54); // networkPaused
    const p = decodeAndReencode(buf, 7);
    expect(p.carStatusData[21]).toMatchObject({
      tractionControl: 2, frontBrakeBias: 58, fuelInTank: 42.5, fuelCapacity: 110, fuelRemainingLaps: -0.75,
      maxRPM: 13000, idleRPM: 4000, maxGears: 8, drsActivationDistance: 250, actualTyreCompound: 16,
      visualTyreCompound: 16, tyresAgeLaps: 12, vehicleFiaFlags: -1, ersStoreEnergy: 4e6, ersDeployMode: 3,
      ersDeployedThisLap: 12345.5, networkPaused: 1,
    });
  });
});

describe('final classification (8)', () => {
  it.each([
    [2023, 1020, 45, 0],
    [2024, 1020, 45, 0],
    [2025, 1042, 46, 1],
  ])('format %i: %i bytes, %i a car', (format, size, stride, shift) => {
    const buf = datagram(format, 8, size);
    buf.writeUInt8(20, 29); // numCars
    const car = 30 + 21 * stride;
    buf.writeUInt8(1, car + 0); // position
    buf.writeUInt8(57, car + 1); // numLaps
    buf.writeUInt8(3, car + 5); // resultStatus: finished
    if (shift) buf.writeUInt8(2, car + 6); // resultReason (F1 25)
    buf.writeUInt32LE(81234, car + 6 + shift); // bestLapTimeInMS
    buf.writeDoubleLE(5432.123456789, car + 10 + shift); // totalRaceTime (double)
    buf.writeUInt8(5, car + 18 + shift); // penaltiesTime
    buf.writeUInt8(2, car + 20 + shift); // numTyreStints
    buf.writeUInt8(18, car + 21 + shift + 1); // tyreStintsActual[1]
    buf.writeUInt8(57, car + 37 + shift + 7); // tyreStintsEndLaps[7], the last byte
    const p = decodeAndReencode(buf, 8);
    const c = p.classificationData[21]!;
    expect(c).toMatchObject({
      position: 1, numLaps: 57, resultStatus: 3, bestLapTimeInMS: 81234, totalRaceTime: 5432.123456789,
      penaltiesTime: 5, numTyreStints: 2,
    });
    expect(c.tyreStintsActual[1]).toBe(18);
    expect(c.tyreStintsEndLaps[7]).toBe(57);
    expect(c.resultReason).toBe(shift ? 2 : undefined);
  });
});

describe('car damage (10)', () => {
  it.each([
    [2023, 953, 42, 0],
    [2024, 953, 42, 0],
    [2025, 1041, 46, 4],
  ])('format %i: %i bytes, %i a car, wings %i bytes later', (format, size, stride, shift) => {
    const buf = datagram(format, 10, size);
    const car = 29 + 21 * stride;
    [10.5, 20.5, 30.5, 40.5].forEach((v, i) => buf.writeFloatLE(v, car + 4 * i)); // tyresWear RL RR FL FR
    [1, 2, 3, 4].forEach((v, i) => buf.writeUInt8(v, car + 16 + i)); // tyresDamage
    [5, 6, 7, 8].forEach((v, i) => buf.writeUInt8(v, car + 20 + i)); // brakesDamage
    if (shift) [9, 10, 11, 12].forEach((v, i) => buf.writeUInt8(v, car + 24 + i)); // tyreBlisters (F1 25)
    buf.writeUInt8(33, car + 24 + shift); // frontLeftWingDamage
    buf.writeUInt8(44, car + 25 + shift); // frontRightWingDamage
    buf.writeUInt8(1, car + 30 + shift); // drsFault
    buf.writeUInt8(1, car + 41 + shift); // engineSeized, the last byte of the car
    const p = decodeAndReencode(buf, 10);
    const d = p.carDamageData[21]!;
    expect(d).toMatchObject({
      tyresWear: [10.5, 20.5, 30.5, 40.5], tyresDamage: [1, 2, 3, 4], brakesDamage: [5, 6, 7, 8],
      frontLeftWingDamage: 33, frontRightWingDamage: 44, drsFault: 1, engineSeized: 1, engineBlown: 0,
    });
    expect(d.tyreBlisters).toEqual(shift ? [9, 10, 11, 12] : undefined);
  });
});

describe('session history (11): 14 bytes a lap from 36, stints from 1436', () => {
  it.each(FORMATS)('format %i: lap and sector times, stints', (format) => {
    const buf = datagram(format, 11, 1460);
    buf.writeUInt8(7, 29); // carIdx
    buf.writeUInt8(100, 30); // numLaps
    buf.writeUInt8(3, 31); // numTyreStints
    buf.writeUInt8(12, 32); // bestLapTimeLapNum
    buf.writeUInt8(14, 35); // bestSector3LapNum
    const lap = 36 + 99 * 14;
    buf.writeUInt32LE(95000, lap + 0); // lapTimeInMS
    buf.writeUInt16LE(31000, lap + 4); // sector1 ms part
    buf.writeUInt16LE(4000, lap + 7); // sector2 ms part
    buf.writeUInt8(1, lap + 9); // sector2 minutes part
    buf.writeUInt16LE(0, lap + 10); // sector3 ms part
    buf.writeUInt8(255, lap + 12); // sector3 minutes part
    buf.writeUInt8(0x0f, lap + 13); // lapValidBitFlags
    buf.writeUInt8(255, 1436 + 7 * 3); // tyreStintsHistoryData[7].endLap: current
    buf.writeUInt8(16, 1436 + 7 * 3 + 1);
    buf.writeUInt8(17, 1459); // tyreStintsHistoryData[7].tyreVisualCompound, the last byte
    const p = decodeAndReencode(buf, 11);
    expect(p).toMatchObject({ carIdx: 7, numLaps: 100, numTyreStints: 3, bestLapTimeLapNum: 12, bestSector3LapNum: 14 });
    expect(p.lapHistoryData[99]).toEqual({
      lapTimeInMS: 95000, sector1TimeMS: 31000, sector2TimeMS: 64000, sector3TimeMS: 255 * 60000, lapValidBitFlags: 0x0f,
    });
    expect(p.tyreStintsHistoryData[7]).toEqual({ endLap: 255, tyreActualCompound: 16, tyreVisualCompound: 17 });
  });
});

describe('car setups (5), lobby (9), tyre sets (12), motion ex (13), time trial (14), lap positions (15)', () => {
  it('car setups: F1 24 adds engineBraking and nextFrontWingValue', () => {
    let buf = datagram(2023, 5, 1107);
    buf.writeFloatLE(-3.5, 29 + 21 * 49 + 4); // carSetups[21].frontCamber
    buf.writeFloatLE(105.5, 29 + 21 * 49 + 45); // carSetups[21].fuelLoad, the last 4 bytes
    let p = decodeAndReencode(buf, 5);
    expect(p.carSetups[21]).toMatchObject({ frontCamber: -3.5, fuelLoad: 105.5 });
    expect(p.nextFrontWingValue).toBeUndefined();

    buf = datagram(2025, 5, 1133);
    buf.writeUInt8(58, 29 + 21 * 50 + 27); // carSetups[21].brakeBias
    buf.writeUInt8(80, 29 + 21 * 50 + 28); // carSetups[21].engineBraking, after brakeBias
    buf.writeFloatLE(22.5, 29 + 21 * 50 + 29); // carSetups[21].rearLeftTyrePressure
    buf.writeFloatLE(12, 1129); // nextFrontWingValue
    p = decodeAndReencode(buf, 5);
    expect(p.carSetups[21]).toMatchObject({ brakeBias: 58, engineBraking: 80, rearLeftTyrePressure: 22.5 });
    expect(p.nextFrontWingValue).toBe(12);
  });

  it('lobby info: 54 / 58 / 42 bytes a player', () => {
    let buf = datagram(2023, 9, 1218);
    buf.write('Lobby Player', 30 + 21 * 54 + 4, 'utf8');
    buf.writeUInt8(2, 30 + 21 * 54 + 53); // readyStatus
    let p = decodeAndReencode(buf, 9);
    expect(p.lobbyPlayers[21]).toEqual({ aiControlled: 0, teamId: 0, nationality: 0, platform: 0, name: 'Lobby Player', carNumber: 0, readyStatus: 2 });

    buf = datagram(2024, 9, 1306);
    buf.writeUInt16LE(513, 30 + 21 * 58 + 55); // techLevel
    buf.writeUInt8(1, 30 + 21 * 58 + 57); // readyStatus
    p = decodeAndReencode(buf, 9);
    expect(p.lobbyPlayers[21]).toMatchObject({ techLevel: 513, readyStatus: 1 });

    buf = datagram(2025, 9, 954);
    buf.write('p'.repeat(31), 30 + 21 * 42 + 4, 'utf8');
    buf.writeUInt8(33, 30 + 21 * 42 + 36); // carNumber
    buf.writeUInt8(1, 30 + 21 * 42 + 41); // readyStatus
    p = decodeAndReencode(buf, 9);
    expect(p.lobbyPlayers[21]).toMatchObject({ name: 'p'.repeat(31), carNumber: 33, readyStatus: 1 });
  });

  it.each(FORMATS)('tyre sets, format %i: signed lap delta', (format) => {
    const buf = datagram(format, 12, 231);
    buf.writeUInt8(4, 29); // carIdx
    buf.writeInt16LE(-1500, 30 + 19 * 10 + 7); // tyreSetData[19].lapDeltaTime
    buf.writeUInt8(1, 30 + 19 * 10 + 9); // tyreSetData[19].fitted
    buf.writeUInt8(19, 230); // fittedIdx
    const p = decodeAndReencode(buf, 12);
    expect(p.tyreSetData[19]).toMatchObject({ lapDeltaTime: -1500, fitted: 1 });
    expect(p).toMatchObject({ carIdx: 4, fittedIdx: 19 });
  });

  it('motion ex: 217 / 237 / 273 bytes', () => {
    let buf = datagram(2023, 13, 217);
    buf.writeFloatLE(-0.02, 29 + 12); // suspensionPosition[FR]
    buf.writeFloatLE(7000, 201 + 12); // wheelVertForce[FR], the last 4 bytes
    let p = decodeAndReencode(buf, 13);
    expect(p.suspensionPosition[3]).toBe(f32(-0.02));
    expect(p.wheelVertForce[3]).toBe(7000);
    expect(p.chassisYaw).toBeUndefined();

    buf = datagram(2024, 13, 237);
    buf.writeFloatLE(0.03, 217); // frontAeroHeight
    buf.writeFloatLE(-0.5, 233); // chassisYaw
    p = decodeAndReencode(buf, 13);
    expect(p).toMatchObject({ frontAeroHeight: f32(0.03), chassisYaw: -0.5 });
    expect(p.chassisPitch).toBeUndefined();

    buf = datagram(2025, 13, 273);
    buf.writeFloatLE(0.125, 237); // chassisPitch
    buf.writeFloatLE(-0.0625, 241); // wheelCamber[RL]
    buf.writeFloatLE(0.25, 269); // wheelCamberGain[FR]
    p = decodeAndReencode(buf, 13);
    expect(p.chassisPitch).toBe(0.125);
    expect(p.wheelCamber![0]).toBe(-0.0625);
    expect(p.wheelCamberGain![3]).toBe(0.25);
  });

  it('time trial (F1 24+): three 24-byte data sets', () => {
    const buf = datagram(2024, 14, 101);
    buf.writeUInt8(3, 29 + 48); // rivalDataSet.carIdx
    buf.writeUInt32LE(88123, 29 + 48 + 2); // rivalDataSet.lapTimeInMS
    buf.writeUInt8(1, 100); // rivalDataSet.valid
    const p = decodeAndReencode(buf, 14);
    expect(p.rivalDataSet).toMatchObject({ carIdx: 3, lapTimeInMS: 88123, valid: 1 });
    expect(decodePacket(datagram(2023, 14, 101))).toMatchObject({ ok: false, reason: 'unknown_packet_id' });
  });

  it('lap positions (F1 25 only): 50 laps × 22 cars', () => {
    const buf = datagram(2025, 15, 1131);
    buf.writeUInt8(50, 29);
    buf.writeUInt8(50, 30); // lapStart
    buf.writeUInt8(20, 31 + 49 * 22 + 21); // [lap 49][car 21], the last byte
    const p = decodeAndReencode(buf, 15);
    expect(p.positionForVehicleIdx).toHaveLength(50);
    expect(p.positionForVehicleIdx[49]![21]).toBe(20);
    expect(decodePacket(datagram(2024, 15, 1131))).toMatchObject({ ok: false, reason: 'unknown_packet_id' });
  });
});

describe('rejections', () => {
  it('too short: fewer than 29 bytes', () => {
    expect(decodePacket(Buffer.alloc(28))).toMatchObject({ ok: false, reason: 'too_short' });
    expect(decodePacket(Buffer.alloc(0))).toMatchObject({ ok: false, reason: 'too_short' });
  });

  it('unknown format, with the format and id it read', () => {
    const r = decodePacket(datagram(2022, 6, 1352));
    expect(r).toMatchObject({ ok: false, reason: 'unknown_format', packetFormat: 2022, packetId: 6 });
  });

  it('length mismatch: an F1 23 session length sent as F1 24, one byte short, one byte long', () => {
    const asF124 = datagram(2024, 1, 644);
    const r = decodePacket(asF124);
    expect(r).toMatchObject({ ok: false, reason: 'length_mismatch', packetFormat: 2024, packetId: 1 });
    expect(!r.ok && r.detail).toBe('session (id 1) in format 2024 is 753 bytes, got 644');
    expect(decodePacket(datagram(2025, 6, 1351))).toMatchObject({ reason: 'length_mismatch' });
    expect(decodePacket(datagram(2025, 6, 1353))).toMatchObject({ reason: 'length_mismatch' });
  });

  it('unknown packet id', () => {
    expect(decodePacket(datagram(2025, 16, 1000))).toMatchObject({ ok: false, reason: 'unknown_packet_id', packetId: 16 });
  });

  it('decodes a packet that is a view into a larger buffer', () => {
    const big = Buffer.concat([Buffer.alloc(7, 0xaa), datagram(2025, 3, 45), Buffer.alloc(5, 0xbb)]);
    big.write('LGOT', 7 + 29, 'latin1');
    const r = decodePacket(big.subarray(7, 7 + 45));
    expect(r).toMatchObject({ ok: true, packet: { id: 3, code: 'LGOT' }, header: { packetFormat: 2025, sessionUID: SAMPLE_HEADER.sessionUID } });
  });
});
