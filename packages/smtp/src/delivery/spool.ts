/**
 * The spool folder: each accepted message becomes `<id>.eml` (the message, Received header first)
 * and `<id>.json` (the envelope). Both are written under `tmp/` and renamed into place, the
 * envelope first, so a reader that sees `<id>.eml` always finds a complete pair; an aborted or
 * interrupted message leaves nothing in the spool itself.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Envelope, MessageSink, MessageWriter } from './sink.js';
import { TempFile } from './temp-file.js';

const STALE_TMP_MS = 24 * 3600 * 1000;

export class SpoolSink implements MessageSink {
  private ready: Promise<void> | undefined;

  constructor(readonly dir: string) {}

  get tmpDir(): string {
    return path.join(this.dir, 'tmp');
  }

  /**
   * The folders, made once. Files left in tmp/ by a crash are removed once they are a day old:
   * younger ones may belong to another listener's message in progress.
   */
  prepare(): Promise<void> {
    this.ready ??= (async () => {
      await fs.mkdir(this.tmpDir, { recursive: true, mode: 0o700 });
      const dayAgo = Date.now() - STALE_TMP_MS;
      for (const name of await fs.readdir(this.tmpDir)) {
        const file = path.join(this.tmpDir, name);
        const stat = await fs.stat(file).catch(() => undefined);
        if (stat && stat.mtimeMs < dayAgo) await fs.rm(file, { force: true });
      }
    })();
    return this.ready;
  }

  async open(envelope: Envelope): Promise<MessageWriter> {
    await this.prepare();
    const file = await TempFile.create(path.join(this.tmpDir, `${envelope.id}.eml`));
    const dir = this.dir;
    return {
      write: (chunk) => file.write(chunk),
      async commit() {
        try {
          await file.finish();
          const json = path.join(dir, 'tmp', `${envelope.id}.json`);
          await fs.writeFile(json, JSON.stringify(envelopeRecord(envelope), null, 2) + '\n', { mode: 0o600, flag: 'wx' });
          await fs.rename(json, path.join(dir, `${envelope.id}.json`));
          await fs.rename(file.path, path.join(dir, `${envelope.id}.eml`));
        } catch (err) {
          await file.remove();
          await fs.rm(path.join(dir, 'tmp', `${envelope.id}.json`), { force: true });
          await fs.rm(path.join(dir, `${envelope.id}.json`), { force: true });
          throw err;
        }
        return `queued as ${envelope.id}`;
      },
      abort: () => file.remove(),
    };
  }
}

export function envelopeRecord(envelope: Envelope): Record<string, unknown> {
  return { ...envelope, receivedAt: envelope.receivedAt.toISOString() };
}
