import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from './args';
import { runCli } from './run';

function usageMessage(argv: string[]): string {
  try {
    parseCliArgs(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected a usage error for ${argv.join(' ')}`);
}

function capture() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: { write: (s: string) => (out.stdout += s) },
      stderr: { write: (s: string) => (out.stderr += s) },
    },
  };
}

describe('parseCliArgs()', () => {
  it('parses doctor with defaults', () => {
    expect(parseCliArgs(['doctor', 'https://mcp.example.com/mcp'])).toEqual({
      kind: 'run',
      options: {
        command: 'doctor',
        serverUrl: 'https://mcp.example.com/mcp',
        json: false,
        nonInteractive: false,
        hosted: false,
        discovery: 'matrix',
        allowWrite: false,
        audit: true,
        revoke: true,
        browser: false,
      },
    });
  });

  it('discovers like a strict client for connect, and takes --discovery to override', () => {
    const connect = parseCliArgs(['connect', 'https://x.example/mcp']);
    expect(connect.kind === 'run' && connect.options.discovery).toBe('client');
    const doctor = parseCliArgs(['doctor', 'https://x.example/mcp', '--discovery', 'client']);
    expect(doctor.kind === 'run' && doctor.options.discovery).toBe('client');
  });

  it('parses connect with every option', () => {
    const parsed = parseCliArgs([
      'connect',
      'http://127.0.0.1:3001/mcp',
      '--json',
      '--non-interactive',
      '--hosted',
      '--client-id',
      'abc',
      '--client-secret',
      's3cret',
      '--client-metadata-url',
      'https://app.example.com/client.json',
      '--scope',
      'mcp:read mcp:write',
      '--spec-version',
      '2025-06-18',
      '--timeout',
      '2.5',
      '--discovery',
      'matrix',
      '--call',
      'get_weather',
      '--args',
      '{"city":"Paris"}',
    ]);
    expect(parsed).toEqual({
      kind: 'run',
      options: {
        command: 'connect',
        serverUrl: 'http://127.0.0.1:3001/mcp',
        json: true,
        nonInteractive: true,
        hosted: true,
        discovery: 'matrix',
        allowWrite: false,
        audit: false,
        revoke: true,
        browser: false,
        clientId: 'abc',
        clientSecret: 's3cret',
        clientMetadataUrl: 'https://app.example.com/client.json',
        scope: 'mcp:read mcp:write',
        specVersion: '2025-06-18',
        timeoutMs: 2500,
        call: { tool: 'get_weather', args: { city: 'Paris' } },
      },
    });
  });

  it('runs the audit for doctor always, for connect with --audit; --no-revoke, --report and --junit', () => {
    const connect = parseCliArgs(['connect', 'https://x.example/mcp', '--audit', '--no-revoke']);
    expect(connect.kind === 'run' && [connect.options.audit, connect.options.revoke]).toEqual([true, false]);
    const doctor = parseCliArgs([
      'doctor',
      'https://x.example/mcp',
      '--report',
      'r.json',
      '--junit',
      'j.xml',
    ]);
    expect(doctor.kind === 'run' && doctor.options).toMatchObject({
      audit: true,
      revoke: true,
      reportFile: 'r.json',
      junitFile: 'j.xml',
    });
    expect(usageMessage(['doctor', 'https://x.example/mcp', '--audit'])).toMatch(/doctor always/);
    expect(usageMessage(['connect', 'https://x.example/mcp', '--no-revoke'])).toMatch(/needs --audit/);
  });

  it('accepts options before the command and --opt=value', () => {
    const parsed = parseCliArgs(['--json', 'connect', '--call=echo', 'https://x.example/mcp']);
    expect(parsed.kind === 'run' && parsed.options.call).toEqual({ tool: 'echo', args: {} });
  });

  it('answers --help and --version without a command', () => {
    expect(parseCliArgs(['--help']).kind).toBe('help');
    expect(parseCliArgs(['-h']).kind).toBe('help');
    expect(parseCliArgs(['--version'])).toEqual({
      kind: 'version',
      text: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
  });

  it.each([
    [[], /Missing command/],
    [['inspect', 'https://x.example/mcp'], /Unknown command "inspect"/],
    [['doctor'], /Missing the MCP server URL/],
    [['doctor', 'mcp.example.com'], /not a URL/],
    [['doctor', 'ftp://x.example/mcp'], /http:\/\/ or https:\/\//],
    [['doctor', 'https://a.example/mcp', 'https://b.example/mcp'], /Unexpected argument/],
    [['doctor', 'https://x.example/mcp', '--frobnicate'], /Unknown option '--frobnicate'/],
    [['doctor', 'https://x.example/mcp', '--scope'], /argument missing|--scope/],
    [['connect', 'https://x.example/mcp', '--call', 'echo', '--args', '{city:'], /--args is not valid JSON/],
    [['connect', 'https://x.example/mcp', '--call', 'echo', '--args', '[1,2]'], /must be a JSON object/],
    [['connect', 'https://x.example/mcp', '--args', '{}'], /--args needs --call/],
    [['doctor', 'https://x.example/mcp', '--call', 'echo'], /--call works with connect only/],
    [['doctor', 'https://x.example/mcp', '--spec-version', '2024-11-05'], /--spec-version must be one of/],
    [['doctor', 'https://x.example/mcp', '--timeout', 'soon'], /--timeout takes a positive number/],
    [['doctor', 'https://x.example/mcp', '--timeout', '0'], /--timeout takes a positive number/],
    [['doctor', 'https://x.example/mcp', '--client-secret', 'x'], /--client-secret needs --client-id/],
    [['doctor', 'https://x.example/mcp', '--client-id', ''], /--client-id needs a value/],
    [['doctor', 'https://x.example/mcp', '--discovery', 'fast'], /--discovery must be matrix or client/],
    [['connect', 'https://x.example/mcp', '--allow-write'], /--allow-write needs --call/],
  ])('refuses %j', (argv, message) => {
    expect(usageMessage(argv)).toMatch(message);
  });
});

describe('runCli() usage errors', () => {
  it.each([
    [['frobnicate', 'https://x.example/mcp']],
    [['connect']],
    [['connect', 'https://x.example/mcp', '--call', 'echo', '--args', 'not json']],
    [['connect', 'https://x.example/mcp', '--nope']],
  ])('exits 2 with a message on stderr and nothing on stdout: %j', async (argv) => {
    const { out, io } = capture();
    expect(await runCli(argv, io)).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr).toMatch(/^mcp-auth-inspector: .+\nRun mcp-auth-inspector --help for usage\.\n$/);
  });

  it('prints help on stdout and exits 0', async () => {
    const { out, io } = capture();
    expect(await runCli(['--help'], io)).toBe(0);
    expect(out.stdout).toContain('Usage: mcp-auth-inspector <command> <mcp-server-url>');
    expect(out.stdout).toContain('--non-interactive');
  });

  it('--grant id-jag: --idp-issuer signs in at the IdP; without it, an ID token file is needed', () => {
    const base = [
      'connect',
      'https://mcp.example.com/mcp',
      '--grant',
      'id-jag',
      '--client-id',
      'app',
      '--idp-client-id',
      'sso',
    ];
    const parsed = parseCliArgs([...base, '--idp-issuer', 'https://idp.example.com']);
    expect(parsed.kind === 'run' && parsed.options).toMatchObject({
      grant: 'id_jag',
      idp: { clientId: 'sso', issuer: 'https://idp.example.com' },
    });
    expect(usageMessage(base)).toMatch(
      /either --idp-issuer URL .* or --idp-token-endpoint URL with --id-token-file FILE/,
    );
  });
});
