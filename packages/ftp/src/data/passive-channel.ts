/**
 * One passive data connection (RFC 959 PASV, RFC 2428 EPSV): a listening socket on a port of the
 * configured range that takes the first connection only, from any address (behind a PROXY-protocol
 * load balancer the data connection's source is not the client's), then stops listening. A
 * channel nobody connects to within the timeout closes itself.
 */
import net from 'node:net';

export interface PassivePorts {
  min: number;
  max: number;
}

export interface PassiveChannelOptions {
  bindAddress: string;
  /** undefined: any free port */
  ports?: PassivePorts;
  acceptTimeoutMs: number;
}

export class PassiveUnavailableError extends Error {}

/** how many ports of the range we try before giving up */
const MAX_PORT_TRIES = 50;

function listenOn(server: net.Server, host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (e.code === 'EADDRINUSE' || e.code === 'EACCES') resolve(false);
      else reject(e);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve(true);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host, port, exclusive: true });
  });
}

function candidatePorts(ports: PassivePorts | undefined): number[] {
  if (!ports) return [0];
  const span = ports.max - ports.min + 1;
  const start = Math.floor(Math.random() * span);
  const out: number[] = [];
  for (let i = 0; i < Math.min(span, MAX_PORT_TRIES); i++) out.push(ports.min + ((start + i) % span));
  return out;
}

export class PassiveChannel {
  private socket: net.Socket | undefined;
  private failure: Error | undefined;
  private waiters: Array<{ resolve: (s: net.Socket) => void; reject: (e: Error) => void }> = [];
  private readonly timer: NodeJS.Timeout;
  private taken = false;

  private constructor(
    private readonly server: net.Server,
    readonly port: number,
    timeoutMs: number,
  ) {
    server.on('connection', (s) => this.onConnection(s));
    server.on('error', () => this.fail(new Error('data listener failed')));
    this.timer = setTimeout(() => this.fail(new Error('no data connection')), timeoutMs);
    this.timer.unref();
  }

  static async open(options: PassiveChannelOptions): Promise<PassiveChannel> {
    for (const port of candidatePorts(options.ports)) {
      const server = net.createServer();
      if (await listenOn(server, options.bindAddress, port)) {
        const address = server.address() as net.AddressInfo;
        return new PassiveChannel(server, address.port, options.acceptTimeoutMs);
      }
      server.close();
    }
    throw new PassiveUnavailableError('no free passive port');
  }

  private onConnection(s: net.Socket): void {
    s.on('error', () => {});
    if (this.socket || this.failure) {
      s.destroy();
      return;
    }
    this.socket = s;
    clearTimeout(this.timer);
    this.server.close();
    for (const w of this.waiters.splice(0)) w.resolve(s);
  }

  private fail(e: Error): void {
    if (this.failure) return;
    clearTimeout(this.timer);
    this.server.close();
    if (this.socket) return;
    this.failure = e;
    for (const w of this.waiters.splice(0)) w.reject(e);
  }

  /** The data connection, once; later calls and a timeout reject. */
  accept(): Promise<net.Socket> {
    if (this.taken) return Promise.reject(new Error('data connection already used'));
    this.taken = true;
    if (this.socket) return Promise.resolve(this.socket);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Stop listening; an accepted connection that was never taken is closed too. */
  close(): void {
    this.fail(new Error('passive channel closed'));
    if (this.socket && !this.taken) this.socket.destroy();
  }
}
