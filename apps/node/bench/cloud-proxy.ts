/**
 * bench:cloud's balancer in a process of its own, as an operator's is: the round-robin proxy over the backends its
 * parent sends (IPC, a JSON array of ports on 127.0.0.1, sent again whenever they change); answers its port, and to
 * `{ report: true }` the connections each backend port accepted so far (`{ opened: { [port]: n } }`).
 */
import { z } from 'zod';
import { RoundRobinProxy } from '../src/cloud/proxy.ts';

const Message = z.union([z.array(z.number().int().min(1).max(65535)), z.object({ report: z.literal(true) })]);
let ports: number[] = [];
const proxy = new RoundRobinProxy(() => ports.map((port) => ({ host: '127.0.0.1', port })));
process.on('message', (message) => {
  const parsed = Message.parse(message);
  if (Array.isArray(parsed)) ports = parsed;
  else process.send?.({ opened: Object.fromEntries([...proxy.opened].map(([at, n]) => [at.split(':')[1], n])) });
});
process.on('disconnect', () => void proxy.close().then(() => process.exit(0)));
const port = await proxy.listen(0, '127.0.0.1');
process.send?.({ port });
