import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';

const BUFFER_BYTES = 4 * 1024 * 1024;

/** Appends bytes to an open file through a large buffer and hashes everything written (sha256). */
export class BufferedFileSink {
  private readonly buffer = new Uint8Array(BUFFER_BYTES);
  private buffered = 0;
  private written = 0;
  private readonly hash: Hash = createHash('sha256');

  public constructor(private readonly handle: FileHandle) {}

  /** Bytes accepted so far, flushed or not. */
  public get position(): number {
    return this.written + this.buffered;
  }

  /** Takes the bytes now; the caller may reuse `chunk` once the returned promise settles. */
  public async write(chunk: Uint8Array): Promise<void> {
    this.hash.update(chunk);
    if (this.buffered + chunk.length > this.buffer.length) await this.flush();
    if (chunk.length >= this.buffer.length) {
      await this.writeFully(chunk);
      this.written += chunk.length;
      return;
    }
    this.buffer.set(chunk, this.buffered);
    this.buffered += chunk.length;
  }

  /** Writes zero bytes up to the next multiple of `alignment`. */
  public async padTo(alignment: number): Promise<void> {
    const padding = (alignment - (this.position % alignment)) % alignment;
    if (padding > 0) await this.write(new Uint8Array(padding));
  }

  public async flush(): Promise<void> {
    if (this.buffered === 0) return;
    await this.writeFully(this.buffer.subarray(0, this.buffered));
    this.written += this.buffered;
    this.buffered = 0;
  }

  /** Flushes and returns the sha256 (hex) of every byte written. Call once, at the end. */
  public async finish(): Promise<string> {
    await this.flush();
    return this.hash.digest('hex');
  }

  private async writeFully(bytes: Uint8Array): Promise<void> {
    let offset = 0;
    while (offset < bytes.length) {
      const { bytesWritten } = await this.handle.write(bytes, offset, bytes.length - offset);
      offset += bytesWritten;
    }
  }
}
