'use client';

import { DropdownMenu as RadixMenu } from 'radix-ui';
import type { ReactNode } from 'react';

export interface MenuItem {
  label: ReactNode;
  onSelect: () => void;
  /** Red text: an action that removes or ends something. */
  danger?: boolean;
  disabled?: boolean;
}

export interface DropdownMenuProps {
  /** The button that opens the menu (one element; it gets the menu's aria props). */
  trigger: ReactNode;
  /** Shown above the items, e.g. the account the menu is about. */
  heading?: ReactNode;
  items: MenuItem[];
  align?: 'start' | 'end';
}

/** A menu of actions opened from a button; arrows move, Enter picks, Escape closes. */
export function DropdownMenu({ trigger, heading, items, align = 'end' }: DropdownMenuProps) {
  return (
    <RadixMenu.Root>
      <RadixMenu.Trigger asChild>{trigger}</RadixMenu.Trigger>
      <RadixMenu.Portal>
        <RadixMenu.Content
          align={align}
          sideOffset={6}
          className="z-50 min-w-48 rounded-lg bg-white p-1 shadow-lg ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-700"
        >
          {heading ? <RadixMenu.Label className="px-2.5 py-2 text-xs text-slate-500 dark:text-slate-400">{heading}</RadixMenu.Label> : null}
          {items.map((item, index) => (
            <RadixMenu.Item
              // biome-ignore lint/suspicious/noArrayIndexKey: a menu's items are fixed for one render
              key={index}
              disabled={item.disabled}
              onSelect={item.onSelect}
              className={`flex cursor-default items-center rounded-md px-2.5 py-2 text-sm outline-none select-none data-disabled:opacity-50 data-highlighted:bg-slate-100 dark:data-highlighted:bg-slate-800 ${item.danger ? 'text-red-600 dark:text-red-400' : 'text-slate-800 dark:text-slate-100'}`}
            >
              {item.label}
            </RadixMenu.Item>
          ))}
        </RadixMenu.Content>
      </RadixMenu.Portal>
    </RadixMenu.Root>
  );
}
