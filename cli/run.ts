import {
  answerToolInput,
  callTool,
  createFlow,
  type FlowContext,
  type FlowState,
  type FlowView,
  handleCallback,
  MAX_STEP_UP_ATTEMPTS,
  reconnect,
  resumeAfterReauthorization,
  runUntilPause,
  type ToolCallView,
  toView,
} from '../lib/flow';
import { STEP_INFO } from '../lib/flow/step-info';
import { type FlowSecrets, LATEST_SPEC, type StepId, type StepRecord } from '../lib/flow/types';
import { createTracedFetch } from '../lib/http/traced-fetch';
import type { FetchLike } from '../lib/http/types';
import type { InputAnswer, InputRequestView } from '../lib/mcp/input-required';
import { type CliOptions, parseCliArgs, UsageError } from './args';
import { runCliAudit } from './audit';
import { type OpenBrowser, openSystemBrowser } from './browser';
import { type CallbackServer, startCallbackServer } from './callback-server';
import { cliReport, toJunit, writeTextFile } from './files';
import { FollowError, followAuthorizationRedirects } from './follow-redirects';
import {
  formatAudit,
  formatCall,
  formatStep,
  formatSummary,
  formatTools,
  Progress,
  type Style,
} from './human';
import {
  buildReport,
  exitCodeOf,
  type ReportCall,
  type ReportCheck,
  type ReportWire,
  stepErrorCheckId,
  stoppedAt,
} from './report';

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
}

export interface CliIo {
  stdout: OutStream;
  stderr: OutStream;
}

/** What tests replace: the browser, the network under the engine, the environment. */
export interface CliDeps {
  openBrowser?: OpenBrowser;
  /** Base fetch under every traced fetch (the engine's and the --non-interactive follower's). */
  fetch?: FetchLike;
  env?: Record<string, string | undefined>;
}

export const CLIENT_NAME = 'MCP Auth Inspector (CLI)';

const DEFAULT_TIMEOUT_MS = { interactive: 300_000, nonInteractive: 60_000 };
/** Per-request limit; a shorter --timeout lowers it. */
const REQUEST_TIMEOUT_MS = 10_000;

class DeadlineError extends Error {}

function contextFor(options: CliOptions, deps: CliDeps, timeoutMs: number): FlowContext {
  return {
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    policy: options.hosted ? { mode: 'hosted' } : { mode: 'local' },
    limits: { timeoutMs: Math.min(REQUEST_TIMEOUT_MS, timeoutMs) },
  };
}

function isPaused(state: FlowState): boolean {
  return state.step === 'awaiting-callback' || state.step === 'connected' || state.step === 'failed';
}

/** Races a promise against the run's deadline. */
function withDeadline<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new DeadlineError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DeadlineError());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/** Prints step lines as records settle, each once, in the order the engine ran them. */
class StepPrinter {
  private readonly printed = new Set<StepId>();

  constructor(
    private readonly out: OutStream | undefined,
    private readonly style: Style,
  ) {}

  print(records: readonly StepRecord[], opts: { includeWaiting?: boolean } = {}): void {
    for (const r of records) {
      if (this.printed.has(r.id) || r.status === 'pending') continue;
      if (r.status === 'waiting' && !opts.includeWaiting) continue;
      this.printed.add(r.id);
      this.out?.write(`${formatStep(r, this.style)}\n`);
    }
  }

  line(record: Pick<StepRecord, 'id' | 'status' | 'checks' | 'error'>): void {
    this.printed.add(record.id);
    this.out?.write(`${formatStep(record, this.style)}\n`);
  }
}

function describeCallResult(result: ToolCallView): string | undefined {
  if (result.error?.code === 'tool_not_read_only') {
    return `${[result.error.message, result.error.hint].filter(Boolean).join(' ')}\nTo run it anyway (it may change data on the server), add --allow-write.`;
  }
  if (result.error) return [result.error.message, result.error.hint].filter(Boolean).join(' ');
  const text = result.content
    .map((c) => (c.type === 'text' ? c.text : `[${c.type}]`))
    .join('\n')
    .trim();
  return text ? text.slice(0, 2000) : undefined;
}

/**
 * The answers `--input` gives to one round of input requests: per request key when its keys are the
 * server's keys, otherwise the same form content for every elicitation. Without --input: decline.
 */
