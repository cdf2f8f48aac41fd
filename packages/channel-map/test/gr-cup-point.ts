/** A GR Cup logger sample as the team's tooling sends it: JSON numbers under the CSV's names. */
export function grCupPoint(i: number, car = 'GR86-002-2'): Record<string, unknown> {
  return {
    vehicle_id: car,
    timestamp: new Date(Date.UTC(2025, 3, 4, 18, 10, 0) + i * 100).toISOString(),
    lap: 4,
    Laptrigger_lapdist_dls: 100 + i,
    speed: 150 + i,
    nmot: 6000,
    aps: 80,
    pbrake_f: 50,
    pbrake_r: 20,
    accx_can: -0.5,
    accy_can: 1.1,
    Steering_Angle: 90,
    gear: 4,
    VBOX_Lat_Min: 33.5326,
    VBOX_Long_Minutes: -86.6196,
  };
}
