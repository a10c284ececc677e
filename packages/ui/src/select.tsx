'use client';

import { Select as RadixSelect } from 'radix-ui';
import type { ReactNode } from 'react';
import { controlClass } from './input.tsx';

export interface SelectOption {
  value: string;
  label: ReactNode;
  disabled?: boolean;
}

export interface SelectProps {
  options: SelectOption[];
  value?: string;
  defaultValue?: string;
  onValueChange?: (value: string) => void;
  placeholder?: string;
  /** Given by a Field (its id and aria props), or an aria-label when there is no visible label. */
  id?: string;
  'aria-label'?: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
  disabled?: boolean;
  name?: string;
  className?: string;
}

/** A list box to pick one value from, keyboard usable (type to jump, arrows, Enter). */
export function Select({ options, placeholder = 'Choose…', className = '', ...props }: SelectProps) {
  const { value, defaultValue, onValueChange, disabled, name, ...aria } = props;
  return (
    <RadixSelect.Root value={value} defaultValue={defaultValue} onValueChange={onValueChange} disabled={disabled} name={name}>
      <RadixSelect.Trigger {...aria} className={`flex h-10 items-center justify-between gap-2 text-left ${controlClass} ${className}`}>
        <RadixSelect.Value placeholder={placeholder} />
        <RadixSelect.Icon className="text-slate-400">
          <svg viewBox="0 0 20 20" fill="currentColor" aria-hidden="true" className="size-4">
            <path d="M5.2 7.7a.75.75 0 0 1 1.06.02L10 11.6l3.74-3.88a.75.75 0 1 1 1.08 1.04l-4.28 4.44a.75.75 0 0 1-1.08 0L5.18 8.76a.75.75 0 0 1 .02-1.06Z" />
          </svg>
        </RadixSelect.Icon>
      </RadixSelect.Trigger>
      <RadixSelect.Portal>
        <RadixSelect.Content
          position="popper"
          sideOffset={4}
          className="z-50 max-h-72 min-w-(--radix-select-trigger-width) overflow-hidden rounded-lg bg-white p-1 shadow-lg ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-700"
        >
          <RadixSelect.Viewport>
            {options.map((option) => (
              <RadixSelect.Item
                key={option.value}
                value={option.value}
                disabled={option.disabled}
                className="relative flex cursor-default items-center rounded-md py-2 pr-3 pl-7 text-sm text-slate-800 outline-none select-none data-disabled:opacity-50 data-highlighted:bg-indigo-50 data-highlighted:text-indigo-900 dark:text-slate-100 dark:data-highlighted:bg-indigo-500/20 dark:data-highlighted:text-indigo-100"
              >
                <RadixSelect.ItemIndicator className="absolute left-2 text-indigo-600 dark:text-indigo-300">✓</RadixSelect.ItemIndicator>
                <RadixSelect.ItemText>{option.label}</RadixSelect.ItemText>
              </RadixSelect.Item>
            ))}
          </RadixSelect.Viewport>
        </RadixSelect.Content>
      </RadixSelect.Portal>
    </RadixSelect.Root>
  );
}
