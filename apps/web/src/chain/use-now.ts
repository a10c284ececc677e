'use client';

import { useEffect, useState } from 'react';

/** The current time, updated every `tickMs`, so "12s ago" keeps counting between refreshes. */
export function useNowMs(tickMs = 1000): number {
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNowMs(Date.now()), tickMs);
    return () => clearInterval(timer);
  }, [tickMs]);
  return nowMs;
}
