import type { Socket } from 'node:net';

/** The native handle under a net.Socket: Node's own, not a public API (nodejs/node#8353 names it as the way). */
interface ReadingHandle {
  reading?: boolean;
  readStop?: () => number;
}

/**
 * Stops this process reading a connection from the socket itself, not only its stream. `pause()` only stops 'data'
 * events: the handle goes on reading into the stream's buffer. Once the handle is sent to a worker, Node keeps it open
 * until the worker acknowledges it and throws away whatever it reads meanwhile, so a client's next bytes (a websocket
 * client's first frame, answering the worker's open packet) could be read here and lost, the client then waiting on
 * an answer that never comes. Stopped here, they wait in the kernel for the worker.
 */
export function stopReading(connection: Socket): void {
  const handle = (connection as unknown as { _handle?: ReadingHandle | null })._handle;
  if (!handle?.readStop) return;
  handle.reading = false;
  handle.readStop();
}

/**
 * Reads a new connection's first bytes (what the primary routes by), stops reading it, and gives them to `route`,
 * which passes the connection on. A connection silent for `timeoutMs` is closed.
 */
export function readHead(connection: Socket, timeoutMs: number, route: (head: Buffer) => void): void {
  connection.setTimeout(timeoutMs, () => connection.destroy());
  connection.once('data', (chunk: Buffer) => {
    // Inside the read callback, before libuv reads again: nothing after this chunk is taken from the socket.
    stopReading(connection);
    connection.pause();
    connection.setTimeout(0);
    route(chunk);
  });
  connection.on('error', () => connection.destroy());
  connection.resume();
}
