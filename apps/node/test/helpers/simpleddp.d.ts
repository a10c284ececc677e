/** The part of simpleddp (untyped JavaScript) the gateway tests use. */
declare module 'simpleddp' {
  interface SimpleDdpOptions {
    endpoint: string;
    SocketConstructor: unknown;
    autoConnect?: boolean;
    autoReconnect?: boolean;
    reconnectInterval?: number;
    maxTimeout?: number;
  }
  interface DdpMessage {
    msg: string;
    id?: string;
    collection?: string;
    fields?: Record<string, unknown>;
    error?: { error: string; reason: string };
  }
  interface DdpSubscription {
    ready(): Promise<void>;
    stop(): Promise<void>;
  }
  export default class SimpleDDP {
    constructor(options: SimpleDdpOptions, plugins?: unknown[]);
    connected: boolean;
    connect(): Promise<void>;
    disconnect(): Promise<void>;
    call(method: string, ...params: unknown[]): Promise<unknown>;
    subscribe(name: string, ...params: unknown[]): DdpSubscription;
    on(event: string, listener: (message: DdpMessage) => void): { stop(): void };
    /** The DDP connection under the client: raw sub/unsub/method frames. */
    ddpConnection: { sub(name: string, params: unknown[]): string; unsub(id: string): string };
    collection(name: string): { fetch(): { id: string; [field: string]: unknown }[] };
  }
}
