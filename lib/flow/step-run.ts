import type { AddressPolicy } from '../http/guard';
import { DEFAULT_LIMITS, formatSeconds, type OutboundLimits } from '../http/limits';
import { Redactor } from '../http/redact';
import { createTracedFetch, type StepBudget, withPurpose } from '../http/traced-fetch';
import type { Exchange, FetchLike } from '../http/types';
import { CHECKS, type CheckId } from './checks';
import { STEP_INFO } from './step-info';
import {
  type Check,
  type CheckStatus,
  FlowError,
  type FlowErrorInfo,
  type FlowSecrets,
  type StepId,
  type StepRecord,
  type StepStatus,
} from './types';

/** The outbound limits per request, plus the flow's own. */
export interface FlowLimits extends OutboundLimits {
  /** Body limit for MCP answers (tool lists, tool results): larger than metadata's, still bounded. */
  maxMcpBodyBytes: number;
  /** Wall-clock budget for one step: all its requests (and redirect hops) together. */
  stepBudgetMs: number;
}

export const DEFAULT_FLOW_LIMITS: Readonly<FlowLimits> = Object.freeze({
  ...DEFAULT_LIMITS,
  maxMcpBodyBytes: 5 * 1_048_576,
  stepBudgetMs: 30_000,
});

/** What the engine needs from its caller. */
export interface FlowContext {
  /** Base fetch the traced fetch wraps (tests inject a fake); the global fetch when absent. */
  fetch?: FetchLike;
  now?: () => number;
  policy?: AddressPolicy;
  limits?: Partial<FlowLimits>;
}

export interface TracedCall {
  fetch: FetchLike;
  /** Ids of the exchanges this call recorded, in order. */
  exchangeIds: string[];
}

export interface CheckExtras {
  expected?: string;
  actual?: string;
  exchangeIds?: string[];
}

function secretValues(secrets: FlowSecrets): string[] {
  return Object.values(secrets).filter((v): v is string => typeof v === 'string');
}

/**
 * One run of one step: the traced fetches it makes (each recording redacted exchanges into the
 * step's record), the checks it judges, the facts it finds.
 */
export class StepRun {
  readonly record: StepRecord;
  /**
   * Exchanges the continued record already held, scrubbed when their own run finished (and the
   * browser-bound view is scrubbed again with every live secret): finish() leaves them as they are.
   */
  private readonly carried: number;
  readonly redactor: Redactor;
  readonly startedAt: number;
  readonly limits: FlowLimits;
  /** Aborts when the step's time budget is used up; every traced fetch of the step shares it. */
  readonly budget: StepBudget;
  private seq: number;

  constructor(
    readonly stepId: StepId,
    private readonly ctx: FlowContext,
    secrets: FlowSecrets,
    seq: number,
    /** Continue an existing record (the 'tools' record collects every later tool call). */
    existing?: StepRecord,
  ) {
    this.seq = seq;
    this.redactor = new Redactor(secretValues(secrets));
    this.startedAt = this.now();
    this.limits = { ...DEFAULT_FLOW_LIMITS, ...definedOnly(ctx.limits) };
    this.budget = {
      signal: AbortSignal.timeout(this.limits.stepBudgetMs),
      ms: this.limits.stepBudgetMs,
      label: `The “${STEP_INFO[stepId]?.title ?? stepId}” step`,
    };
    this.carried = existing?.exchanges.length ?? 0;
    this.record = existing
      ? {
          ...existing,
          checks: [...existing.checks],
          exchanges: [...existing.exchanges],
          facts: { ...existing.facts },
        }
      : { id: stepId, status: 'pending', startedAt: this.startedAt, checks: [], exchanges: [], facts: {} };
  }

  now(): number {
    return (this.ctx.now ?? Date.now)();
  }

  get nextSeq(): number {
    return this.seq;
  }

  /**
   * Registers a secret learned mid-step, so later exchanges redact it, and scrubs it out of every
   * exchange this step recorded already: the answer that carried it was recorded before the step
   * read it, and a hostile server may have put it where no structural rule looks (a body labelled
   * text/event-stream, a header, a member nested too deep).
   */
  addSecret(value: string | undefined): void {
    const before = this.redactor.size;
    this.redactor.addSecret(value);
    if (this.redactor.size === before) return;
    this.record.exchanges = this.record.exchanges.map((exchange) => this.redactor.deep(exchange));
  }

  /** A traced fetch whose requests are labelled with `purpose` and whose exchange ids are collected. */
  traced(purpose: string): TracedCall {
    const call = this.tracedRaw();
    const inner = call.fetch;
    return {
      fetch: (input, init) => inner(input, withPurpose(init, purpose)),
      exchangeIds: call.exchangeIds,
    };
  }

