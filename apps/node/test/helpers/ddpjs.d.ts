/** The part of ddp.js (untyped JavaScript, a DDP client other than simpleddp) the gateway tests use. */
declare module 'ddp.js' {
  interface DdpJsOptions {
    endpoint: string;
    SocketConstructor: unknown;
    autoConnect?: boolean;
    autoReconnect?: boolean;
    reconnectInterval?: number;
  }
  interface DdpJsMessage {
    msg: string;
    id?: string;
    subs?: string[];
    collection?: string;
    fields?: Record<string, unknown>;
    result?: unknown;
    error?: { error: string; reason: string };
  }
  export default class DDP {
    constructor(options: DdpJsOptions);
    status: 'connected' | 'disconnected';
    connect(): void;
    disconnect(): void;
    method(name: string, params: unknown[]): string;
    sub(name: string, params: unknown[], id?: string | null): string;
    unsub(id: string): string;
    on(event: string, listener: (message: DdpJsMessage) => void): void;
    off(event: string, listener: (message: DdpJsMessage) => void): void;
  }
  export type { DdpJsMessage };
}
