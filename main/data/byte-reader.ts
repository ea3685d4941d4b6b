/** Pulls exact byte counts out of an async stream of chunks, tracking the position; the base of the tar reader. */
export class ByteReader {
  private readonly chunks: Buffer[] = [];
  private buffered = 0;
  private ended = false;
  /** Bytes consumed so far (read or skipped). */
  position = 0;

  constructor(private readonly source: AsyncIterator<Uint8Array>) {}

  /** Buffers until at least n bytes are available or the stream ends; returns the number available. */
  private async fill(n: number): Promise<number> {
    while (this.buffered < n && !this.ended) {
      const next = await this.source.next();
      if (next.done === true) {
        this.ended = true;
      } else if (next.value.length > 0) {
        const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
        this.chunks.push(chunk);
        this.buffered += chunk.length;
      }
    }
    return Math.min(n, this.buffered);
  }

  /** Reads exactly n bytes, or fewer only when the stream ends first. */
  async read(n: number): Promise<Buffer> {
    const available = await this.fill(n);
    const first = this.chunks[0];
    let out: Buffer;
    if (first !== undefined && first.length >= available) {
      out = first.subarray(0, available);
      this.dropFront(available);
    } else {
      out = Buffer.allocUnsafe(available);
      let filled = 0;
      while (filled < available) {
        const chunk = this.chunks[0];
        const take = Math.min(chunk.length, available - filled);
        chunk.copy(out, filled, 0, take);
        filled += take;
        this.dropFront(take);
      }
    }
    this.position += available;
    return out;
  }

  /** Skips n bytes without keeping them; returns how many were skipped (fewer only at the end of the stream). */
  async skip(n: number): Promise<number> {
    let skipped = 0;
    while (skipped < n) {
      if (this.buffered === 0 && (await this.fill(1)) === 0) break;
      const take = Math.min(this.chunks[0].length, n - skipped);
      this.dropFront(take);
      skipped += take;
      this.position += take;
    }
    return skipped;
  }

  /** Drops n bytes from the front of the first chunk (n is at most its length). */
  private dropFront(n: number): void {
    const first = this.chunks[0];
    if (n === first.length) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
  }

  /** Stops the underlying stream early (closing the file). */
  async close(): Promise<void> {
    await this.source.return?.();
  }
}
