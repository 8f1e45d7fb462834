import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SPEC_VERSIONS, type SpecVersion } from '../lib/flow/types';
import { CLIENT_ASSERTION_ALGS, type ClientAssertionAlg } from '../lib/oauth/token';

export type Command = 'doctor' | 'connect';

export interface CliOptions {
  command: Command;
  serverUrl: string;
  json: boolean;
  nonInteractive: boolean;
  hosted: boolean;
  clientId?: string;
  clientSecret?: string;
  /** The pre-registered client's private key (PKCS#8 PEM, read from --client-private-key FILE). */
  clientPrivateKey?: string;
  clientAssertionAlg?: ClientAssertionAlg;
  /** `client_credentials`: the client's own token, no user, no browser. */
  grant?: 'client_credentials' | 'jwt_bearer' | 'id_jag';
  /** Enterprise-managed authorization: the IdP's token endpoint and client id, and the user's ID token. */
  idp?: { tokenEndpoint?: string; clientId: string; issuer?: string };
  idpIdToken?: string;
  /** The JWT the jwt_bearer grant presents (read from --assertion-file FILE). */
  assertion?: string;
  /** Ask for DPoP-bound tokens (RFC 9449). */
  dpop?: boolean;
  clientMetadataUrl?: string;
  scope?: string;
  specVersion?: SpecVersion;
  /** `client` (connect's default): discovery in the spec's order, stopping at the first usable URL.
   *  `matrix` (doctor's default): every candidate URL, reported side by side. */
  discovery: 'matrix' | 'client';
  /** The user's explicit opt-in to --call a tool that is not annotated read-only. */
  allowWrite: boolean;
  /** Whole-run limit in milliseconds (waiting for the browser included). */
  timeoutMs?: number;
  call?: { tool: string; args: Record<string, unknown> };
  /**
   * Answers for a tool that asks for input (2026-07-28 input-required results): the form content for
   * every elicitation, or a map from the server's request keys to content. Absent: decline.
   */
  input?: Record<string, unknown>;
  /**
   * Run the access audit once connected (lib/flow/audit): always for doctor, with --audit for connect.
   */
  audit: boolean;
  /** After the audit, revoke the run's own tokens and check the old access token is rejected. */
  revoke: boolean;
  /** doctor: sign in in the browser (as connect does) instead of stopping at the consent step. */
  browser: boolean;
  /** Write the redacted inspector report (the web app's download format) to this file. */
  reportFile?: string;
  /** Write a JUnit XML file, one test case per check. */
  junitFile?: string;
}

export type ParsedArgs =
  | { kind: 'run'; options: CliOptions }
  | { kind: 'help'; text: string }
  | { kind: 'version'; text: string };

