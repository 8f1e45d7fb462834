'use client';

import { type ReactNode, useId } from 'react';
import { ActionRow } from './action-row';

/** An inline confirmation before an action with consequences: what will happen, then do it or cancel. */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  disabled,
  onConfirm,
  onCancel,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  disabled: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const id = useId();
  return (
    <div
      role="dialog"
      aria-labelledby={`${id}-title`}
      aria-describedby={`${id}-text`}
      className="mt-3 rounded-md border border-warn/60 bg-warn/5 p-3"
    >
      <h3 id={`${id}-title`} className="font-semibold">
        {title}
      </h3>
      <p id={`${id}-text`} className="mt-1">
        {children}
      </p>
      <ActionRow
        className="mt-2"
        label={confirmLabel}
        disabled={disabled}
        onClick={onConfirm}
        secondaryLabel="Cancel"
        onSecondary={onCancel}
      />
    </div>
  );
}
