const button = 'rounded-md px-4 py-2 text-sm font-semibold disabled:opacity-60';

/** The one thing to do next, and the way out (Start over, Cancel). */
export function ActionRow({
  label,
  disabled,
  onClick,
  secondaryLabel,
  onSecondary,
  className = 'mt-3',
}: {
  label: string;
  disabled: boolean;
  onClick: () => void;
  secondaryLabel: string;
  onSecondary: () => void;
  className?: string;
}) {
  return (
    <div className={`${className} flex flex-wrap gap-2`}>
      <button
        type="button"
        disabled={disabled}
        onClick={onClick}
        className={`${button} bg-accent text-accent-fg`}
      >
        {label}
      </button>
      <button type="button" onClick={onSecondary} className={`${button} border border-line`}>
        {secondaryLabel}
      </button>
    </div>
  );
}
