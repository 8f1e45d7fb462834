/**
 * A heuristic scanner for internals in error messages a server sends to clients: stack traces, file
 * paths, internal host names and private addresses, SQL. It errs on the side of quoting too little
 * rather than crying wolf over ordinary sentences; every finding quotes what it matched.
 * @see MCP 2025-11-25 §Tools (Error Handling; Security Considerations: "sanitize tool outputs");
 *   OWASP ASVS 4.0 §7.4.1 (generic error messages)
 */

export type LeakKind = 'stack-trace' | 'file-path' | 'internal-host' | 'private-address' | 'sql';

export interface LeakFinding {
  kind: LeakKind;
  /** The matched text, trimmed to a readable length. */
  quote: string;
  /** Offset in the scanned text. */
  index: number;
}

export const LEAK_KIND_TEXT: Record<LeakKind, string> = {
  'stack-trace': 'stack trace',
  'file-path': 'file path',
  'internal-host': 'internal host name',
  'private-address': 'private or loopback address',
  sql: 'SQL',
};

const QUOTE_MAX = 100;

interface Rule {
  kind: LeakKind;
  pattern: RegExp;
  /** Further filter on the match (e.g. octet ranges). */
  accept?: (match: RegExpExecArray) => boolean;
}

const SOURCE_EXT =
  'js|mjs|cjs|ts|tsx|jsx|py|rb|go|java|kt|scala|php|cs|rs|c|cc|cpp|h|hpp|swift|ex|exs|erl|pl|sh';
const ROOTS =
  'home|usr|var|opt|srv|app|apps|etc|tmp|root|Users|workspace|workspaces|work|build|dist|src|code|data|mnt|private|run|lib|snap|nix';

function octets(text: string): number[] {
  return text.split('.').map(Number);
}

/** 10/8, 172.16/12, 192.168/16, 127/8, 169.254/16, 100.64/10 (carrier-grade NAT). */
function isPrivateV4(ip: string): boolean {
  const o = octets(ip);
  if (o.length !== 4 || o.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return false;
  const [a = 0, b = 0] = o;
  return (
    a === 10 ||
    a === 127 ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 169 && b === 254) ||
    (a === 100 && b >= 64 && b <= 127)
  );
}

