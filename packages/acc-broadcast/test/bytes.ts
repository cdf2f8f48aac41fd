// Builds datagrams the way Kunos' SDK writes them (BinaryWriter: little-endian, packed, strings
// as u16 byte length + UTF-8), with plain Buffer writes: independent of the package's encoder.
export class Bytes {
  private readonly parts: Buffer[] = [];

  u8(value: number): this {
    return this.put(1, (b) => b.writeUInt8(value, 0));
  }

  u16(value: number): this {
    return this.put(2, (b) => b.writeUInt16LE(value, 0));
  }

  i32(value: number): this {
    return this.put(4, (b) => b.writeInt32LE(value, 0));
  }

  f32(value: number): this {
    return this.put(4, (b) => b.writeFloatLE(value, 0));
  }

  str(value: string): this {
    const utf8 = Buffer.from(value, 'utf8');
    this.u16(utf8.length);
    this.parts.push(utf8);
    return this;
  }

  raw(bytes: Buffer): this {
    this.parts.push(bytes);
    return this;
  }

  /** A lap record: i32 laptime, u16 carIndex, u16 driverIndex, u8 splitCount, i32 splits, 4 flag bytes. */
  lap(laptime: number, carIndex: number, driverIndex: number, splits: number[], flags: [number, number, number, number]): this {
    this.i32(laptime).u16(carIndex).u16(driverIndex).u8(splits.length);
    for (const s of splits) this.i32(s);
    for (const f of flags) this.u8(f);
    return this;
  }

  build(): Buffer {
    return Buffer.concat(this.parts);
  }

  private put(size: number, write: (b: Buffer) => void): this {
    const b = Buffer.alloc(size);
    write(b);
    this.parts.push(b);
    return this;
  }
}

export const INT32_MAX = 2147483647;