/** A command line that cannot run. The CLI prints the message with a hint and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const VERSION = '0.1.0';

export const USAGE = `Usage: mcp-auth-inspector <command> <mcp-server-url> [options]

Commands:
  doctor <url>    Run the walkthrough as far as it can without a person (up to the consent
                  screen, or to the end with --non-interactive), then the access audit,
                  and report every check.
  connect <url>   Run the full flow in your browser, then list the server's tools.
                  With --call TOOL [--args JSON], run one read-only tool; with --audit,
                  the access audit.

Options:
  --json                      Print one JSON report on stdout instead of the human summary.
  --non-interactive           Do not open a browser: follow the authorization redirects directly
                              (only for authorization servers that approve without a login page).
  --client-id ID              Use a pre-registered client instead of CIMD or dynamic registration.
  --client-secret SECRET      The pre-registered client's secret (confidential clients).
  --client-private-key FILE   The pre-registered client's private key (PKCS#8 PEM) for private_key_jwt;
                              it stays in this process.
  --client-assertion-alg ALG  The private_key_jwt signing algorithm (default ES256).
  --dpop                      Ask for DPoP-bound tokens (RFC 9449): a proof of the session's key on
                              the token request and on every MCP request, nonces honoured.
  --grant jwt-bearer          Present a JWT the client holds (a workload identity token) for a
                              token (RFC 7523): with --client-id and --assertion-file FILE.
  --assertion-file FILE       The JWT for --grant jwt-bearer; it stays in this process.
  --grant id-jag              Enterprise-managed authorization: exchange the user's ID token at the
                              enterprise IdP for an ID-JAG, then redeem it here (no consent screen).
                              With --client-id/--client-secret (this AS), --idp-client-id ID and
                              either --idp-issuer URL (the user signs in at the IdP in the browser)
                              or --idp-token-endpoint URL with --id-token-file FILE.
  --idp-issuer URL            The enterprise IdP's issuer: sign in there (PKCE) for the ID token.
  --grant client-credentials  The client's own token (no user, no browser): the OAuth client
                              credentials extension. Needs --client-id with a secret or a key.
  --client-metadata-url URL   Offer this Client ID Metadata Document URL as the client_id when the
                              authorization server supports CIMD.
  --scope "A B"               Request these scopes instead of the spec's selection strategy.
  --discovery MODE            matrix: request every candidate metadata URL and report them all
                              (doctor's default); client: the spec's order, stopping at the first
                              usable URL, as a strict client does (connect's default).
  --spec-version VERSION      Judge against ${SPEC_VERSIONS.join(', ')} (default ${SPEC_VERSIONS[0]}).
  --timeout SECONDS           Give up after this long, waiting for the browser included
                              (default 300, or 60 with --non-interactive).
  --hosted                    Apply the hosted address policy: refuse loopback, private and
                              link-local addresses and plain http.
  --call TOOL                 connect only: call this tool after listing (read-only tools only).
  --args JSON                 Arguments for --call, a JSON object (default {}).
  --input JSON                What to answer when --call's tool asks for input (an input-required
                              result): the form content, e.g. '{"unit":"celsius"}', or an object
                              keyed by the server's request keys. Without it every request is declined.
  --allow-write               Let --call run a tool that is NOT annotated read-only (it may change
                              data on the server). Without it such a call is refused before
                              anything is sent.
  --browser                   doctor only: sign in in your browser (as connect does) instead of
                              stopping at the consent step, so the whole flow and the audit run.
  --audit                     connect only: run the access audit once connected (doctor always
                              does). It signs in once more for the audience test.
  --no-revoke                 Do not end the audit by revoking this run's tokens (the revocation
                              row is then skipped).
  --report FILE               Write the redacted report the web app downloads (open it there with
                              "Open a report…").
  --junit FILE                Write JUnit XML: one test case per check, for CI dashboards.
  -h, --help                  Show this help.
  --version                   Show the version.

Exit codes: doctor: 0 no check failed, 1 a check failed, 3 it stopped before the MCP session
without a failure (e.g. at consent without --non-interactive): not a pass. connect: 0 it reached
the MCP session (checks are reported, failed ones too), 1 it did not, or with --audit an audit
row failed. Either: 1 when the --call failed or was refused; 2 usage error.`;

const OPTIONS = {
  json: { type: 'boolean' },
  'non-interactive': { type: 'boolean' },
  hosted: { type: 'boolean' },
  'client-id': { type: 'string' },
  'client-secret': { type: 'string' },
  'client-private-key': { type: 'string' },
  'client-assertion-alg': { type: 'string' },
  grant: { type: 'string' },
  dpop: { type: 'boolean' },
  'assertion-file': { type: 'string' },
  'idp-token-endpoint': { type: 'string' },
  'idp-issuer': { type: 'string' },
  'idp-client-id': { type: 'string' },
  'id-token-file': { type: 'string' },
  'client-metadata-url': { type: 'string' },
  scope: { type: 'string' },
  'spec-version': { type: 'string' },
  discovery: { type: 'string' },
  timeout: { type: 'string' },
  call: { type: 'string' },
  args: { type: 'string' },
  'allow-write': { type: 'boolean' },
  input: { type: 'string' },
  audit: { type: 'boolean' },
  browser: { type: 'boolean' },
  'no-revoke': { type: 'boolean' },
  report: { type: 'string' },
  junit: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

const COMMANDS: readonly Command[] = ['doctor', 'connect'];

function isCommand(value: string): value is Command {
  return (COMMANDS as readonly string[]).includes(value);
}

function httpUrl(value: string, what: string): string {
  if (!URL.canParse(value))
    throw new UsageError(
      `${what} "${value}" is not a URL; include the scheme, e.g. https://mcp.example.com/mcp.`,
    );
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${what} must be an http:// or https:// URL, not ${url.protocol}`);
  }
  return value;
}

function nonEmpty(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '') throw new UsageError(`${flag} needs a value.`);
  return value;
}

function parseTimeout(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new UsageError(`--timeout takes a positive number of seconds, got "${raw}".`);
  }
  return Math.round(seconds * 1000);
}

function parseSpecVersion(raw: string | undefined): SpecVersion | undefined {
  if (raw === undefined) return undefined;
  const found = SPEC_VERSIONS.find((v) => v === raw);
  if (!found)
    throw new UsageError(`--spec-version must be one of ${SPEC_VERSIONS.join(', ')}; got "${raw}".`);
  return found;
}

function parseJsonObject(raw: string | undefined, flag: string, example: string): Record<string, unknown> {
  if (raw === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new UsageError(`${flag} is not valid JSON (${(error as Error).message}).`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`${flag} must be a JSON object, e.g. ${flag} '${example}'.`);
  }
  return value as Record<string, unknown>;
}

/** Parses argv (without node and the script). Throws UsageError for anything that cannot run. */
export function parseCliArgs(argv: readonly string[]): ParsedArgs {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    // node:util reports unknown options and missing values with a readable message.
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help', text: USAGE };
  if (values.version) return { kind: 'version', text: VERSION };

  const [command, url, ...extra] = positionals;
  if (command === undefined) throw new UsageError('Missing command: use doctor or connect.');
  if (!isCommand(command)) throw new UsageError(`Unknown command "${command}": use doctor or connect.`);
  if (url === undefined)
    throw new UsageError(`Missing the MCP server URL: mcp-auth-inspector ${command} <url>.`);
  if (extra.length > 0) throw new UsageError(`Unexpected argument "${extra[0]}": give one server URL.`);

  if (values.args !== undefined && values.call === undefined)
    throw new UsageError('--args needs --call TOOL.');
  if (values.call !== undefined && command !== 'connect') {
    throw new UsageError('--call works with connect only (doctor never runs tools).');
  }
  if (values.input !== undefined && values.call === undefined)
    throw new UsageError('--input needs --call TOOL.');
  if (values['allow-write'] && values.call === undefined) {
    throw new UsageError('--allow-write needs --call TOOL.');
  }
  if (values['client-private-key'] !== undefined && values['client-id'] === undefined) {
    throw new UsageError('--client-private-key needs --client-id.');
  }
  const grant = values.grant;
  if (
    grant !== undefined &&
    !['client-credentials', 'jwt-bearer', 'id-jag', 'authorization-code'].includes(grant)
  ) {
    throw new UsageError(
      `--grant must be authorization-code, client-credentials, jwt-bearer or id-jag, not "${grant}".`,
    );
  }
  const idpTokenEndpoint = nonEmpty(values['idp-token-endpoint'], '--idp-token-endpoint');
  const idpClientId = nonEmpty(values['idp-client-id'], '--idp-client-id');
  const idTokenFile = nonEmpty(values['id-token-file'], '--id-token-file');
  const idpIssuer = nonEmpty(values['idp-issuer'], '--idp-issuer');
  const idTokenGiven = Boolean(idpTokenEndpoint && idTokenFile);
  if (grant === 'id-jag' && (!values['client-id'] || !idpClientId || !(idTokenGiven || idpIssuer))) {
    throw new UsageError(
      '--grant id-jag needs --client-id, --idp-client-id ID and either --idp-issuer URL (sign in at the IdP) or --idp-token-endpoint URL with --id-token-file FILE.',
    );
  }
  let idpIdToken: string | undefined;
  if (idTokenFile !== undefined) {
    try {
      idpIdToken = readFileSync(idTokenFile, 'utf8').trim();
    } catch (error) {
      throw new UsageError(`--id-token-file: cannot read ${idTokenFile} (${(error as Error).message}).`);
    }
  }
  if (
    grant === 'jwt-bearer' &&
    (values['client-id'] === undefined || values['assertion-file'] === undefined)
  ) {
    throw new UsageError('--grant jwt-bearer needs --client-id and --assertion-file FILE.');
  }
  if (values['assertion-file'] !== undefined && grant !== 'jwt-bearer') {
    throw new UsageError('--assertion-file goes with --grant jwt-bearer.');
  }
  let assertion: string | undefined;
  const assertionFile = nonEmpty(values['assertion-file'], '--assertion-file');
  if (assertionFile !== undefined) {
    try {
      assertion = readFileSync(assertionFile, 'utf8').trim();
    } catch (error) {
      throw new UsageError(`--assertion-file: cannot read ${assertionFile} (${(error as Error).message}).`);
    }
  }
  if (grant === 'client-credentials' && values['client-id'] === undefined) {
    throw new UsageError(
      '--grant client-credentials needs --client-id (with --client-secret or --client-private-key).',
    );
  }
  const alg = values['client-assertion-alg'];
  if (alg !== undefined && !(CLIENT_ASSERTION_ALGS as readonly string[]).includes(alg)) {
    throw new UsageError(
      `--client-assertion-alg must be one of ${CLIENT_ASSERTION_ALGS.join(', ')}; got "${alg}".`,
    );
  }
  const keyFile = nonEmpty(values['client-private-key'], '--client-private-key');
  let clientPrivateKey: string | undefined;
  if (keyFile !== undefined) {
    try {
      clientPrivateKey = readFileSync(keyFile, 'utf8');
    } catch (error) {
      throw new UsageError(`--client-private-key: cannot read ${keyFile} (${(error as Error).message}).`);
    }
  }
  if (values['client-secret'] !== undefined && values['client-id'] === undefined) {
    throw new UsageError('--client-secret needs --client-id.');
  }
  if (values.audit && command !== 'connect') {
    throw new UsageError('--audit is for connect (doctor always runs the access audit).');
  }
  if (values.browser && command !== 'doctor') {
    throw new UsageError('--browser is for doctor (connect always signs in in the browser).');
  }
  if (values.browser && values['non-interactive']) {
    throw new UsageError('--browser and --non-interactive exclude each other.');
  }
  if (values['no-revoke'] && command === 'connect' && !values.audit) {
    throw new UsageError('--no-revoke needs --audit (only the audit revokes tokens).');
  }
  const reportFile = nonEmpty(values.report, '--report');
  const junitFile = nonEmpty(values.junit, '--junit');
  const call = nonEmpty(values.call, '--call');
  const clientId = nonEmpty(values['client-id'], '--client-id');
  const clientSecret = nonEmpty(values['client-secret'], '--client-secret');
  const clientMetadataUrl = nonEmpty(values['client-metadata-url'], '--client-metadata-url');
  const scope = nonEmpty(values.scope, '--scope');
  const specVersion = parseSpecVersion(values['spec-version']);
  const timeoutMs = parseTimeout(values.timeout);
  const discovery = values.discovery ?? (command === 'doctor' ? 'matrix' : 'client');
  if (discovery !== 'matrix' && discovery !== 'client') {
    throw new UsageError(`--discovery must be matrix or client, not "${discovery}".`);
  }

  const options: CliOptions = {
    command,
    serverUrl: httpUrl(url, 'The server URL'),
    json: values.json ?? false,
    nonInteractive: values['non-interactive'] ?? false,
    hosted: values.hosted ?? false,
    discovery,
    allowWrite: values['allow-write'] ?? false,
    audit: command === 'doctor' || (values.audit ?? false),
    revoke: !(values['no-revoke'] ?? false),
    browser: values.browser ?? false,
    ...(reportFile !== undefined ? { reportFile } : {}),
    ...(junitFile !== undefined ? { junitFile } : {}),
    ...(clientId !== undefined ? { clientId } : {}),
    ...(clientSecret !== undefined ? { clientSecret } : {}),
    ...(clientPrivateKey !== undefined ? { clientPrivateKey } : {}),
    ...(alg !== undefined ? { clientAssertionAlg: alg as ClientAssertionAlg } : {}),
    ...(grant === 'client-credentials' ? { grant: 'client_credentials' as const } : {}),
    ...(grant === 'jwt-bearer' ? { grant: 'jwt_bearer' as const } : {}),
    ...(grant === 'id-jag' ? { grant: 'id_jag' as const } : {}),
    ...(idpClientId && (idpTokenEndpoint || idpIssuer)
      ? {
          idp: {
            clientId: idpClientId,
            ...(idpTokenEndpoint ? { tokenEndpoint: httpUrl(idpTokenEndpoint, '--idp-token-endpoint') } : {}),
            ...(idpIssuer && !idpIdToken ? { issuer: httpUrl(idpIssuer, '--idp-issuer') } : {}),
          },
        }
      : {}),
    ...(idpIdToken !== undefined ? { idpIdToken } : {}),
    ...(assertion !== undefined ? { assertion } : {}),
    ...(values.dpop ? { dpop: true } : {}),
    ...(clientMetadataUrl !== undefined
      ? { clientMetadataUrl: httpUrl(clientMetadataUrl, '--client-metadata-url') }
      : {}),
    ...(scope !== undefined ? { scope } : {}),
    ...(specVersion !== undefined ? { specVersion } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(values.input !== undefined
      ? { input: parseJsonObject(values.input, '--input', '{"unit":"celsius"}') }
      : {}),
    ...(call !== undefined
      ? { call: { tool: call, args: parseJsonObject(values.args, '--args', '{"city":"Paris"}') } }
      : {}),
  };
  return { kind: 'run', options };
}