const RULES: Rule[] = [
  // JavaScript / Node: "    at fn (/path/file.js:12:34)", "at node:internal/…", "at file:///…"
  {
    kind: 'stack-trace',
    pattern: /^[ \t]*at (?:[^\n]*?[(\s])?(?:file:\/\/|node:|\/|[A-Za-z]:\\)[^\n]*?:\d+(?::\d+)?\)?$/gm,
  },
  // Two frames in a row, whatever they point at ("at [eval]:1:13", "at <anonymous>").
  { kind: 'stack-trace', pattern: /^[ \t]+at [^\n]+(?=\n[ \t]+at )/gm },
  // Python
  { kind: 'stack-trace', pattern: /Traceback \(most recent call last\):/g },
  { kind: 'stack-trace', pattern: /^[ \t]*File "[^"\n]+", line \d+/gm },
  // Java / Kotlin / C#: "at com.example.Foo.bar(Foo.java:42)", "at Foo.Bar() in C:\x\y.cs:line 12"
  { kind: 'stack-trace', pattern: /^[ \t]*at [\w$.<>]+\([\w$]+\.(?:java|kt|scala|groovy):\d+\)/gm },
  { kind: 'stack-trace', pattern: /^[ \t]*at [\w.<>`]+\([^)\n]*\) in [^\n]+:line \d+/gm },
  { kind: 'stack-trace', pattern: /\bException in thread "[^"\n]*"/g },
  // Go, Ruby, PHP
  { kind: 'stack-trace', pattern: /\bgoroutine \d+ \[[\w ]+\]:/g },
  { kind: 'stack-trace', pattern: /^[ \t]*from [^\s:]+\.rb:\d+:in/gm },
  { kind: 'stack-trace', pattern: /^Stack trace:\s*\n#0 /gm },
  // Absolute paths under common roots, or any absolute path to a source file; Windows paths; file URLs.
  {
    kind: 'file-path',
    pattern: new RegExp(`(?<![\\w/.:~-])/(?:${ROOTS})/[^\\s"'\`()<>,;:]+`, 'g'),
  },
  {
    kind: 'file-path',
    pattern: new RegExp(`(?<![\\w/.:~-])(?:/[\\w.@+-]+){2,}\\.(?:${SOURCE_EXT})\\b`, 'g'),
  },
  { kind: 'file-path', pattern: /\b[A-Za-z]:\\(?:[^\\\s"'<>|]+\\)+[^\\\s"'<>|]*/g },
  { kind: 'file-path', pattern: /\bfile:\/\/\/[^\s"'<>)]+/g },
  { kind: 'file-path', pattern: /(?<![\w/])node_modules\/[^\s"'<>),:]+/g },
  // Host names only an internal network resolves.
  {
    kind: 'internal-host',
    pattern:
      /\b(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:internal|local|localdomain|corp|lan|intranet|intra|private|home\.arpa|svc|cluster\.local)\b(?![.-]?\w)/gi,
  },
  { kind: 'internal-host', pattern: /\blocalhost:\d{2,5}\b/gi },
  // Private, loopback and link-local addresses.
  {
    kind: 'private-address',
    pattern: /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.]*\d)/g,
    accept: (m) => isPrivateV4(m[0]),
  },
  { kind: 'private-address', pattern: /(?<![\w:])(?:f[cd][0-9a-f]{2}|fe80):[0-9a-f:]*[0-9a-f](?![\w:])/gi },
  // SQL statements (upper-case keywords, as code and logs write them), `select * from`, and driver errors.
  {
    kind: 'sql',
    pattern:
      /\b(?:SELECT\s+(?:DISTINCT\s+)?[\w*."`, ()]+?\s+FROM\s+[\w."`]+|INSERT\s+INTO\s+[\w."`]+|UPDATE\s+[\w."`]+\s+SET\s+\w|DELETE\s+FROM\s+[\w."`]+|(?:CREATE|DROP|ALTER)\s+TABLE\s+[\w."`]+)/g,
  },
  { kind: 'sql', pattern: /\bselect\s+\*\s+from\s+[\w."`]+/gi },
  { kind: 'sql', pattern: /\bwhere\s+[\w."`]+\s*=\s*(?:\$\d+|\?|:\w+)/gi },
  {
    kind: 'sql',
    pattern:
      /\b(?:SQLSTATE\[?\w*\]?|syntax error at or near "[^"]*"|ORA-\d{5}|SQLITE_[A-Z]+|ER_[A-Z_]{4,}|duplicate key value violates unique constraint|relation "[^"]+" does not exist|PG::\w+|psycopg2?\.\w+|SequelizeDatabaseError|PrismaClient\w*Error|QueryFailedError)/g,
  },
];

function quoteOf(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > QUOTE_MAX ? `${oneLine.slice(0, QUOTE_MAX - 1)}…` : oneLine;
}

/**
 * Finds what looks like server internals in `text`, in order of appearance, one finding per
 * distinct quote and kind. Pure; no network.
 */
export function scanForLeaks(text: string): LeakFinding[] {
  const findings: LeakFinding[] = [];
  const seen = new Set<string>();
  for (const rule of RULES) {
    for (const match of text.matchAll(rule.pattern)) {
      if (rule.accept && !rule.accept(match as RegExpExecArray)) continue;
      const quote = quoteOf(match[0]);
      const key = `${rule.kind} ${quote}`;
      if (!quote || seen.has(key)) continue;
      seen.add(key);
      findings.push({ kind: rule.kind, quote, index: match.index ?? 0 });
    }
  }
  return findings.sort((a, b) => a.index - b.index);
}

/**
 * One quote per kind, in order of first appearance, with a count of the rest:
 * `stack trace “at run (/srv/app.js:3:9)” (and 4 more); private or loopback address “10.0.0.7”`.
 */
export function describeFindings(findings: LeakFinding[]): string {
  const byKind = new Map<LeakKind, LeakFinding[]>();
  for (const f of findings) byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), f]);
  return [...byKind.entries()]
    .map(([kind, list]) => {
      const more = list.length > 1 ? ` (and ${list.length - 1} more)` : '';
      return `${LEAK_KIND_TEXT[kind]} “${list[0]?.quote}”${more}`;
    })
    .join('; ');
}
