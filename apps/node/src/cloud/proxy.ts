import { connect, createServer, type Server, type Socket } from 'node:net';

export interface Backend {
  host: string;
  port: number;
}

/**
 * A plain round-robin TCP proxy: each new connection goes to the next backend, or to the one after when that one
 * refuses (a process that died). It knows nothing of HTTP, Socket.io or sessions: it stands for the load balancer an
 * operator puts in front of a cloud node's processes (cloud/README.md has nginx and HAProxy equivalents).
 */
export class RoundRobinProxy {
  readonly server: Server;
  #next = 0;
  readonly #sockets = new Set<Socket>();
  /** Connections each backend (`host:port`) accepted so far: how the balancer spread its clients. */
  readonly opened = new Map<string, number>();

  constructor(readonly backends: () => Backend[]) {
    this.server = createServer((client) => this.#route(client));
  }

  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
    const address = this.server.address();
    if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address');
    return address.port;
  }

  #route(client: Socket, tried = 0): void {
    const backends = this.backends();
    if (backends.length === 0 || tried >= backends.length) {
      client.destroy();
      return;
    }
    if (tried === 0) {
      client.pause();
      this.#sockets.add(client);
      client.once('close', () => this.#sockets.delete(client));
      client.on('error', () => client.destroy());
    }
    const backend = backends[this.#next++ % backends.length] as Backend;
    const upstream = connect(backend.port, backend.host);
    this.#sockets.add(upstream);
    upstream.once('close', () => this.#sockets.delete(upstream));
    const refused = () => {
      upstream.destroy();
      if (!client.destroyed) this.#route(client, tried + 1);
    };
    upstream.once('error', refused);
    upstream.once('connect', () => {
      const at = `${backend.host}:${backend.port}`;
      this.opened.set(at, (this.opened.get(at) ?? 0) + 1);
      upstream.off('error', refused);
      upstream.on('error', () => client.destroy());
      upstream.once('close', () => client.destroy());
      client.once('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
