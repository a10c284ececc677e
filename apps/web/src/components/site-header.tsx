import { NodeStatus } from './node-status.tsx';

/** The dark bar on every page: the platform's name, and which chain and node the page is showing. */
export function SiteHeader() {
  return (
    <header className="bg-slate-950 text-white">
      <div className="mx-auto flex h-16 max-w-6xl items-center justify-between gap-4 px-4 sm:px-6">
        <a href="/" className="flex items-center gap-3 rounded-md focus-visible:outline-2 focus-visible:outline-indigo-400">
          <span className="flex size-8 items-center justify-center rounded-lg bg-linear-to-br from-indigo-400 to-violet-600 text-sm font-bold shadow-inner shadow-white/20">
            A
          </span>
          <span className="text-lg font-semibold tracking-tight">Arc</span>
          <span className="hidden text-sm text-slate-400 sm:inline">Explorer</span>
        </a>
        <NodeStatus />
      </div>
    </header>
  );
}
