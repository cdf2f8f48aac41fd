import { CarLocation, DriverCategory, Nationality, SessionPhase, SessionType, enumName } from '@pitwall/acc-broadcast';

describe('enums from BroadcastingEnums.cs', () => {
  it('name the SDK values and leave unknown numbers unnamed', () => {
    expect(enumName(SessionType, 10)).toBe('Race');
    expect(enumName(SessionType, 1)).toBeUndefined(); // the SDK skips 1..3
    expect(enumName(SessionPhase, 8)).toBe('ResultUI');
    expect(enumName(CarLocation, 4)).toBe('PitExit');
    expect(enumName(DriverCategory, 255)).toBe('Error');
    expect(enumName(Nationality, 84)).toBe('Madagascar');
    expect(enumName(Nationality, 85)).toBeUndefined();
  });

  it('Nationality numbers every country from 0 to 84 once', () => {
    expect(Object.values(Nationality).sort((a, b) => a - b)).toEqual(Array.from({ length: 85 }, (_, i) => i));
  });
});
