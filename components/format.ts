export function formatDuration(ms: number): string {
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Which MCP wire the server speaks, in one line: "Speaks MCP 2026-07-28 (stateless)" or
 * "Speaks MCP 2025-11-25 (initialize, session)". Undefined before the MCP step has run.
 */
export function spokenWire(
  mcp: { era?: 'modern' | 'legacy'; protocolVersion?: string; hasSession: boolean } | undefined,
): string | undefined {
  if (!mcp?.era) return undefined;
  const version = mcp.protocolVersion ?? 'an unknown revision';
  return mcp.era === 'modern'
    ? `Speaks MCP ${version} (stateless)`
    : `Speaks MCP ${version} (initialize, ${mcp.hasSession ? 'session' : 'no session'})`;
}
