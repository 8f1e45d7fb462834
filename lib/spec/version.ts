/**
 * The MCP specification revisions the inspector knows, newest first, and the one comparison every
 * layer uses. A leaf module: lib/oauth, lib/mcp and lib/flow import it; it imports nothing.
 */
export type SpecVersion = '2025-03-26' | '2025-06-18' | '2025-11-25' | '2026-07-28';
export const SPEC_VERSIONS: readonly SpecVersion[] = ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26'];
export const LATEST_SPEC: SpecVersion = '2026-07-28';

/** Whether `version` is `floor` or later. Revisions are ISO dates, which compare as strings. */
export function atLeast(version: SpecVersion, floor: SpecVersion): boolean {
  return version >= floor;
}