export function answersFrom(
  requests: InputRequestView[],
  input: Record<string, unknown> | undefined,
): Record<string, InputAnswer> | 'decline' {
  if (!input) return 'decline';
  const byKey = new Map(requests.map((r) => [r.key, r]));
  const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  // Keyed only when every key is a request key and each answer has its request's shape: a form
  // field that happens to share the request's name ({"unit":"celsius"}) stays form content.
  const keyed =
    Object.keys(input).length > 0 &&
    Object.entries(input).every(([k, v]) => {
      const r = byKey.get(k);
      return r !== undefined && (r.kind === 'sampling' ? typeof v === 'string' : isObject(v));
    });
  const answers: Record<string, InputAnswer> = {};
  for (const r of requests) {
    const given = keyed ? input[r.key] : input;
    if (given === undefined) continue;
    if (r.kind === 'sampling') {
      answers[r.key] = { action: 'accept', text: typeof given === 'string' ? given : JSON.stringify(given) };
    } else if (r.kind === 'elicitation' && isObject(given)) {
      answers[r.key] = { action: 'accept', content: given as Record<string, unknown> };
    }
  }
  return answers;
}

function formatInputRequests(
  tool: string,
  round: number,
  requests: InputRequestView[],
  input: Record<string, unknown> | undefined,
): string {
  const lines = requests.map(
    (r) =>
      `  ${r.key}: ${r.method}${r.message ? ` — “${r.message}”` : ''}${r.schema ? ` schema ${JSON.stringify(r.schema).slice(0, 300)}` : ''}${r.note ? ` (${r.note})` : ''}`,
  );
  return [
    `${tool} asks for input before it answers (round ${round}):`,
    ...lines,
    input ? 'Answering with --input.' : 'Declining (give answers with --input JSON).',
  ].join('\n');
}

/**
 * `isError` is the tool's own verdict, so it is false for a call that was refused or never answered
 * (the engine marks those isError too, with an `error` saying why).
 */
export function callOutcome(result: ToolCallView): ReportCall {
  const answered = !result.refused && result.error === undefined && !result.inputRequired;
  const isError = answered && result.isError;
  return {
    tool: result.tool,
    ok: answered && !isError,
    isError,
    ...(answered ? { content: result.content } : {}),
    ...(answered && result.structuredContent !== undefined
      ? { structuredContent: result.structuredContent }
      : {}),
  };
}

/** Which MCP wire the server spoke, for the report; absent before the MCP session. */
function wireOf(state: FlowState | undefined): ReportWire | undefined {
  const mcp = state && 'mcp' in state ? state.mcp : undefined;
  if (!mcp?.era) return undefined;
  return {
    era: mcp.era,
    ...(mcp.protocolVersion ? { protocolVersion: mcp.protocolVersion } : {}),
    session: Boolean(mcp.sessionId),
  };
}

