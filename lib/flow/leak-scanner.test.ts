import { describe, expect, it } from 'vitest';
import { describeFindings, type LeakKind, scanForLeaks } from './leak-scanner';

const kinds = (text: string) => [...new Set(scanForLeaks(text).map((f) => f.kind))].sort();

describe('scanForLeaks() finds internals', () => {
  const cases: Array<[string, string, LeakKind[], string?]> = [
    [
      'a Node stack trace',
      'TypeError: x is undefined\n    at run (/srv/notes/src/tools.ts:34:17)\n    at async handle (node:internal/process/task_queues:95:5)',
      ['file-path', 'stack-trace'],
      'at run (/srv/notes/src/tools.ts:34:17)',
    ],
    [
      'frames without paths',
      'Error: x\n    at [eval]:1:13\n    at <anonymous>',
      ['stack-trace'],
      'at [eval]:1:13',
    ],
    ['a Windows frame', 'at Object.<anonymous> (C:\\app\\server.js:3:9)', ['file-path', 'stack-trace']],
    [
      'a Python traceback',
      'Traceback (most recent call last):\n  File "/usr/lib/python3/app.py", line 12, in handler',
      ['file-path', 'stack-trace'],
      'Traceback (most recent call last):',
    ],
    [
      'a Java stack',
      'java.lang.IllegalStateException: boom\n\tat com.example.Notes.find(Notes.java:42)',
      ['stack-trace'],
      'at com.example.Notes.find(Notes.java:42)',
    ],
    ['a Go panic', 'panic: runtime error\n\ngoroutine 1 [running]:\nmain.main()', ['stack-trace']],
    ['a Ruby frame', "from /app/lib/notes.rb:12:in `find'", ['file-path', 'stack-trace']],
    ['a home directory', 'config not found in /home/deploy/.config/notes.yml', ['file-path']],
    ['a source file outside the usual roots', 'failed at /x/y/handler.py', ['file-path']],
    ['a file URL', 'loading file:///opt/app/dist/index.mjs failed', ['file-path']],
    ['node_modules', 'in node_modules/pg/lib/client.js', ['file-path']],
    [
      'an internal host',
      'upstream notes-db.internal.corp:5432 is down',
      ['internal-host'],
      'notes-db.internal.corp',
    ],
    ['a Kubernetes service', 'dial tcp notes.default.svc.cluster.local: refused', ['internal-host']],
    ['localhost with a port', 'ECONNREFUSED localhost:6379', ['internal-host']],
    ['a private IPv4 address', 'connect ECONNREFUSED 10.20.30.40:5432', ['private-address'], '10.20.30.40'],
    ['172.16/12', 'from 172.31.255.1', ['private-address']],
    ['192.168/16', 'host 192.168.1.20', ['private-address']],
    ['loopback', 'listening on 127.0.0.1:8080', ['private-address']],
    ['link-local (cloud metadata)', 'GET http://169.254.169.254/latest', ['private-address']],
    ['an IPv6 unique local address', 'via fd12:3456:789a::1', ['private-address']],
    [
      'a SQL statement',
      'query failed: SELECT id, title FROM notes WHERE owner = $1',
      ['sql'],
      'SELECT id, title FROM notes',
    ],
    ['select star in lower case', 'error in select * from users', ['sql']],
    ['an UPDATE', 'UPDATE accounts SET balance = 0', ['sql']],
    ['a Postgres error', 'syntax error at or near "FROM"', ['sql']],
    ['a missing relation', 'relation "notes" does not exist', ['sql']],
    ['a SQLSTATE', 'SQLSTATE[42S02]: Base table not found', ['sql']],
    ['an ORM error', 'PrismaClientKnownRequestError: unique constraint', ['sql']],
  ];
  it.each(cases)('%s', (_name, text, expected, quote) => {
    expect(kinds(text)).toEqual([...expected].sort());
    if (quote) expect(scanForLeaks(text).map((f) => f.quote)).toContain(quote);
  });
});

describe('scanForLeaks() leaves ordinary messages alone', () => {
  const clean = [
    'Access denied: you can only search the notes of your own account (demo).',
    'The tool failed. Try again later.',
    'MCP error -32602: Input validation error: Invalid arguments for tool search_notes: [{"expected":"string","code":"invalid_type","path":["query"],"message":"Invalid input: expected string, received number"}]',
    'Please select the notes you want from the list, then update the settings.',
    'See https://docs.example.com/usr/guide/errors.html for help.',
    'Version 10.2.3 of the API is required; 1.1.1.1 is a public resolver.',
    'The sum of 1.7976931348623157e+308 and 1.7976931348623157e+308 is not a finite number.',
    'Use the path /search?q=notes or the tag work.',
    'Meet at 10:30 in room 4.',
    'The record was not found.',
  ];
  it.each(clean)('%s', (text) => {
    expect(scanForLeaks(text)).toEqual([]);
  });
});

describe('describeFindings()', () => {
  it('quotes the first finding of each kind, in order, and counts the rest', () => {
    const text =
      'Error: denied\n    at run (/srv/app/tools.ts:3:9)\n    at main (/srv/app/main.ts:1:1)\nupstream db.internal.corp (10.0.0.7): SELECT * FROM notes';
    const findings = scanForLeaks(text);
    expect(findings.map((f) => f.kind)).toEqual([
      'stack-trace',
      'file-path',
      'stack-trace',
      'file-path',
      'internal-host',
      'private-address',
      'sql',
    ]);
    expect(describeFindings(findings)).toBe(
      'stack trace “at run (/srv/app/tools.ts:3:9)” (and 1 more); file path “/srv/app/tools.ts” (and 1 more); internal host name “db.internal.corp”; private or loopback address “10.0.0.7”; SQL “SELECT * FROM notes”',
    );
  });

  it('trims long quotes', () => {
    const [finding] = scanForLeaks(`/srv/${'a'.repeat(300)}`);
    expect(finding?.quote.length).toBeLessThanOrEqual(100);
    expect(finding?.quote.endsWith('…')).toBe(true);
  });
});
