/** A message being received, as a private temporary file that is either renamed or removed. */
import { createWriteStream, type WriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { once } from 'node:events';

export class TempFile {
  private readonly stream: WriteStream;
  private failure: Error | undefined;
  private ended = false;

  private constructor(readonly path: string) {
    // wx: never write into a file someone else made; 0600: messages are private
    this.stream = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    this.stream.on('error', (err) => (this.failure ??= err));
  }

  static async create(path: string): Promise<TempFile> {
    const file = new TempFile(path);
    await Promise.race([once(file.stream, 'open'), once(file.stream, 'error').then(([err]) => Promise.reject(err as Error))]);
    return file;
  }

  async write(chunk: Buffer): Promise<void> {
    if (this.failure) throw this.failure;
    if (chunk.length === 0) return;
    if (!this.stream.write(chunk)) {
      await Promise.race([once(this.stream, 'drain'), once(this.stream, 'error')]);
      if (this.failure) throw this.failure;
    }
  }

  /** flush and close; the data is on disk when this resolves */
  async finish(): Promise<void> {
    if (this.failure) throw this.failure;
    this.ended = true;
    const handle = this.stream;
    await new Promise<void>((resolve, reject) => handle.end((err?: Error | null) => (err ? reject(err) : resolve())));
    if (this.failure) throw this.failure;
    // a crash right after the 250 reply must not lose the message
    const fh = await fs.open(this.path, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }

  async remove(): Promise<void> {
    if (!this.ended) {
      this.ended = true;
      this.stream.destroy();
      await once(this.stream, 'close').catch(() => undefined);
    }
    await fs.rm(this.path, { force: true });
  }
}
