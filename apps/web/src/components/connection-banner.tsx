'use client';

import { useEffect, useState } from 'react';
import { useRealtimeStatus } from '../realtime/provider.tsx';

/** A drop shorter than this shows no banner (a reconnect after a blip is not news). */
const bannerDelayMs = 1500;

/** Says so under the header while the node does not answer; goes away by itself when it is back. */
export function ConnectionBanner() {
  const status = useRealtimeStatus();
  const [show, setShow] = useState(false);
  useEffect(() => {
    if (status !== 'offline') {
      setShow(false);
      return;
    }
    const timer = setTimeout(() => setShow(true), bannerDelayMs);
    return () => clearTimeout(timer);
  }, [status]);
  return (
    <div aria-live="polite">
      {show ? (
        <div
          data-testid="connection-banner"
          className="border-b border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-500/30 dark:bg-amber-500/10 dark:text-amber-200"
        >
          <p className="mx-auto flex max-w-6xl items-center gap-2 px-4 py-2 text-sm sm:px-6">
            <span aria-hidden="true" className="size-2 shrink-0 motion-safe:animate-pulse rounded-full bg-amber-500" />
            Lost the connection to the node… retrying. What you see may be out of date; nothing you typed is lost.
          </p>
        </div>
      ) : null}
    </div>
  );
}
