import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { ConsoleShell } from './console-shell.tsx';

export const metadata: Metadata = { title: { default: 'Console', template: '%s · Console · Arc' } };

/** The developer console: a sidebar of its sections, and a sign-in gate in front of every page. */
export default function ConsoleLayout({ children }: { children: ReactNode }) {
  return <ConsoleShell>{children}</ConsoleShell>;
}