  /**
   * Settles like `work`, unless the step's time budget runs out first: then it rejects with a
   * FlowError 'timeout' naming the step and the budget (the step's requests are aborted too).
   */
  withinBudget<T>(work: Promise<T>): Promise<T> {
    const { signal, ms } = this.budget;
    const overBudget = () =>
      new FlowError({
        code: 'timeout',
        message: `${this.budget.label} did not finish within its ${formatSeconds(ms)} time budget, so it was stopped.`,
        hint: 'The server answered too slowly (or sent the inspector through too many requests). Check that it is up and responsive; an operator can raise the budget with INSPECTOR_STEP_BUDGET_MS.',
        expected: `the step done within ${formatSeconds(ms)}`,
        actual: `still running after ${formatSeconds(ms)}`,
      });
    work.catch(() => undefined);
    if (signal.aborted) return Promise.reject(overBudget());
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(overBudget());
      signal.addEventListener('abort', onAbort, { once: true });
      work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /**
   * A traced fetch without a fixed purpose: the caller labels each request with `withPurpose`.
   * `limits` overrides the step's limits for these requests (MCP answers may be larger).
   */
  tracedRaw(limits: Partial<OutboundLimits> = {}): TracedCall {
    const exchangeIds: string[] = [];
    const sink = {
      record: (exchange: Exchange) => {
        exchangeIds.push(exchange.id);
        this.record.exchanges.push(exchange);
      },
    };
    const fetch = createTracedFetch({
      stepId: this.stepId,
      sink,
      base: this.ctx.fetch,
      policy: this.ctx.policy,
      limits: { ...outboundOnly(this.limits), ...definedOnly(limits) },
      budget: this.budget,
      redactor: this.redactor,
      now: this.ctx.now,
      idPrefix: `${this.stepId}.${++this.seq}.`,
    });
    return { fetch, exchangeIds };
  }

  check(id: CheckId, status: CheckStatus, message: string, extras: CheckExtras = {}): Check {
    const def = CHECKS[id];
    const check: Check = {
      id,
      status,
      title: def.title,
      message,
      specRef: def.specRef,
      ...(extras.expected !== undefined ? { expected: extras.expected } : {}),
      ...(extras.actual !== undefined ? { actual: extras.actual } : {}),
      exchangeIds: extras.exchangeIds ?? [],
    };
    // A check id appears once per record; judging it again (e.g. re-listing tools) replaces it.
    const at = this.record.checks.findIndex((c) => c.id === id);
    if (at >= 0) this.record.checks[at] = check;
    else this.record.checks.push(check);
    return check;
  }

  /**
   * Records check `id` as failed and returns the FlowError that stops the step, so the check and the
   * error always agree: the same message (unless `checkMessage` says it differently), the same
   * expected and actual (unless the check states its own), and the spec reference from the check
   * registry (unless `specRef` overrides it). Use it as `throw run.fail('as.pkce-s256', { code: 'pkce_unsupported', message, hint })`.
   */
  fail(
    id: CheckId,
    error: Omit<FlowErrorInfo, 'specRef'> & { specRef?: string },
    extras: CheckExtras & { checkMessage?: string; cause?: unknown } = {},
  ): FlowError {
    const expected = extras.expected ?? error.expected;
    const actual = extras.actual ?? error.actual;
    this.check(id, 'fail', extras.checkMessage ?? error.message, {
      ...(expected !== undefined ? { expected } : {}),
      ...(actual !== undefined ? { actual } : {}),
      ...(extras.exchangeIds ? { exchangeIds: extras.exchangeIds } : {}),
    });
    return new FlowError(
      { ...error, specRef: error.specRef ?? CHECKS[id].specRef },
      extras.cause !== undefined ? { cause: extras.cause } : undefined,
    );
  }

  fact(key: string, value: unknown): void {
    this.record.facts = { ...this.record.facts, [key]: value };
  }

  /** Closes the record: status from the worst check, or 'failed' with the error. */
  finish(opts: { error?: FlowErrorInfo; status?: StepStatus } = {}): StepRecord {
    const statuses = this.record.checks.map((c) => c.status);
    const derived: StepStatus = opts.error
      ? 'failed'
      : statuses.includes('fail')
        ? 'failed'
        : statuses.includes('warn')
          ? 'warned'
          : statuses.length > 0 && statuses.every((s) => s === 'skip')
            ? 'skipped'
            : 'passed';
    this.record.status = opts.status ?? derived;
    this.record.durationMs = Math.max(0, this.now() - this.startedAt);
    if (opts.error) this.record.error = opts.error;
    else delete this.record.error;
    // Checks, facts and errors quote remote text too (an error description, a tool's name): the
    // record leaves the step with no secret the step knows, wherever the text came from.
    // Only what this run added: a continued record (the tools step) would otherwise be scrubbed
    // whole again on every tool call, a cost that grows with every call before it.
    const earlier = this.record.exchanges.slice(0, this.carried);
    const scrubbed = this.redactor.deep({
      ...this.record,
      exchanges: this.record.exchanges.slice(this.carried),
    });
    Object.assign(this.record, scrubbed, { exchanges: [...earlier, ...scrubbed.exchanges] });
    return this.record;
  }
}

function definedOnly<T extends object>(values: T | undefined): Partial<T> {
  return Object.fromEntries(Object.entries(values ?? {}).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function outboundOnly(limits: FlowLimits): OutboundLimits {
  const { maxMcpBodyBytes: _mcp, stepBudgetMs: _budget, ...outbound } = limits;
  return outbound;
}

/** Sorts a record's exchanges by start time (streams record when they end, not when they start). */
/**
 * Sorts a record's exchanges by start time (streams record when they end, not when they start).
 * Copies the arrays, so a step stopped by its time budget cannot change the record afterwards.
 */
export function orderedRecord(record: StepRecord): StepRecord {
  return {
    ...record,
    checks: [...record.checks],
    exchanges: [...record.exchanges].sort((a, b) => a.startedAt - b.startedAt),
  };
}

/** Inserts or replaces a record, keeping records in STEP_ORDER order of first appearance. */
export function upsertRecord(records: StepRecord[], record: StepRecord): StepRecord[] {
  const at = records.findIndex((r) => r.id === record.id);
  if (at < 0) return [...records, record];
  const next = [...records];
  next[at] = record;
  return next;
}
