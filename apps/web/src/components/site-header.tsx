import Link from 'next/link';
import { AccountStatus } from './account-status.tsx';
import { MainNav } from './main-nav.tsx';
import { MobileNav } from './mobile-nav.tsx';
import { NodeStatus } from './node-status.tsx';
import { SearchBox } from './search-box.tsx';

/** The dark bar on every page: the four areas, the search box, the node's status and the account. */
export function SiteHeader() {
  return (
    <header className="relative z-20 bg-slate-950 text-white ring-1 ring-white/5">
      <div className="mx-auto flex h-16 max-w-6xl items-center gap-3 px-4 sm:px-6">
        <Link href="/" className="flex shrink-0 items-center gap-2.5 rounded-md focus-visible:outline-2 focus-visible:outline-indigo-400">
          <span className="flex size-8 items-center justify-center rounded-lg bg-linear-to-br from-indigo-400 to-violet-600 text-sm font-bold shadow-inner shadow-white/20">
            A
          </span>
          <span className="text-lg font-semibold tracking-tight">Arc</span>
        </Link>
        <MainNav />
        <SearchBox id="search" className="ml-auto hidden w-56 md:block lg:w-72" />
        <div className="ml-auto flex min-w-0 items-center gap-2 md:ml-0">
          <NodeStatus />
          <AccountStatus />
          <MobileNav />
        </div>
      </div>
    </header>
  );
}
