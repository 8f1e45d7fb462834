import type { CheckStatus, StepStatus } from '@/lib/flow/types';

type Status = CheckStatus | StepStatus | 'running';

const LOOK: Record<Status, { icon: string; word: string; className: string }> = {
  pass: { icon: '✓', word: 'Pass', className: 'text-pass' },
  passed: { icon: '✓', word: 'Passed', className: 'text-pass' },
  warn: { icon: '!', word: 'Warning', className: 'text-warn' },
  warned: { icon: '!', word: 'Warnings', className: 'text-warn' },
  fail: { icon: '✕', word: 'Fail', className: 'text-fail' },
  failed: { icon: '✕', word: 'Failed', className: 'text-fail' },
  skip: { icon: '–', word: 'Skipped', className: 'text-skip' },
  skipped: { icon: '–', word: 'Skipped', className: 'text-skip' },
  pending: { icon: '○', word: 'Pending', className: 'text-skip' },
  waiting: { icon: '◔', word: 'Waiting for you', className: 'text-accent' },
  running: { icon: '◌', word: 'Running', className: 'text-accent' },
};

/** Status by icon and word, never colour alone. */
export function StatusBadge({ status, compact = false }: { status: Status; compact?: boolean }) {
  const look = LOOK[status];
  return (
    <span className={`inline-flex items-center gap-1 whitespace-nowrap font-medium ${look.className}`}>
      <span aria-hidden="true" className="inline-block w-4 text-center font-mono">
        {look.icon}
      </span>
      <span className={compact ? 'sr-only' : 'text-sm'}>{look.word}</span>
    </span>
  );
}
