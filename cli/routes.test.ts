import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DemoScenario } from '../demo/index';
import { parseReport } from '../lib/flow/report';
import type { Report } from './report';
import { demoForThisFile, runCapturing } from './test-harness';

/**
 * The CLI's routes beyond the browser sign-in, each against its working and its broken demo scenario:
 * workload identity (--grant jwt-bearer), enterprise-managed (--grant id-jag, the user signing in at the
 * enterprise IdP), private_key_jwt client credentials, and DPoP on the JWT bearer grant.
 */
const dir = mkdtempSync(join(tmpdir(), 'inspector-routes-'));

const { scenario } = demoForThisFile();

/** A file holding `content`, as a user would pass it (--assertion-file, --client-private-key). */
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** What the workload would get from its platform's metadata endpoint. */
async function workloadToken(s: DemoScenario): Promise<string> {
  const body = (await (await fetch(s.workload!.assertionUrl)).json()) as { token: string };
  return body.token;
}

async function cli(argv: string[]) {
  const out = await runCapturing(argv);
  return {
    ...out,
    report: out.stdout.startsWith('{') ? (JSON.parse(out.stdout) as Report) : undefined,
  };
}

const status = (report: Report | undefined, id: string) => report?.checks.find((c) => c.id === id)?.status;

async function workloadArgs(s: DemoScenario): Promise<string[]> {
  return [
    'connect',
    s.mcpUrl,
    '--json',
    '--grant',
    'jwt-bearer',
    '--client-id',
    s.preRegistered!.clientId,
    '--assertion-file',
    file(`${s.id}.jwt`, await workloadToken(s)),
    '--call',
    'whoami',
  ];
}

function enterpriseArgs(s: DemoScenario): string[] {
  return [
    'connect',
    s.mcpUrl,
    '--json',
    '--grant',
    'id-jag',
    '--client-id',
    s.preRegistered!.clientId,
    '--client-secret',
    s.preRegistered!.clientSecret!,
    '--idp-issuer',
    s.idp!.issuer,
    '--idp-client-id',
    s.idp!.clientId,
    '--call',
    'whoami',
  ];
}

/** The same run as `doctor --browser` (the access audit included) instead of `connect --call`. */
/** The client credentials route with the scenario's pre-registered client and its private key (private_key_jwt). */
function privateKeyJwtArgs(s: DemoScenario, keyFile: string): string[] {
  return [
    '--grant',
    'client-credentials',
    '--client-id',
    s.preRegistered!.clientId,
    '--client-private-key',
    file(keyFile, s.preRegistered!.privateKeyPem!),
  ];
}

function asDoctor(connectArgs: string[]): string[] {
  const args = connectArgs.filter((a, i, all) => a !== '--call' && all[i - 1] !== '--call');
  return ['doctor', ...args.slice(1), '--browser', '--no-revoke'];
}

