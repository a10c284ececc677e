'use client';

import { Button, Field, Input } from '@arc/ui';
import type { FormEvent, ReactNode } from 'react';

export interface AmountFormProps {
  /** Names the form for assistive tech and tests. */
  label: string;
  /** The amount field's label ("Deposit (ABT)", "Amount to add (ABT)"). */
  fieldLabel: string;
  amount: string;
  onAmountChange: (amount: string) => void;
  fieldError?: string;
  hint?: ReactNode;
  submitLabel: string;
  busy: boolean;
  disabled?: boolean;
  onSubmit: () => void;
  onCancel?: () => void;
}

/** An amount of ABT and the button that sends it: the billing forms (open, add funds, withdraw). */
export function AmountForm(props: AmountFormProps) {
  const { label, fieldLabel, amount, onAmountChange, fieldError, hint, submitLabel, busy, disabled = false, onSubmit, onCancel } = props;
  function submit(event: FormEvent) {
    event.preventDefault();
    onSubmit();
  }
  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label={label}
      className={`grid gap-3 sm:items-start ${onCancel ? 'sm:grid-cols-[minmax(0,1fr)_auto_auto]' : 'sm:grid-cols-[minmax(0,1fr)_auto]'}`}
    >
      <Field label={fieldLabel} error={fieldError} hint={hint}>
        <Input value={amount} onChange={(e) => onAmountChange(e.target.value)} inputMode="decimal" autoComplete="off" />
      </Field>
      <Button type="submit" className="sm:mt-7" loading={busy} disabled={disabled}>
        {submitLabel}
      </Button>
      {onCancel ? (
        <Button variant="ghost" className="sm:mt-7" onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
      ) : null}
    </form>
  );
}
