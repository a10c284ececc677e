'use client';

import { useEffect, useState } from 'react';

/** True from the first render where `flag` is true on: a dialog, once loaded, stays mounted to animate out. */
export function useEverTrue(flag: boolean): boolean {
  const [ever, setEver] = useState(flag);
  if (flag && !ever) setEver(true);
  return ever || flag;
}

/**
 * Calls `lock` after `autoLockMs` without a key press or a click while `opened` (the open vault) is not null; any key
 * press or click starts the count again, and so does a change of `opened`. 0 or less: never.
 */
export function useAutoLock(opened: unknown, autoLockMs: number, lock: () => void): void {
  useEffect(() => {
    if (opened === null || autoLockMs <= 0) return;
    let timer = setTimeout(lock, autoLockMs);
    const restart = () => {
      clearTimeout(timer);
      timer = setTimeout(lock, autoLockMs);
    };
    window.addEventListener('pointerdown', restart, { passive: true });
    window.addEventListener('keydown', restart, { passive: true });
    return () => {
      clearTimeout(timer);
      window.removeEventListener('pointerdown', restart);
      window.removeEventListener('keydown', restart);
    };
  }, [opened, autoLockMs, lock]);
}
