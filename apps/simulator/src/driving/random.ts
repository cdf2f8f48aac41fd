/** A seeded PRNG (mulberry32): the whole simulation is a function of its seed. */
export type Random = () => number;

export { seededRandom } from '@pitwall/seeded-random';

/** Uniform in [min, max). */
export const between = (random: Random, min: number, max: number): number => min + (max - min) * random();

/** Roughly normal (sum of uniforms), mean 0, standard deviation `sd`. */
export function gaussian(random: Random, sd: number): number {
  let sum = 0;
  for (let i = 0; i < 6; i++) sum += random();
  return (sum - 3) * Math.SQRT2 * sd;
}

/** A u64 with the top bit set, as real F1 session UIDs are (above 2^63, beyond a double). */
export function sessionUid(random: Random): bigint {
  const high = BigInt(Math.floor(random() * 0x8000_0000)) | 0x8000_0000n;
  const low = BigInt(Math.floor(random() * 0x1_0000_0000));
  return (high << 32n) | low;
}

export const clamp = (v: number, min: number, max: number): number => (v < min ? min : v > max ? max : v);
