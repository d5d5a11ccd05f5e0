/**
 * The DATA phase as a streaming decoder (RFC 5321 sections 4.1.1.4 and 4.5.2): finds the end
 * marker CRLF "." CRLF, removes dot-stuffing, counts the message size and stops keeping bytes once
 * the limit is passed, so a huge message costs no memory. Pure: chunks in, message bytes out.
 *
 * Only CRLF ends a line (RFC 5321 section 2.3.8). A bare LF or CR is never a line end, so
 * `<LF>.<LF>` does not end the data (the SMTP smuggling attack needs exactly that confusion);
 * the caller learns of it through `bareLineEnd` and refuses the message.
 */

export interface DataProgress {
  /** message bytes decoded from this chunk (dot-unstuffed, CRLF line ends) */
  readonly out: Buffer;
  /** the end marker was seen */
  readonly done: boolean;
  /** input after the end marker (pipelined commands); empty with line-bounded reads */
  readonly rest: Buffer;
}

type State =
  /** at the start of a line */
  | 'line-start'
  /** a '.' at the start of a line */
  | 'dot'
  /** '.' CR at the start of a line */
  | 'dot-cr'
  /** inside a line */
  | 'mid'
  /** a CR inside a line */
  | 'cr';

const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;

export class DataDecoder {
  private state: State = 'line-start';
  /** decoded message bytes, counted also after the limit */
  size = 0;
  /** the message passed maxSize; bytes past the limit were not returned */
  overflow = false;
  /** a CR or LF that is not part of CRLF was seen */
  bareLineEnd = false;
  finished = false;

  constructor(private readonly maxSize: number) {}

  push(chunk: Uint8Array): DataProgress {
    if (this.finished) return { out: Buffer.alloc(0), done: true, rest: Buffer.from(chunk) };
    // a held CR or dot can add at most two bytes to what the chunk itself holds
    const out = Buffer.allocUnsafe(chunk.length + 2);
    let n = 0;
    const emit = (byte: number): void => {
      this.size += 1;
      if (this.size > this.maxSize) this.overflow = true;
      else out[n++] = byte;
    };
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      switch (this.state) {
        case 'line-start':
          if (b === DOT) {
            this.state = 'dot';
            continue;
          }
          break;
        case 'dot':
          if (b === CR) {
            this.state = 'dot-cr';
            continue;
          }
          // a leading dot with more on the line was stuffing (4.5.2): dropped
          this.state = 'mid';
          break;
        case 'dot-cr':
          if (b === LF) {
            this.finished = true;
            return { out: out.subarray(0, n), done: true, rest: Buffer.from(chunk.subarray(i + 1)) };
          }
          // ".<CR>x": the dot was stuffing, the CR is a bare one
          this.bareLineEnd = true;
          emit(CR);
          this.state = 'mid';
          if (b === CR) {
            this.state = 'cr';
            continue;
          }
          break;
        case 'cr':
          if (b === LF) {
            emit(CR);
            emit(LF);
            this.state = 'line-start';
            continue;
          }
          this.bareLineEnd = true;
          emit(CR);
          this.state = 'mid';
          break;
        case 'mid':
          break;
      }
      // inside a line
      if (b === CR) {
        this.state = 'cr';
      } else {
        if (b === LF) this.bareLineEnd = true;
        this.state = 'mid';
        emit(b);
      }
    }
    return { out: out.subarray(0, n), done: false, rest: Buffer.alloc(0) };
  }
}

/** The other direction (tests and relays): dot-stuff a CRLF message and add the end marker. */
export function encodeData(message: Uint8Array): Buffer {
  let text = Buffer.from(message).toString('latin1');
  if (text.length > 0 && !text.endsWith('\r\n')) text += '\r\n';
  const stuffed = text.replace(/(^|\r\n)\./g, '$1..');
  return Buffer.from(`${stuffed}.\r\n`, 'latin1');
}
