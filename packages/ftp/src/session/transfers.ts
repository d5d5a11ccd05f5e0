/**
 * What moves over a data connection: a buffer (listings), a file out (RETR), a file in
 * (STOR/APPE, with the upload limit). Each ends the data connection cleanly (TLS close_notify when
 * protected) and waits, within a limit, for the client to close its side.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Duplex, Readable } from 'node:stream';
import { Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** A transfer that ends with a specific reply rather than 226. */
export class TransferFailure extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Wait until the socket is closed, destroying it after ms. */
export function closedWithin(socket: Duplex, ms: number): Promise<void> {
  if (socket.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      socket.destroy();
      resolve();
    }, ms);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

export async function sendBuffer(data: Duplex, body: Buffer, closeWaitMs: number): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    data.once('error', reject);
    data.end(body, () => {
      data.off('error', reject);
      resolve();
    });
  });
  await closedWithin(data, closeWaitMs);
}

export async function sendFile(data: Duplex, handle: FileHandle, offset: number, closeWaitMs: number): Promise<void> {
  const source: Readable = handle.createReadStream({ start: offset, autoClose: true });
  await pipeline(source, data);
  await closedWithin(data, closeWaitMs);
}

/** Counts bytes and fails the pipeline once more than `limit` went through. */
class UploadLimit extends Transform {
  private seen = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) done(new TransferFailure(552, 'Exceeded storage allocation (upload size limit)'));
    else done(null, chunk);
  }
}

export async function receiveFile(
  data: Duplex,
  handle: FileHandle,
  offset: number | undefined,
  limit: number,
  closeWaitMs: number,
): Promise<void> {
  const sink = handle.createWriteStream(offset === undefined ? {} : { start: offset });
  await pipeline(data, new UploadLimit(limit), sink);
  await closedWithin(data, closeWaitMs);
}
