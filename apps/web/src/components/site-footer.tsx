import Link from 'next/link';
import { navItems } from './nav-items.ts';

/** A quiet line at the bottom of every page. */
export function SiteFooter() {
  return (
    <footer className="mt-auto border-t border-slate-200 dark:border-slate-800">
      <div className="mx-auto flex max-w-6xl flex-col gap-3 px-4 py-6 text-sm text-slate-500 sm:flex-row sm:items-center sm:justify-between sm:px-6 dark:text-slate-400">
        <p>Arc: a chain, its explorer, a wallet in the page and a console for blocklets.</p>
        <nav aria-label="Footer">
          <ul className="flex flex-wrap gap-4">
            {navItems.map((item) => (
              <li key={item.href}>
                <Link href={item.href} className="hover:text-slate-900 dark:hover:text-slate-100">
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      </div>
    </footer>
  );
}
