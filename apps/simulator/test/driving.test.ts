import { F1_CAR, GT3_CAR, Race, generateTrack, type LapCompletion } from '../src/driving';

const DT_MS = 1000 / 60;

function run(race: Race, seconds: number, onStep?: () => void): LapCompletion[] {
  const laps: LapCompletion[] = [];
  const steps = Math.round((seconds * 1000) / DT_MS);
  for (let i = 0; i < steps; i++) {
    laps.push(...race.step(DT_MS));
    onStep?.();
  }
  return laps;
}

/** Least-squares slope of y over x. */
function slope(x: number[], y: number[]): number {
  const mx = x.reduce((a, b) => a + b, 0) / x.length;
  const my = y.reduce((a, b) => a + b, 0) / y.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < x.length; i++) {
    num += (x[i]! - mx) * (y[i]! - my);
    den += (x[i]! - mx) ** 2;
  }
  return num / den;
}

describe('track', () => {
  it('is a closed loop of the requested length: the last sample leads back to the first', () => {
    const track = generateTrack({ name: 't', lengthM: 4200, seed: 3 });
    const n = track.samples;
    expect(n * track.sampleM).toBeCloseTo(4200, 6);
    const gap = Math.hypot(track.x[0]! - track.x[n - 1]!, track.y[0]! - track.y[n - 1]!);
    expect(gap).toBeLessThan(track.sampleM * 1.01);
    for (let i = 1; i < n; i++) {
      expect(Math.hypot(track.x[i]! - track.x[i - 1]!, track.y[i]! - track.y[i - 1]!)).toBeLessThan(track.sampleM * 1.01);
    }
    // It has real corners (radius under 60 m) and straights.
    const radii = Array.from(track.curvature, (k) => (k === 0 ? Infinity : 1 / Math.abs(k)));
    expect(Math.min(...radii)).toBeLessThan(60);
    expect(radii.filter((r) => r === Infinity).length / n).toBeGreaterThan(0.3);
    // Heading follows the path: the direction to the next sample.
    for (let i = 0; i < n - 1; i += 97) {
      const dir = Math.atan2(track.y[i + 1]! - track.y[i]!, track.x[i + 1]! - track.x[i]!);
      const diff = Math.atan2(Math.sin(dir - track.heading[i]!), Math.cos(dir - track.heading[i]!));
      expect(Math.abs(diff)).toBeLessThan(0.05);
    }
  });

  it('differs by seed and refuses a silly length', () => {
    const a = generateTrack({ name: 't', lengthM: 3000, seed: 1 });
    const b = generateTrack({ name: 't', lengthM: 3000, seed: 2 });
    expect(a.x[500]).not.toBeCloseTo(b.x[500]!, 3);
    expect(() => generateTrack({ name: 't', lengthM: 100, seed: 1 })).toThrow(/at least 500 m/);
  });
});

