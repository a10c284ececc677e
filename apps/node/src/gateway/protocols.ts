import type { Server as HttpServer } from 'node:http';
import type { BlockletRuntime } from '../runtime/service.ts';
import { DdpGateway } from './ddp.ts';
import { MQTT_LIMITS, MqttGateway } from './mqtt.ts';
import { type BridgeImportAs, MqttBridge } from './mqtt-bridge.ts';
import type { Gateway } from './service.ts';

/** Which of the MQTT and DDP protocols a node runs (NodeOptions.protocols; env MQTT_*, DDP_ENABLED). */
export interface ProtocolOptions {
  /** The embedded MQTT broker: host and port (0 = a free one); absent = off. */
  mqtt?: {
    host: string;
    port: number;
    tls?: { cert: string; key: string };
    /** MQTT over WebSockets at /mqtt on the node's HTTP port; on unless false. */
    webSocket?: boolean;
  };
  /** The bridge to an external MQTT broker; its API key names the application it bridges (importAs: mqtt-bridge.ts). */
  mqttBridge?: { url: string; filters: string[]; apiKey: string; username?: string; password?: string; importAs?: BridgeImportAs };
  /** DDP at /ddp on the node's HTTP server. */
  ddp?: boolean;
}

export interface Protocols {
  mqtt: MqttGateway | null;
  mqttBridge: MqttBridge | null;
  ddp: DdpGateway | null;
  close(): Promise<void>;
}

/** Starts the MQTT broker, the MQTT bridge and DDP on the gateway's hub and auth, as the options ask. */
export async function startProtocols(
  options: ProtocolOptions,
  deps: { gateway: Gateway; server: HttpServer; runtime: BlockletRuntime; nodeId: string; now: () => number; log: (line: string) => void },
): Promise<Protocols> {
  const { gateway, now, log } = deps;
  const { hub, auth } = gateway;
  const limits = hub.deps.limits;
  const started: Protocols = { mqtt: null, mqttBridge: null, ddp: null, close: async () => undefined };
  started.close = async () => {
    await started.mqttBridge?.close();
    await started.mqtt?.close();
    await started.ddp?.close();
  };
  try {
    if (options.ddp !== false) started.ddp = new DdpGateway({ server: deps.server, hub, auth, limits, runtime: deps.runtime, now, log });
    if (options.mqtt) {
      started.mqtt = await MqttGateway.start({
        hub,
        auth,
        limits,
        host: options.mqtt.host,
        port: options.mqtt.port,
        now,
        log,
        ...(options.mqtt.tls ? { tls: options.mqtt.tls } : {}),
        // MQTT over WebSockets at /mqtt on the node's HTTP port (browser MQTT clients), unless turned off.
        ...(options.mqtt.webSocket === false ? {} : { httpServer: deps.server }),
      });
      log(
        `MQTT broker at ${started.mqtt.url}${options.mqtt.webSocket === false ? '' : ` and at ${MQTT_LIMITS.webSocketPath} over WebSockets`}`,
      );
    }
    if (options.mqttBridge) {
      const principal = await auth.resolve(options.mqttBridge.apiKey);
      if (principal.kind !== 'app') throw new Error('MQTT_BRIDGE_API_KEY must be an application API key (ak_…).');
      const { url, filters, username, password, importAs } = options.mqttBridge;
      started.mqttBridge = await MqttBridge.start({
        url,
        filters,
        principal,
        ...(importAs === undefined ? {} : { importAs }),
        hub,
        limits,
        originId: deps.nodeId,
        ...(username === undefined ? {} : { username }),
        ...(password === undefined ? {} : { password }),
        now,
        log,
      });
    }
  } catch (error) {
    await started.close();
    throw error;
  }
  return started;
}
