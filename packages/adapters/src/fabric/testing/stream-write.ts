import type { Writable } from 'node:stream';

/**
 * Writes one message to a gRPC server stream and, when the stream's buffer is full, waits for it to drain (or for
 * the caller to go away), so a slow reader of events or blocks holds back its own stream instead of the peer's memory.
 */
export async function writeMessage(stream: Writable, message: unknown, signal: AbortSignal): Promise<void> {
  if (signal.aborted || stream.destroyed || stream.writableEnded) return;
  if (stream.write(message)) return;
  await new Promise<void>((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
