const INITIAL_CAPACITY = 64 * 1024;

/** A growable little-endian byte buffer for the GGUF header. */
export class GgufByteBuilder {
  private bytes = new Uint8Array(INITIAL_CAPACITY);
  private view = new DataView(this.bytes.buffer);
  private length = 0;

  public get size(): number {
    return this.length;
  }

  public u8(value: number): void {
    this.reserve(1).setUint8(this.length - 1, value);
  }

  public i8(value: number): void {
    this.reserve(1).setInt8(this.length - 1, value);
  }

  public u16(value: number): void {
    this.reserve(2).setUint16(this.length - 2, value, true);
  }

  public i16(value: number): void {
    this.reserve(2).setInt16(this.length - 2, value, true);
  }

  public u32(value: number): void {
    this.reserve(4).setUint32(this.length - 4, value, true);
  }

  public i32(value: number): void {
    this.reserve(4).setInt32(this.length - 4, value, true);
  }

  public u64(value: bigint): void {
    this.reserve(8).setBigUint64(this.length - 8, value, true);
  }

  public i64(value: bigint): void {
    this.reserve(8).setBigInt64(this.length - 8, value, true);
  }

  public f32(value: number): void {
    this.reserve(4).setFloat32(this.length - 4, value, true);
  }

  public f64(value: number): void {
    this.reserve(8).setFloat64(this.length - 8, value, true);
  }

  /** A GGUF string: u64 byte length, then the UTF-8 bytes without a terminator. */
  public string(value: string): void {
    const encoded = new TextEncoder().encode(value);
    this.u64(BigInt(encoded.length));
    this.raw(encoded);
  }

  public raw(data: Uint8Array): void {
    this.reserve(data.length);
    this.bytes.set(data, this.length - data.length);
  }

  /** Zero bytes up to the next multiple of `alignment`. */
  public padTo(alignment: number): void {
    const padding = (alignment - (this.length % alignment)) % alignment;
    this.reserve(padding);
  }

  /** The bytes written so far (a view, not a copy). */
  public finish(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  /** Grows the buffer so `extra` more bytes fit, advances the length and returns the view to write through. */
  private reserve(extra: number): DataView {
    const needed = this.length + extra;
    if (needed > this.bytes.length) {
      let capacity = this.bytes.length * 2;
      while (capacity < needed) capacity *= 2;
      const grown = new Uint8Array(capacity);
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
      this.view = new DataView(grown.buffer);
    }
    this.length = needed;
    return this.view;
  }
}