describe('race', () => {
  it('completes laps whose times follow the degradation curve (+0.08 s a lap of tyre age)', () => {
    const race = new Race({ seed: 11, cars: 4, spec: GT3_CAR, trackLengthM: 1500, degradationSPerLap: 0.08, lapNoiseS: 0.05, stintLaps: 100 });
    const laps = run(race, 25 * 35);
    for (const car of race.cars) {
      const own = laps.filter((l) => l.carIndex === car.index);
      expect(own.length).toBeGreaterThanOrEqual(20);
      expect(own.map((l) => l.lap)).toEqual(own.map((_l, i) => i + 1));
      const fitted = slope(
        own.map((l) => l.tyreAgeLaps),
        own.map((l) => l.lapTimeMs),
      );
      expect(fitted).toBeGreaterThan(80 * 0.8);
      expect(fitted).toBeLessThan(80 * 1.2);
      for (const lap of own) {
        expect(lap.sectorsMs.reduce((a, b) => a + b, 0)).toBe(lap.lapTimeMs);
        expect(Math.abs(lap.lapTimeMs - car.expectedLapMs(lap.tyreAgeLaps))).toBeLessThan(300);
      }
      expect(car.lapsCompleted).toBe(own.length);
      expect(car.lastLapMs).toBe(own.at(-1)!.lapTimeMs);
      expect(car.bestLapMs).toBe(Math.min(...own.map((l) => l.lapTimeMs)));
    }
  });

  it('measures a lap the same way a stopwatch on race time would', () => {
    const race = new Race({ seed: 5, cars: 1, spec: F1_CAR, trackLengthM: 2000 });
    const laps = run(race, 200);
    for (let i = 1; i < laps.length; i++) {
      expect(Math.abs(laps[i]!.atMs - laps[i - 1]!.atMs - laps[i]!.lapTimeMs)).toBeLessThan(2);
    }
  });

  it('keeps every channel within physical ranges over a stint', () => {
    const race = new Race({ seed: 2, cars: 10, spec: F1_CAR, trackLengthM: 2000 });
    let maxLat = 0;
    let minLong = 0;
    let maxSpeed = 0;
    let minSpeed = Infinity;
    const gearsSeen = new Set<number>();
    let braking = 0;
    let flatOut = 0;
    let bothPedals = 0;
    const range = (name: string) => ({ name, min: Infinity, max: -Infinity });
    const rpm = range('rpm');
    const steer = range('steer');
    const gVertical = range('gVertical');
    const see = (r: { min: number; max: number }, v: number) => {
      r.min = Math.min(r.min, v);
      r.max = Math.max(r.max, v);
    };
    // Accumulate and assert once: an expect per car per step would dominate the run time.
    run(race, 400, () => {
      for (const car of race.cars) {
        maxLat = Math.max(maxLat, Math.abs(car.gLateral));
        minLong = Math.min(minLong, car.gLongitudinal);
        maxSpeed = Math.max(maxSpeed, car.speedMs);
        minSpeed = Math.min(minSpeed, car.speedMs);
        gearsSeen.add(car.gear);
        if (car.brake > 0) braking++;
        if (car.throttle === 1) flatOut++;
        if (car.throttle > 0 && car.brake > 0) bothPedals++;
        see(rpm, car.rpm);
        see(steer, car.steer);
        see(gVertical, car.gVertical);
      }
    });
    expect(bothPedals).toBe(0);
    expect(rpm.min).toBeGreaterThanOrEqual(F1_CAR.idleRpm);
    expect(rpm.max).toBeLessThanOrEqual(F1_CAR.maxRpm);
    expect(rpm.max).toBeGreaterThan(F1_CAR.maxRpm * 0.9);
    expect(steer.min).toBeGreaterThanOrEqual(-1);
    expect(steer.max).toBeLessThanOrEqual(1);
    expect(steer.max - steer.min).toBeGreaterThan(0.2);
    expect(gVertical.min).toBeGreaterThan(0);
    expect(gVertical.max).toBeLessThan(3);
    expect(maxLat).toBeLessThanOrEqual(F1_CAR.lateralG * 1.2);
    expect(maxLat).toBeGreaterThan(2);
    expect(minLong).toBeGreaterThanOrEqual(-F1_CAR.brakingG * 1.2);
    expect(minLong).toBeLessThan(-2);
    expect(maxSpeed).toBeLessThanOrEqual(F1_CAR.topSpeedMs * 1.03);
    expect(minSpeed).toBeGreaterThan(10);
    expect(gearsSeen.size).toBeGreaterThanOrEqual(4);
    expect(braking).toBeGreaterThan(0);
    expect(flatOut).toBeGreaterThan(braking);
    for (const car of race.cars) {
      for (let w = 0; w < 4; w++) {
        expect(car.tyreWearPct[w]).toBeGreaterThan(10);
        expect(car.tyreWearPct[w]).toBeLessThan(60);
        expect(car.tyreSurfaceC[w]).toBeGreaterThan(60);
        expect(car.tyreSurfaceC[w]).toBeLessThan(140);
        expect(car.tyreInnerC[w]).toBeGreaterThan(60);
        expect(car.tyreInnerC[w]).toBeLessThan(130);
        expect(car.tyrePressurePsi(w)).toBeGreaterThan(19);
        expect(car.tyrePressurePsi(w)).toBeLessThan(25);
      }
      expect(car.fuelKg).toBeLessThan(F1_CAR.fuelStartKg);
      expect(car.fuelKg).toBeGreaterThan(0);
    }
  });

  it('wears tyres, heats them and burns fuel as laps go by', () => {
    const race = new Race({ seed: 9, cars: 1, spec: GT3_CAR, trackLengthM: 2000 });
    const car = race.cars[0]!;
    const laps = run(race, 60);
    expect(laps.length).toBeGreaterThan(0);
    const wear1 = [...car.tyreWearPct];
    const inner1 = [...car.tyreInnerC];
    const fuel1 = car.fuelKg;
    const lapsBefore = car.lapsCompleted;
    run(race, 240);
    const lapsDriven = car.lapsCompleted - lapsBefore;
    const wearGained = car.tyreWearPct.reduce((a, b) => a + b, 0) / 4 - wear1.reduce((a, b) => a + b, 0) / 4;
    expect(wearGained / lapsDriven).toBeCloseTo(2, 0);
    car.tyreInnerC.forEach((t, w) => expect(t).toBeGreaterThan(inner1[w]!));
    expect((fuel1 - car.fuelKg) / lapsDriven).toBeCloseTo(GT3_CAR.fuelPerLapKg, 0);
  });

  it('counts every lap of a step longer than a lap, and stays on the track', () => {
    const race = new Race({ seed: 6, cars: 1, spec: F1_CAR, trackLengthM: 600, lapNoiseS: 0 });
    const car = race.cars[0]!;
    race.step(1000); // to the line
    const before = car.lapsCompleted;
    const lapMs = car.expectedLapMs(car.tyreAgeLaps);
    race.step(lapMs * 4.5);
    expect(car.lapsCompleted - before).toBeGreaterThanOrEqual(4);
    expect(car.lapsCompleted - before).toBeLessThanOrEqual(5);
    expect(car.distanceM).toBeGreaterThanOrEqual(0);
    expect(car.distanceM).toBeLessThan(600);
    expect(Number.isFinite(car.speedMs) && car.speedMs > 0).toBe(true);
  });

  it('fits new tyres after a stint, resetting the curve', () => {
    const race = new Race({ seed: 4, cars: 1, spec: F1_CAR, trackLengthM: 1000, stintLaps: 5, lapNoiseS: 0 });
    const laps = run(race, 300);
    expect(laps.length).toBeGreaterThan(10);
    expect(laps.slice(0, 11).map((l) => l.tyreAgeLaps)).toEqual([0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0]);
    expect(laps[5]!.lapTimeMs).toBeLessThan(laps[4]!.lapTimeMs);
    expect(race.cars[0]!.pitStops).toBe(Math.floor(laps.length / 5));
  });

  it('orders cars by distance covered and flags the session best lap', () => {
    const race = new Race({ seed: 8, cars: 10, spec: GT3_CAR, trackLengthM: 1200, paceSpread: 0.03 });
    expect(race.standings.map((c) => c.index)).toEqual([...Array(10).keys()]);
    const laps = run(race, 300);
    const positions = race.cars.map((c) => c.position).sort((a, b) => a - b);
    expect(positions).toEqual([...Array(10).keys()].map((i) => i + 1));
    for (let i = 1; i < race.standings.length; i++) expect(race.standings[i - 1]!.progress).toBeGreaterThanOrEqual(race.standings[i]!.progress);
    const best = Math.min(...laps.map((l) => l.lapTimeMs));
    expect(race.sessionBest?.lapMs).toBe(best);
    let runningBest = Infinity;
    for (const lap of laps) {
      expect(lap.sessionBest).toBe(lap.lapTimeMs < runningBest);
      runningBest = Math.min(runningBest, lap.lapTimeMs);
    }
    const last = race.standings.at(-1)!;
    const gaps = race.gapsMs(last);
    expect(gaps.toLeader).toBeGreaterThanOrEqual(gaps.toFront);
    expect(race.gapsMs(race.standings[0]!)).toEqual({ toFront: 0, toLeader: 0 });
  });

  it('is deterministic by seed', () => {
    const snapshot = (seed: number) => {
      const race = new Race({ seed, cars: 6, spec: F1_CAR, trackLengthM: 2500 });
      const laps = run(race, 120);
      return JSON.stringify({ laps, cars: race.cars.map((c) => [c.distanceM, c.speedMs, c.tyreWearPct, c.fuelKg, c.position]) });
    };
    expect(snapshot(21)).toBe(snapshot(21));
    expect(snapshot(21)).not.toBe(snapshot(22));
  });

  it('adds a car mid-session behind the line, at the back', () => {
    const race = new Race({ seed: 1, cars: 3, spec: GT3_CAR, trackLengthM: 2000 });
    run(race, 100);
    const added = race.addCar();
    expect(added.index).toBe(3);
    expect(race.cars).toHaveLength(4);
    expect(added.lap).toBe(0);
    run(race, 100);
    expect(added.lapsCompleted).toBeGreaterThan(0);
  });
});