describe('the CLI routes against the bundled demo', () => {
  it('workload identity: the platform token is redeemed by the JWT bearer grant, as the workload', async () => {
    const { code, report, stdout } = await cli(await workloadArgs(scenario('workload-identity')));
    expect(code, stdout).toBe(0);
    expect(status(report, 'authorize.grant-advertised')).toBe('pass');
    expect(status(report, 'token.assertion-claims')).toBe('pass');
    expect(JSON.stringify(report?.call)).toContain('workload:demo-reporter');
  });

  it('workload identity with DPoP: the JWT bearer grant carries a proof and the token is bound', async () => {
    const { code, report } = await cli([...(await workloadArgs(scenario('workload-identity'))), '--dpop']);
    expect(code).toBe(0);
    expect(status(report, 'token.dpop-bound')).toBe('pass');
  });

  it('workload identity, broken: an assertion for another audience accepted fails token.assertion-claims', async () => {
    const s = scenario('workload-wrong-audience');
    const { code, report } = await cli(await workloadArgs(s));
    expect(code).toBe(1);
    const check = report?.checks.find((c) => c.id === 'token.assertion-claims');
    expect(check?.status).toBe('fail');
    expect(check?.message).toMatch(/issued a token for an assertion it must refuse.*MUST reject/);
  });

  it('workload identity: an assertion addressed elsewhere, refused by a strict server, says what to fix', async () => {
    const wrong = await workloadToken(scenario('workload-wrong-audience'));
    const args = await workloadArgs(scenario('workload-identity'));
    args[args.indexOf('--assertion-file') + 1] = file('elsewhere.jwt', wrong);
    const { code, report } = await cli(args);
    expect(code).toBe(1);
    const check = report?.checks.find((c) => c.id === 'token.assertion-claims');
    expect(check?.message).toMatch(/refused it, as RFC 7523 §3 requires/);
  });

  it('workload identity: an assertion addressed to the token endpoint URL is not called misaddressed (RFC 7523 §3 allows it)', async () => {
    const s = scenario('workload-identity');
    const issuer = new URL(s.workload!.assertionUrl).searchParams.get('audience')!;
    const metadata = (await (
      await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/oauth-authorization-server`)
    ).json()) as { token_endpoint: string };
    const platform = new URL(s.workload!.assertionUrl);
    platform.searchParams.set('audience', metadata.token_endpoint);
    const token = ((await (await fetch(platform)).json()) as { token: string }).token;
    const args = await workloadArgs(s);
    args[args.indexOf('--assertion-file') + 1] = file('token-endpoint.jwt', token);
    const { report } = await cli(args);
    const check = report?.checks.find((c) => c.id === 'token.assertion-claims');
    // The token endpoint URL identifies this server too: the inspector does not call the assertion
    // misaddressed, and the demo's server redeems it.
    expect(check?.status, check?.message).toBe('pass');
    expect(status(report, 'token.exchange')).toBe('pass');
    expect(JSON.stringify(report?.checks)).not.toMatch(/not this authorization server/);
  });

  it('enterprise-managed: signs in at the IdP, exchanges the ID token for an ID-JAG and redeems it', async () => {
    const { code, report, stdout } = await cli(enterpriseArgs(scenario('enterprise-managed')));
    expect(code, stdout).toBe(0);
    expect(status(report, 'callback.iss-match')).toBe('pass');
    expect(status(report, 'token.id-jag')).toBe('pass');
    expect(status(report, 'token.assertion-claims')).toBe('pass');
    expect(JSON.stringify(report?.call)).toContain('demo');
  });

  it('enterprise-managed with DPoP: the ID-JAG is redeemed with a proof and the token is bound', async () => {
    const { code, report } = await cli([...enterpriseArgs(scenario('enterprise-managed')), '--dpop']);
    expect(code).toBe(0);
    expect(status(report, 'token.dpop-bound')).toBe('pass');
  });

  it('enterprise-managed, broken: an ID-JAG for another authorization server accepted fails', async () => {
    const { code, report } = await cli(enterpriseArgs(scenario('enterprise-wrong-audience')));
    expect(code).toBe(1);
    expect(status(report, 'token.id-jag')).toBe('fail');
    expect(status(report, 'token.assertion-claims')).toBe('fail');
  });

  it('client credentials with private_key_jwt: connects with the key file', async () => {
    const s = scenario('client-credentials-replay');
    const { code, report, stdout } = await cli([
      'connect',
      s.mcpUrl,
      '--json',
      ...privateKeyJwtArgs(s, 'client.pem'),
      '--call',
      'whoami',
    ]);
    expect(code, stdout).toBe(0);
    expect(status(report, 'token.exchange')).toBe('pass');
  });

  it('replay audit: a replayed private_key_jwt assertion accepted is a warning (a MAY), never a failure', async () => {
    const s = scenario('client-credentials-replay');
    const { code, report } = await cli([
      'doctor',
      s.mcpUrl,
      '--browser',
      '--json',
      '--no-revoke',
      ...privateKeyJwtArgs(s, 'replay.pem'),
    ]);
    const check = report?.checks.find((c) => c.id === 'audit.assertion-replay');
    expect(check?.status).toBe('warn');
    expect(check?.message).toMatch(/accepted the same client assertion \(one jti\) a second time.*MAY/);
    expect(code).toBe(0);
  });

  it('replay audit: a strict server refuses the workload assertion it already redeemed', async () => {
    const { report } = await cli(asDoctor(await workloadArgs(scenario('workload-identity'))));
    expect(status(report, 'audit.assertion-replay')).toBe('pass');
  });

  it('the audit on a client credentials route: the audience test asks for the made-up resource with that grant, and revocation authenticates with private_key_jwt', async () => {
    const s = scenario('client-credentials-replay');
    const { report } = await cli([
      'doctor',
      s.mcpUrl,
      '--browser',
      '--json',
      ...privateKeyJwtArgs(s, 'audit.pem'),
    ]);
    const check = (id: string) => report?.checks.find((c) => c.id === id);
    // No sign-in is attempted for a route without a browser: the token endpoint is asked directly, and
    // this AS issues a token for the made-up resource, which the MCP server refuses.
    expect(check('audit.audience-as-restricted')?.status).toBe('pass');
    expect(check('audit.audience-as-restricted')?.message).toMatch(
      /issued a token with aud .*audit-audience/,
    );
    expect(check('audit.audience-restricted')?.status).toBe('pass');
    expect(check('audit.audience-restricted')?.message).toMatch(/got 401/);
    // The revocation request authenticated: what is quoted is the authorization server's own answer.
    const revoked = check('audit.revoked-token-rejected');
    expect(revoked?.message).not.toMatch(/not supported by the inspector/);
    expect(revoked?.message).toMatch(/unsupported_token_type/);
  });

  it('the audience test on a DPoP session: the foreign token is bound too, sent with a proof after a control with the session’s own token', async () => {
    const s = scenario('client-credentials-replay');
    const reportFile = join(mkdtempSync(join(tmpdir(), 'cli-routes-')), 'report.json');
    const { report } = await cli([
      'doctor',
      s.mcpUrl,
      '--browser',
      '--json',
      '--no-revoke',
      '--dpop',
      '--report',
      reportFile,
      ...privateKeyJwtArgs(s, 'dpop.pem'),
    ]);
    expect(status(report, 'token.dpop-bound')).toBe('pass');
    const row = report?.checks.find((c) => c.id === 'audit.audience-restricted');
    expect(row?.status, row?.message).toBe('pass');
    const saved = parseReport(JSON.parse(readFileSync(reportFile, 'utf8')));
    if (!saved.ok) throw new Error('the --report file did not parse as a report');
    const tools = saved.report.view.steps.find((step) => step.id === 'tools');
    const purposes = (tools?.exchanges ?? []).map((x) => x.purpose ?? '');
    const control = purposes.findIndex((p) => /own DPoP-bound token and a fresh proof: the control/.test(p));
    const foreign = purposes.findIndex((p) => /a request with a token issued for .*audit-audience/.test(p));
    expect(control).toBeGreaterThanOrEqual(0);
    expect(foreign).toBeGreaterThan(control);
  });

  it('the audience test on a JWT bearer route says why it cannot be made, without a sign-in', async () => {
    const { report } = await cli(asDoctor(await workloadArgs(scenario('workload-identity'))));
    for (const id of ['audit.audience-as-restricted', 'audit.audience-restricted']) {
      const check = report?.checks.find((c) => c.id === id);
      expect(check?.status).toBe('skip');
      expect(check?.message).toMatch(/JWT bearer route: .*new assertion/);
    }
  });

  it('replay audit: the strict server refuses an ID-JAG it already redeemed', async () => {
    const { report } = await cli(asDoctor(enterpriseArgs(scenario('enterprise-managed'))));
    expect(status(report, 'audit.assertion-replay')).toBe('pass');
  });
});
