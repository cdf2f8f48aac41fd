// Datagrams written field by field at the offsets PROTOCOLS.md gives, with plain Buffer writes:
// independent of the package's layouts.

/** UTF-16LE text at `offset`, then `after` (the game's '%' and whatever follows) as raw code units. */
export function putWchar(buf: Buffer, offset: number, text: string, after: number[] = [0x25]): void {
  buf.write(text, offset, 'utf16le');
  after.forEach((unit, i) => buf.writeUInt16LE(unit, offset + 2 * (text.length + i)));
}

export interface CarInfoSpec {
  gearRaw: number;
  identifierByte?: number;
  paddingByte?: number;
}

/**
 * RTCarInfo with every field distinct: scalars get recognisable values, float[4] array k holds
 * k*10 + wheel + 0.5, padding bytes 1..3 and 26..27 hold junk as the real game sends.
 */
export function carInfoDatagram({ gearRaw, identifierByte = 0x61, paddingByte = 0xcc }: CarInfoSpec): Buffer {
  const b = Buffer.alloc(328, 0xee);
  b.writeUInt8(identifierByte, 0);
  b.fill(paddingByte, 1, 4);
  b.writeInt32LE(328, 4);
  b.writeFloatLE(201.5, 8);
  b.writeFloatLE(125.25, 12);
  b.writeFloatLE(55.75, 16);
  [1, 0, 1, 1, 0, 7].forEach((v, i) => b.writeUInt8(v, 20 + i));
  b.fill(paddingByte, 26, 28);
  b.writeFloatLE(0.25, 28);
  b.writeFloatLE(-1.5, 32);
  b.writeFloatLE(2.75, 36);
  b.writeInt32LE(61_234, 40);
  b.writeInt32LE(98_765, 44);
  b.writeInt32LE(97_001, 48);
  b.writeInt32LE(12, 52);
  b.writeFloatLE(0.875, 56);
  b.writeFloatLE(0.125, 60);
  b.writeFloatLE(1, 64);
  b.writeFloatLE(7250, 68);
  b.writeFloatLE(-0.5, 72);
  b.writeInt32LE(gearRaw, 76);
  b.writeFloatLE(0.3125, 80);
  for (let array = 0; array < 14; array++) {
    for (let wheel = 0; wheel < 4; wheel++) b.writeFloatLE(array * 10 + wheel + 0.5, 84 + 16 * array + 4 * wheel);
  }
  b.writeFloatLE(0.5, 308);
  b.writeFloatLE(-0.0625, 312);
  b.writeFloatLE(-512.5, 316);
  b.writeFloatLE(12.25, 320);
  b.writeFloatLE(1024, 324);
  return b;
}

/** The `array`-th float[4] of carInfoDatagram. */
export const wheels = (array: number): number[] => [0, 1, 2, 3].map((w) => array * 10 + w + 0.5);