/** Runs one command line and returns the exit code. Never calls process.exit. */
export async function runCli(argv: readonly string[], io: CliIo, deps: CliDeps = {}): Promise<number> {
  let options: CliOptions;
  try {
    const parsed = parseCliArgs(argv);
    if (parsed.kind !== 'run') {
      io.stdout.write(`${parsed.text}\n`);
      return 0;
    }
    options = parsed.options;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`mcp-auth-inspector: ${error.message}\nRun mcp-auth-inspector --help for usage.\n`);
    return 2;
  }
  const env = deps.env ?? process.env;
  if (options.clientId && options.clientSecret === undefined && env.MCP_AUTH_INSPECTOR_CLIENT_SECRET) {
    options.clientSecret = env.MCP_AUTH_INSPECTOR_CLIENT_SECRET;
  }

  const style: Style = { color: !options.json && io.stdout.isTTY === true && !env.NO_COLOR };
  const human = options.json ? undefined : io.stdout;
  const progress = new Progress(io.stderr);
  const printer = new StepPrinter(human, style);
  const timeoutMs =
    options.timeoutMs ??
    (options.nonInteractive ? DEFAULT_TIMEOUT_MS.nonInteractive : DEFAULT_TIMEOUT_MS.interactive);
  const deadline = AbortSignal.timeout(timeoutMs);
  const ctx = contextFor(options, deps, timeoutMs);

  human?.write(`MCP Auth Inspector ${options.command} ${options.serverUrl}\n`);

  let server: CallbackServer | undefined;
  const extraChecks: ReportCheck[] = [];
  let call: ReportCall | undefined;
  let callDetail: string | undefined;
  let state: FlowState | undefined;
  /** The MCP session was reached (the audit's revocation ends it afterwards). */
  let reached = false;
  let sessionView: FlowView | undefined;
  let sessionWire: ReportWire | undefined;
  let audited_ = false;
  let auditNote: string | undefined;
  const secretsSeen: FlowSecrets[] = [];
  try {
    server = await startCallbackServer();
    state = createFlow({
      serverUrl: options.serverUrl,
      specVersion: options.specVersion ?? LATEST_SPEC,
      redirectUri: server.redirectUri,
      registration: 'auto',
      discovery: options.discovery,
      clientName: CLIENT_NAME,
      ...(options.scope ? { scope: options.scope } : {}),
      ...(options.clientId ? { preRegistered: { clientId: options.clientId } } : {}),
      ...(options.clientId && options.clientSecret ? { clientSecret: options.clientSecret } : {}),
      ...(options.clientId && options.clientPrivateKey ? { clientPrivateKey: options.clientPrivateKey } : {}),
      ...(options.clientAssertionAlg ? { clientAssertionAlg: options.clientAssertionAlg } : {}),
      ...(options.grant ? { grant: options.grant } : {}),
      ...(options.dpop ? { dpop: true } : {}),
      ...(options.assertion ? { assertion: options.assertion } : {}),
      ...(options.idp ? { idp: options.idp } : {}),
      ...(options.idpIdToken ? { idpIdToken: options.idpIdToken } : {}),
      ...(options.clientMetadataUrl ? { clientMetadataUrl: options.clientMetadataUrl } : {}),
    });

    /** The browser's (or --non-interactive follower's) way back: the callback URL, or undefined after recording why not. */
    const obtainCallback = async (
      authorizationUrl: string,
      callbackServer: CallbackServer,
      /** Called instead of recording callback.code (the audit's audience test judges its own rows). */
      onMissing?: (why: string) => void,
    ): Promise<URL | undefined> => {
      const redirectUri = callbackServer.redirectUri;
      try {
        if (options.nonInteractive) {
          progress.start('Following the authorization redirects…');
          try {
            const follower = createTracedFetch({
              stepId: 'callback',
              ...(deps.fetch ? { base: deps.fetch } : {}),
              policy: ctx.policy,
              limits: ctx.limits,
            });
            return await withDeadline(
              followAuthorizationRedirects({
                authorizationUrl,
                redirectUri,
                fetch: follower,
              }),
              deadline,
            );
          } finally {
            progress.stop();
          }
        } else {
          io.stderr.write(
            `\nOpen this URL to sign in and consent (opening your browser):\n  ${authorizationUrl}\n\n`,
          );
          const opened = await (deps.openBrowser ?? openSystemBrowser(env))(authorizationUrl);
          if (!opened) io.stderr.write('Could not start a browser; open the URL above yourself.\n');
          progress.start(`Waiting for the browser to come back to ${redirectUri}…`);
          try {
            return await callbackServer.waitForCallback(deadline);
          } finally {
            progress.stop();
          }
        }
      } catch (error) {
        const message =
          error instanceof FollowError
            ? `${error.message}${error.hint ? ` ${error.hint}` : ''}`
            : error instanceof DeadlineError || deadline.aborted
              ? `No authorization response arrived within ${timeoutMs / 1000} s.`
              : `Could not follow the authorization redirects: ${(error as Error).message}`;
        if (onMissing) {
          onMissing(message);
          return undefined;
        }
        const check: ReportCheck = {
          id: 'callback.code',
          status: 'fail',
          message,
          specRef: 'RFC 6749 §4.1.2',
        };
        extraChecks.push(check);
        printer.line({
          id: 'callback',
          status: 'failed',
          checks: [{ ...check, title: STEP_INFO.callback.title, exchangeIds: [] }],
        });
        return undefined;
      }
    };

    let migrated = false;
    for (;;) {
      // The same run-all as the web app (in matrix discovery the well-known metadata requests go out
      // with the probe), one progress line per step.
      if (!isPaused(state)) {
        try {
          state = await withDeadline(
            runUntilPause(state, ctx, {
              beforeStep: (s) => progress.start(`${STEP_INFO[s.step as StepId]?.title ?? s.step}…`),
              afterStep: (s) => {
                state = s; // so a --timeout names the step it stopped in
                progress.stop();
                printer.print(toView(s).steps);
              },
            }),
            deadline,
          );
        } finally {
          progress.stop();
        }
      }
      // The resource moved to another authorization server (SEP-2352): a client registers there and
      // signs in again, once, sending it nothing from the old one.
      if (
        state.step === 'failed' &&
        state.recovery?.migrateTo &&
        !migrated &&
        options.command === 'connect'
      ) {
        migrated = true;
        human?.write(`\n${state.recovery.message}\n`);
        state = await withDeadline(reconnect(state, ctx), deadline);
        printer.print(toView(state).steps);
      }
      if (state.step !== 'awaiting-callback') break;

      const view: FlowView = toView(state);
      const authorizationUrl = view.authorizationUrl;
      if (!authorizationUrl)
        throw new Error('The engine is waiting for a callback but gave no authorization URL.');
      if (options.command === 'doctor' && !options.nonInteractive && !options.browser) {
        printer.print(view.steps, { includeWaiting: true });
        human?.write(
          `\nStopped at the consent step: a person has to sign in from here.\nTo finish in your browser: mcp-auth-inspector doctor ${options.serverUrl} --browser\nAuthorization URL: ${authorizationUrl}\n`,
        );
        break;
      }

      const callbackUrl = await obtainCallback(authorizationUrl, server);
      if (!callbackUrl) break;
      state = await withDeadline(handleCallback(state, callbackUrl, ctx), deadline);
    }

    if (state.step === 'connected' && state.reauth)
      state = (await resumeAfterReauthorization(state, ctx)).state;

    if (state.step === 'connected' && options.call) {
      const tool = options.call.tool;
      progress.start(`Calling ${tool}…`);
      try {
        const allowNonReadOnly = options.allowWrite;
        let out = await withDeadline(
          callTool(state, ctx, tool, options.call.args, { allowNonReadOnly }),
          deadline,
        );
        // Step-up (MCP 2025-11-25 §Scope Challenge Handling): a 403 insufficient_scope is answered by a
        // new authorization for granted ∪ required scope, then the same call once more; at most
        // MAX_STEP_UP_ATTEMPTS times. A refresh cannot add scopes (RFC 6749 §6).
        for (let attempt = 0; attempt < MAX_STEP_UP_ATTEMPTS; attempt++) {
          const offer =
            out.state.step === 'connected'
              ? out.state.recovery
              : out.state.step === 'failed' && out.state.recovery?.migrateTo && !migrated
                ? out.state.recovery
                : undefined;
          if (offer?.migrateTo) migrated = true;
          else if (offer?.action !== 'step-up' || options.command !== 'connect') break;
          progress.stop();
          human?.write(`\nStep-up: ${offer.message}\n`);
          let again = await withDeadline(reconnect(out.state, ctx), deadline);
          const authorizationUrl = toView(again).authorizationUrl;
          if (again.step !== 'awaiting-callback' || !authorizationUrl) {
            out = { state: again, result: out.result };
            break;
          }
          const callbackUrl = await obtainCallback(authorizationUrl, server);
          if (!callbackUrl) {
            out = { state: again, result: out.result };
            break;
          }
          again = await withDeadline(handleCallback(again, callbackUrl, ctx), deadline);
          again = await withDeadline(runUntilPause(again, ctx), deadline);
          printer.print(toView(again).steps);
          const resumed = await withDeadline(resumeAfterReauthorization(again, ctx), deadline);
          out = { state: resumed.state, result: resumed.result ?? out.result };
          if (!resumed.result) break;
        }
        // Input-required results (MCP 2026-07-28 §Multi Round-Trip Requests): answer from --input or
        // decline, and let the engine repeat the call with the server's requestState.
        let rounds = 0;
        while (out.result.inputRequired && out.state.step === 'connected') {
          rounds++;
          const { requests, round } = out.result.inputRequired;
          progress.stop();
          human?.write(`\n${formatInputRequests(tool, round, requests, options.input)}\n`);
          progress.start(`Calling ${tool} again with the answers…`);
          out = await withDeadline(
            answerToolInput(out.state, ctx, answersFrom(requests, options.input)),
            deadline,
          );
        }
        state = out.state;
        call = { ...callOutcome(out.result), ...(rounds ? { inputRounds: rounds } : {}) };
        callDetail = describeCallResult(out.result);
      } catch (error) {
        call = { tool, ok: false, isError: false };
        callDetail = (error as Error).message;
      } finally {
        progress.stop();
      }
    } else if (options.call) {
      call = { tool: options.call.tool, ok: false, isError: false };
      callDetail = 'Not called: the flow did not reach a connected MCP session.';
    }

    if (state.step === 'connected') {
      reached = true;
      sessionView = toView(state);
      sessionWire = wireOf(state);
      secretsSeen.push(state.secrets);
    }
    if (options.audit && state.step === 'connected') {
      const activeServer = server;
      const audited = await runCliAudit(state, {
        ctx,
        revoke: options.revoke,
        obtainCallback: async (url) => {
          let why = 'no authorization response arrived.';
          const got = await obtainCallback(url, activeServer, (message) => {
            why = message;
          });
          return got ?? why;
        },
        phase: async (label, work) => {
          progress.start(label);
          try {
            return await withDeadline(work(), deadline);
          } finally {
            progress.stop();
          }
        },
      });
      state = audited.state;
      auditNote = audited.note;
      secretsSeen.push(...audited.secretsSeen);
      audited_ = true;
    }
  } catch (error) {
    if (error instanceof DeadlineError) {
      const at: StepId = state && state.step in STEP_INFO ? (state.step as StepId) : 'probe';
      extraChecks.push({
        id: stepErrorCheckId(at),
        status: 'fail',
        message: `Gave up after ${timeoutMs / 1000} s (--timeout) during “${STEP_INFO[at].title}”.`,
        specRef: STEP_INFO[at].specRef,
      });
    } else {
      throw error;
    }
  } finally {
    progress.stop();
    await server?.close();
  }

  const view = state ? toView(state) : undefined;
  if (view) printer.print(view.steps, { includeWaiting: true });
  const source = view ? { steps: view.steps, tools: sessionView?.tools ?? view.tools } : { steps: [] };
  const report = buildReport(
    source,
    options.command === 'doctor'
      ? { command: 'doctor', stopped: stoppedAt(state, reached) }
      : {
          command: 'connect',
          connected: reached && extraChecks.length === 0,
          ...(options.audit ? { judgeAudit: true } : {}),
        },
    call,
    wireOf(state) ?? sessionWire,
  );
  if (extraChecks.length > 0) {
    report.checks.push(...extraChecks);
    report.ok = false;
  }
  if (options.json) {
    io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    if (report.tools.length > 0) io.stdout.write(`\n${formatTools(report.tools, style)}\n`);
    else if (reached) io.stdout.write(`\n${formatTools([], style)}\n`);
    if (call) io.stdout.write(`\n${formatCall(call, callDetail, style)}\n`);
    if (audited_) io.stdout.write(`\n${formatAudit(report.checks, style, auditNote)}\n`);
    else if (auditNote) io.stdout.write(`\n${auditNote}\n`);
    io.stdout.write(`\n${formatSummary(report, style)}\n`);
  }
  if (!report.ok && options.json && call && !call.ok && callDetail)
    io.stderr.write(`${call.tool}: ${callDetail}\n`);
  let code = exitCodeOf(report);
  const files: Array<[string | undefined, string, () => string]> = [
    [
      options.reportFile,
      '--report',
      () =>
        state
          ? `${JSON.stringify(cliReport(state, { earlierSecrets: secretsSeen, tools: sessionView?.tools ?? [] }), null, 2)}\n`
          : '',
    ],
    [options.junitFile, '--junit', () => toJunit(report, options.command, options.serverUrl)],
  ];
  for (const [path, flag, render] of files) {
    if (!path) continue;
    try {
      const text = render();
      if (!text) throw new Error('the run produced no walkthrough to write');
      await writeTextFile(path, text);
    } catch (error) {
      io.stderr.write(`mcp-auth-inspector: could not write ${flag} ${path}: ${(error as Error).message}\n`);
      code = 1;
    }
  }
  return code;
}
