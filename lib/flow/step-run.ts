import type { AddressPolicy } from '../http/guard';
import type { OutboundLimits } from '../http/limits';
import { Redactor } from '../http/redact';
import { createTracedFetch, withPurpose } from '../http/traced-fetch';
import type { Exchange, FetchLike } from '../http/types';
import { CHECKS, type CheckId } from './checks';
import type { Check, CheckStatus, FlowErrorInfo, FlowSecrets, StepId, StepRecord, StepStatus } from './types';

/** What the engine needs from its caller. */
export interface FlowContext {
  /** Base fetch the traced fetch wraps (tests inject a fake); the global fetch when absent. */
  fetch?: FetchLike;
  now?: () => number;
  policy?: AddressPolicy;
  limits?: Partial<OutboundLimits>;
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
  readonly redactor: Redactor;
  readonly startedAt: number;
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

  /** Registers a secret learned mid-step, so later exchanges redact it. */
  addSecret(value: string | undefined): void {
    this.redactor.addSecret(value);
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

  /** A traced fetch without a fixed purpose: the caller labels each request with `withPurpose`. */
  tracedRaw(): TracedCall {
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
      limits: this.ctx.limits,
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
    return this.record;
  }
}

/** Inserts or replaces a record, keeping records in STEP_ORDER order of first appearance. */
export function upsertRecord(records: StepRecord[], record: StepRecord): StepRecord[] {
  const at = records.findIndex((r) => r.id === record.id);
  if (at < 0) return [...records, record];
  const next = [...records];
  next[at] = record;
  return next;
}
