'use client';

import type { Realtime, RealtimeEvent, RealtimeOptions, TopicPayload } from '@arc/client/realtime';
import { useQueryClient } from '@tanstack/react-query';
import { createContext, type ReactNode, useContext, useEffect, useRef, useState, useSyncExternalStore } from 'react';
import { sessionToken, subscribeSessionToken } from '../session/token.ts';
import { type TopicHandler, TopicHub } from './topic-hub.ts';

/** Whether the page hears the node: connected, on its way (first connect or a new session), or lost and retrying. */
export type RealtimeStatus = 'connecting' | 'live' | 'offline';

interface RealtimeContextValue {
  hub: TopicHub;
  status: RealtimeStatus;
}

const RealtimeContext = createContext<RealtimeContextValue | null>(null);

/**
 * Resolves once the page's `load` event has fired. The live connection's code (the Socket.io client, the wire
 * schemas) is downloaded after what the page needs to show and hydrate; until then the page shows the data it was
 * rendered with, and the connection status stays `connecting`.
 */
function pageLoaded(): Promise<void> {
  if (document.readyState === 'complete') return Promise.resolve();
  return new Promise((resolve) => window.addEventListener('load', () => resolve(), { once: true }));
}

async function connectAfterLoad(url: string, options: RealtimeOptions): Promise<Realtime> {
  await pageLoaded();
  const { connectRealtime } = await import('@arc/client/realtime');
  return connectRealtime(url, options);
}

/**
 * One realtime connection per page session, straight to the node's Socket.io gateway (the web server's /trpc rewrite
 * cannot carry websockets), as the signed-in session when there is one: a new session token means a new connection,
 * with every watched topic subscribed again. When the connection comes back after a loss, every query is refetched,
 * so what the page shows catches up without a reload; a gap (events the node no longer holds) does the same.
 */
export function RealtimeProvider({ nodePublicUrl, children }: { nodePublicUrl: string; children: ReactNode }) {
  const queryClient = useQueryClient();
  const token = useSyncExternalStore(subscribeSessionToken, sessionToken, () => null);
  const [status, setStatus] = useState<RealtimeStatus>('connecting');
  const hubRef = useRef<TopicHub | null>(null);
  hubRef.current ??= new TopicHub((topic, error) => console.warn(`realtime: ${topic}:`, error));
  const hub = hubRef.current;

  useEffect(() => {
    let realtime: Realtime | null = null;
    let cancelled = false;
    let lost = false;
    const refetchAll = () => void queryClient.invalidateQueries();
    setStatus('connecting');
    connectAfterLoad(nodePublicUrl, {
      token: token ?? undefined,
      onGap: refetchAll,
      onError: (error) => console.warn('realtime:', error.code, error.message),
    }).then(
      (connected) => {
        if (cancelled) {
          connected.close();
          return;
        }
        realtime = connected;
        const { socket } = connected;
        const onLive = () => {
          setStatus('live');
          if (lost) refetchAll();
          lost = false;
        };
        const onLost = () => {
          lost = true;
          setStatus('offline');
        };
        socket.on('connect', onLive);
        socket.on('disconnect', onLost);
        socket.on('connect_error', onLost);
        if (socket.connected) onLive();
        hub.attach(connected);
      },
      (error: unknown) => {
        console.warn('realtime: cannot connect to', nodePublicUrl, error);
        if (!cancelled) setStatus('offline');
      },
    );
    return () => {
      cancelled = true;
      hub.attach(null);
      realtime?.close();
    };
  }, [nodePublicUrl, token, hub, queryClient]);

  return <RealtimeContext.Provider value={{ hub, status }}>{children}</RealtimeContext.Provider>;
}

function useRealtimeContext(): RealtimeContextValue {
  const value = useContext(RealtimeContext);
  if (!value) throw new Error('useTopic and useRealtimeStatus need a RealtimeProvider above them (the root layout has one)');
  return value;
}

/** Whether the page hears the node right now. */
export function useRealtimeStatus(): RealtimeStatus {
  return useRealtimeContext().status;
}

/**
 * Calls `onEvent` with each event of `topic` while the component is mounted (null: none). The handler may change
 * every render; the subscription does not.
 */
export function useTopic<T extends string>(topic: T | null, onEvent: (event: RealtimeEvent<TopicPayload<T>>) => void): void {
  const { hub } = useRealtimeContext();
  const latest = useRef(onEvent);
  latest.current = onEvent;
  useEffect(() => {
    if (topic === null) return;
    const handler: TopicHandler = (event) => latest.current(event as RealtimeEvent<TopicPayload<T>>);
    return hub.add(topic, handler);
  }, [hub, topic]);
}
