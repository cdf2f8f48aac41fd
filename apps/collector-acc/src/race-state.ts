import type { EntryList, EntryListCar, RealtimeCarUpdate, RealtimeUpdate, TrackData } from '@pitwall/acc-broadcast';

export interface TrackInfo {
  name: string;
  id: number;
  /** 0 when the game does not say. */
  meters: number;
}

/**
 * What the game told this registration run about the race: the entry list (cars and drivers),
 * the track and the latest session-wide update. A new registration starts from nothing, since the
 * game may have moved on to another event meanwhile.
 */
export class RaceState {
  /** Cars of the latest ENTRY_LIST; null until their ENTRY_LIST_CAR arrives. */
  private readonly cars = new Map<number, EntryListCar | null>();
  track: TrackInfo | null = null;
  realtime: RealtimeUpdate | null = null;
  private registeredAt = 0;

  /** A registration was accepted at `atMs`: forget the previous run. */
  reset(atMs: number): void {
    this.cars.clear();
    this.track = null;
    this.realtime = null;
    this.registeredAt = atMs;
  }

  get registeredAtMs(): number {
    return this.registeredAt;
  }

  /**
   * `acc:<track>:<ISO time the registration was accepted>`, e.g. `acc:monza:2026-11-23T17:40:00.000Z`:
   * stable for a registration run, null until TRACK_DATA named the track. ACC's own session changes
   * within a run (practice → qualifying) are in each frame's extras (`session_index`, `session_type`).
   */
  sessionId(): string | null {
    return this.track ? `acc:${this.track.name}:${new Date(this.registeredAt).toISOString()}` : null;
  }

  onEntryList(m: EntryList): void {
    const known = new Map(this.cars);
    this.cars.clear();
    for (const index of m.carIndexes) this.cars.set(index, known.get(index) ?? null);
  }

  /** False for a car the entry list did not announce (Kunos' client ignores those too). */
  onEntryListCar(m: EntryListCar): boolean {
    if (!this.cars.has(m.carIndex)) return false;
    this.cars.set(m.carIndex, m);
    return true;
  }

  onTrackData(m: TrackData): void {
    this.track = { name: m.trackName, id: m.trackId, meters: m.trackMeters };
  }

  onRealtimeUpdate(m: RealtimeUpdate): void {
    this.realtime = m;
  }

  car(index: number): EntryListCar | undefined {
    return this.cars.get(index) ?? undefined;
  }

  /**
   * Why this update shows the entry list is out of date, if it does: a car we have no details for,
   * or a driver count that differs from its entry (a driver swap added or removed a driver).
   */
  staleEntryReason(u: RealtimeCarUpdate): 'unknown_car' | 'driver_count' | null {
    const car = this.cars.get(u.carIndex);
    if (!car) return 'unknown_car';
    return car.drivers.length !== u.driverCount ? 'driver_count' : null;
  }
}
