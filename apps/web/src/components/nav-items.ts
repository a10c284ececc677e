/** The product's four areas, in the order the header shows them. */
export const navItems = [
  { href: '/', label: 'Marketplace' },
  { href: '/explorer', label: 'Explorer' },
  { href: '/console', label: 'Console' },
  { href: '/wallet', label: 'Wallet' },
] as const;

/** Whether `href` is the area the page at `pathname` belongs to (`/` only for the home page itself). */
export function isActive(href: string, pathname: string): boolean {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}
