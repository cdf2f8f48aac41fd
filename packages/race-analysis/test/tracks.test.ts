import { knownTracks, lookupTrack, normaliseTrackName, sectorStartsM } from '../src';

describe('track table', () => {
  test.each([
    ['sebring', 6020],
    ['cota', 5514],
    ['barber', 3830],
    ['road_america', 6515],
    ['sonoma', 3200],
    ['vir', 6760],
    ['indianapolis', 3930],
  ])('%s is %i m', (id, length) => {
    expect(lookupTrack(id)).toMatchObject({ id, lengthM: length, known: true, sectorsApproximate: false });
  });

  test.each([
    ['Circuit of the Americas', 'cota'],
    ['COTA', 'cota'],
    ['austin', 'cota'],
    ['ks_silverstone', 'silverstone'],
    ['ks_silverstone/gp', 'silverstone'],
    ['Nürburgring GP', 'nurburgring'],
    ['ks_nurburgring layout_gp_a', 'nurburgring'],
    ['Spa-Francorchamps', 'spa'],
    ['brands_hatch', 'brands_hatch'],
    ['ks_red_bull_ring', 'red_bull_ring'],
    ['Road America', 'road_america'],
    ['Virginia International Raceway', 'vir'],
    ['Indianapolis Motor Speedway', 'indianapolis'],
    ['Autodromo Nazionale Monza', 'monza'],
    ['Catalunya', 'barcelona'],
    ['Sakhir', 'bahrain'],
    ['SUZUKA', 'suzuka'],
    ['Monaco', 'monaco'],
  ])('"%s" resolves to %s', (name, id) => {
    expect(lookupTrack(name).id).toBe(id);
  });

  test('unknown track: flagged, no length, three equal sectors', () => {
    const track = lookupTrack('Some Club Circuit');
    expect(track).toMatchObject({ known: false, lengthM: undefined, sectorStarts: [1 / 3, 2 / 3] });
    expect(lookupTrack('').known).toBe(false);
    expect(sectorStartsM(track, 3000)).toEqual([1000, 2000]);
  });

  test('every table entry has increasing boundaries inside the lap', () => {
    const tracks = knownTracks();
    expect(tracks.length).toBeGreaterThanOrEqual(17);
    for (const t of tracks) {
      expect(t.lengthM).toBeGreaterThan(1000);
      expect(t.sectorStarts.length).toBeGreaterThanOrEqual(2);
      t.sectorStarts.forEach((share, i) => {
        expect(share).toBeGreaterThan(i === 0 ? 0 : t.sectorStarts[i - 1]!);
        expect(share).toBeLessThan(1);
      });
    }
  });

  test('normalisation drops accents, case, punctuation and the AC ks_ prefix', () => {
    expect(normaliseTrackName('ks_Nürburgring-GP')).toBe('nurburgring gp');
  });
});
