'use client';

import { cloneElement, isValidElement, type ReactElement, type ReactNode, useId } from 'react';

/** What a Field hands to its control so the label, hint and error belong to it. */
export interface FieldControlProps {
  id: string;
  'aria-describedby'?: string;
  'aria-invalid'?: true;
}

export interface FieldProps {
  label: ReactNode;
  /** A short help text under the control. */
  hint?: ReactNode;
  /** What is wrong with the value, in words; marks the control invalid. */
  error?: ReactNode;
  /** The control: an element (its id and aria props are set) or a function of those props. */
  children: ReactElement<FieldControlProps> | ((props: FieldControlProps) => ReactNode);
  className?: string;
}

/** A label, a control, a hint and an error message, linked by id and aria-describedby. */
export function Field({ label, hint, error, children, className = '' }: FieldProps) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined;
  const controlProps: FieldControlProps = { id, 'aria-describedby': describedBy, ...(error ? { 'aria-invalid': true } : {}) };
  const control =
    typeof children === 'function' ? children(controlProps) : isValidElement(children) ? cloneElement(children, controlProps) : children;
  return (
    <div className={`space-y-1.5 ${className}`}>
      <label htmlFor={id} className="block text-sm font-medium text-slate-800 dark:text-slate-200">
        {label}
      </label>
      {control}
      {hint ? (
        <p id={hintId} className="text-xs text-slate-500 dark:text-slate-400">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={errorId} className="text-xs font-medium text-red-600 dark:text-red-400">
          {error}
        </p>
      ) : null}
    </div>
  );
}
