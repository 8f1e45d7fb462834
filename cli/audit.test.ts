import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DemoHandle, type DemoScenario, startDemo } from '../demo/index';
import { parseReport } from '../lib/flow/report';
import type { Report } from './report';
import { runCapturing } from './test-harness';

/**
 * The doctor's headless access audit against the bundled demo (a real oidc-provider and real MCP
 * servers), with each break switch on in turn: the doctor must exit 1 with exactly that row failing,
 * and exit 0 on the demo as it ships. The test plays the browser for every sign-in.
 */
let demo: DemoHandle;

beforeAll(async () => {
  demo = await startDemo();
});

afterAll(async () => {
  await demo?.close();
});

afterEach(async () => {
  await admin('/reset');
});

async function admin(path: string, body: unknown = {}) {
  const response = await fetch(`${demo.adminUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`admin ${path}: ${response.status}`);
}

function scenario(id: string): DemoScenario {
  const found = demo.scenarios.find((s) => s.id === id);
  if (!found) throw new Error(`no demo scenario ${id}`);
  return found;
}

const cli = (argv: string[]) => runCapturing(argv);

async function doctor(url: string, ...extra: string[]) {
  const { code, stdout } = await cli(['doctor', url, '--browser', '--json', ...extra]);
  const report = JSON.parse(stdout) as Report;
  const audit = Object.fromEntries(
    report.checks.filter((c) => c.id.startsWith('audit.')).map((c) => [c.id, c]),
  );
  return { code, report, audit };
}

const failing = (report: Report) => report.checks.filter((c) => c.status === 'fail').map((c) => c.id);

describe('doctor --browser runs the access audit headless', () => {
  it('exits 0 on the demo, every row judged, the audience and revocation rows included', async () => {
    const { code, report, audit } = await doctor(demo.mcpUrl);
    expect(failing(report)).toEqual([]);
    expect(code).toBe(0);
    expect(report.complete).toBe(true);
    for (const id of [
      'audit.invalid-token-401',
      'audit.no-token-challenge',
      'audit.query-token-rejected',
      'audit.error-no-leak',
      'audit.audience-restricted',
      'audit.revoked-token-rejected',
      'audit.mcp-method-mismatch-rejected',
    ]) {
      expect(audit[id]?.status, id).toBe('pass');
    }
    expect(audit['audit.session-without-auth-rejected']?.message).toMatch(/stateless/);
    expect(report.tools.length).toBeGreaterThan(0);
    expect(report.wire?.era).toBe('modern');
  });

  it.each([
    ['query-token', 'audit.query-token-rejected', /accepted a token from the URL query/],
    [
      'no-revocation-check',
      'audit.revoked-token-rejected',
      /still accepted the access token after it was revoked/,
    ],
    ['bad-token-500', 'audit.invalid-token-401', /not with 401.*500/],
    ['no-audience-check', 'audit.audience-restricted', /accepted a token issued for another resource/],
    ['leak-internals', 'audit.error-no-leak', /stack trace/],
    ['no-header-check', 'audit.mcp-method-mismatch-rejected', /contradicts its body/],
  ] as const)('with %s on, exits 1 and fails %s', async (row, id, message) => {
    await admin('/break', { row, on: true });
    const { code, report, audit } = await doctor(demo.mcpUrl);
    expect(audit[id]).toMatchObject({ status: 'fail', message: expect.stringMatching(message) });
    expect(failing(report)).toEqual([id]);
    expect(code).toBe(1);
  });

  it('DPoP: a bound token is refused without its proof; with dpop-as-bearer on, the row fails', async () => {
    const s = scenario('dpop');
    const args = [
      '--grant',
      'client-credentials',
      '--client-id',
      s.preRegistered!.clientId,
      '--client-secret',
      s.preRegistered!.clientSecret!,
      '--dpop',
    ];
    const ok = await doctor(s.mcpUrl, ...args);
    expect(ok.audit['audit.dpop-binding-enforced']?.status).toBe('pass');
    // The revocation row presents the revoked token with its proof, so a 401 is about revocation.
    expect(failing(ok.report)).toEqual([]);
    await admin('/break', { row: 'dpop-as-bearer', on: true });
    const broken = await doctor(s.mcpUrl, ...args, '--no-revoke');
    expect(broken.audit['audit.dpop-binding-enforced']).toMatchObject({
      status: 'fail',
      message: expect.stringMatching(
        /accepted the token as Bearer without a proof and a proof for another method/,
      ),
    });
    expect(failing(broken.report)).toEqual(['audit.dpop-binding-enforced']);
    expect(broken.code).toBe(1);
    // Without DPoP the row has nothing to judge.
    const plain = await doctor(scenario('client-credentials').mcpUrl, ...args.slice(0, -1), '--no-revoke');
    expect(plain.audit['audit.dpop-binding-enforced']?.status).toBe('skip');
  });

  it('CORS: passes on the demo; with no-cors it only warns, naming each blocking endpoint and header', async () => {
    const ok = await doctor(demo.mcpUrl, '--no-revoke');
    expect(ok.report.checks.find((c) => c.id === 'cors.browser-clients')).toMatchObject({ status: 'pass' });
    await admin('/break', { row: 'no-cors', on: true });
    const { code, report } = await doctor(demo.mcpUrl, '--no-revoke');
    const cors = report.checks.find((c) => c.id === 'cors.browser-clients');
    expect(cors?.status).toBe('warn');
    expect(cors?.message).toMatch(
      /^The MCP endpoint \(http:\/\/127\.0\.0\.1:\d+\/mcp\) blocks browser requests: it lacks a 2xx answer to the preflight \(got 405\); Access-Control-Allow-Origin on the preflight/,
    );
    expect(cors?.message).toMatch(
      /The protected resource metadata \(.*\) blocks browser requests: it lacks Access-Control-Allow-Origin/,
    );
    expect(cors?.message).not.toMatch(/authorization server metadata|token endpoint|registration endpoint/);
    expect(failing(report)).toEqual([]);
    expect(code).toBe(0);
  });

  it('session-without-auth on the stateful server fails its row', async () => {
    await admin('/break', { row: 'session-without-auth', on: true });
    const { code, report } = await doctor(scenario('legacy-2025-11-25').mcpUrl);
    expect(failing(report)).toContain('audit.session-without-auth-rejected');
    expect(code).toBe(1);
  });

  it('an authorization server that refuses unknown resources passes, and the session is kept', async () => {
    // The tenant AS knows only its own resources: invalid_target at the authorization endpoint.
    const { code, report, audit } = await doctor(scenario('issuer-path-oidc-only').mcpUrl);
    expect(audit['audit.audience-as-restricted']).toMatchObject({
      status: 'pass',
      message: expect.stringMatching(/invalid_target at the authorization endpoint.*restricts audiences/),
    });
    expect(audit['audit.audience-restricted']).toMatchObject({
      status: 'skip',
      message: expect.stringMatching(/^Not testable with this authorization server/),
    });
    // Revocation runs after the audience test, on the same session: it was kept.
    expect(audit['audit.revoked-token-rejected']?.status).toBe('pass');
    expect(failing(report)).toEqual([]);
    expect(report.checks.find((c) => c.id === 'callback.error')?.status).toBe('pass');
    expect(code).toBe(0);
  });

  it('--no-revoke keeps the tokens and says the row was not tested', async () => {
    await admin('/break', { row: 'no-revocation-check', on: true });
    const { code, audit } = await doctor(demo.mcpUrl, '--no-revoke');
    expect(audit['audit.revoked-token-rejected']).toMatchObject({
      status: 'skip',
      message: expect.stringMatching(/--no-revoke/),
    });
    expect(code).toBe(0);
  });

  it('connect --audit runs the same rows; its exit code follows them', async () => {
    await admin('/break', { row: 'query-token', on: true });
    const { code, stdout } = await cli(['connect', demo.mcpUrl, '--audit']);
    expect(stdout).toMatch(/Access audit:/);
    expect(stdout).toMatch(/fail audit\.query-token-rejected/);
    expect(code).toBe(1);
  });
});

describe('--report and --junit', () => {
  it('write the web app’s redacted report (it parses as one, no issued token in it) and one JUnit case per check', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mcp-auth-cli-'));
    const reportFile = join(dir, 'report.json');
    const junitFile = join(dir, 'junit.xml');
    await admin('/break', { row: 'query-token', on: true });
    const { code, report } = await doctor(demo.mcpUrl, '--report', reportFile, '--junit', junitFile);
    expect(code).toBe(1);

    const text = await readFile(reportFile, 'utf8');
    const parsed = parseReport(JSON.parse(text));
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.report.view.options.serverUrl).toBe(demo.mcpUrl);
    expect(parsed.report.view.tools.length).toBeGreaterThan(0);
    const audited = parsed.report.view.steps.find((s) => s.id === 'tools')?.checks ?? [];
    expect(audited.find((c) => c.id === 'audit.query-token-rejected')?.status).toBe('fail');
    const issued = (await (await fetch(`${demo.adminUrl}/issued-tokens`)).json()) as unknown;
    const tokens = (Array.isArray(issued) ? issued : Object.values(issued as object).flat()) as string[];
    expect(tokens.length).toBeGreaterThan(0);
    for (const t of tokens) expect(text).not.toContain(t);

    const xml = await readFile(junitFile, 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0"/);
    expect((xml.match(/<testcase /g) ?? []).length).toBe(report.checks.length);
    expect(xml).toMatch(
      /name="audit\.query-token-rejected: A token in the query string is rejected">\s*<properties>.*<\/properties>\s*<failure type="fail"/s,
    );
    const failures = report.checks.filter((c) => c.status === 'fail').length;
    expect(xml).toContain(`failures="${failures}"`);
    await rm(dir, { recursive: true, force: true });
  });

  it('a stopped doctor’s JUnit has a failing doctor.complete case', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mcp-auth-cli-'));
    const junitFile = join(dir, 'junit.xml');
    const { code } = await cli(['doctor', demo.mcpUrl, '--json', '--junit', junitFile]);
    expect(code).toBe(3);
    const xml = await readFile(junitFile, 'utf8');
    expect(xml).toMatch(
      /doctor\.complete: the run reached the MCP session">\s*<failure type="incomplete" message="Stopped at the consent step/,
    );
    await rm(dir, { recursive: true, force: true });
  });
});

describe('a doctor that stops at consent', () => {
  it('is never a pass: complete false, stopped names the step and what was not judged, exit 3', async () => {
    const { code, stdout } = await cli(['doctor', demo.mcpUrl, '--json']);
    const report = JSON.parse(stdout) as Report;
    expect(report).toMatchObject({
      ok: false,
      complete: false,
      stopped: {
        at: 'callback',
        reason: 'consent',
        notJudged: ['callback', 'token', 'mcp-init', 'tools', 'audit'],
      },
    });
    expect(failing(report)).toEqual([]);
    expect(code).toBe(3);
    const human = await cli(['doctor', demo.mcpUrl]);
    expect(human.stdout).toMatch(/^INCOMPLETE: Stopped at the consent step .*not a pass \(exit 3\)\.$/m);
    expect(human.code).toBe(3);
  });
});
