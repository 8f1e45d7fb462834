import 'server-only';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { DemoInfo } from '../contract';
import { SPEC_VERSIONS, type SpecVersion } from '../flow/types';
import { parseAllowedHost } from '../http/guard';
import { type AbuseLimits, abuseLimitsFromEnv } from './rate-limit';

/** Everything the app reads from the environment, read once, validated, in one place. */
export interface InspectorConfig {
  mode: 'local' | 'hosted';
  /** Public origin of the app (https in hosted mode). Redirect URIs and the client metadata URL derive from it. */
  publicUrl?: string;
  /** First seals, all open (rotation). */
  sessionSecrets: string[];
  generatedSecret: boolean;
  /** Sessions, locks, single-use marks and rate counters in this Redis (several instances); memory when unset. */
  redisUrl?: string;
  /** Hosts an operator allows even though they resolve to internal addresses (hosted mode). */
  allowHosts: string[];
  timeoutMs: number;
  maxBodyBytes: number;
  /** Body limit for MCP answers (tool lists and results). */
  maxMcpBodyBytes: number;
  /** Total time for one step, all its requests together. */
  stepBudgetMs: number;
  maxRedirects: number;
  /** Session store caps: all sessions, anonymous ones (not signed in), and their sealed bytes. */
  sessions: { maxEntries: number; maxAnonymous: number; maxBytes: number; maxAnonymousBytes: number };
  /** Per-client budgets and the global outbound cap (read by proxy.ts too). */
  abuse: AbuseLimits;
  demo?: DemoInfo;
}

export type { DemoInfo, DemoScenarioInfo } from '../contract';

const demoSchema = z.object({
  mcpUrl: z.string().url(),
  adminUrl: z.string().url().optional(),
  scenarios: z
    .array(
      z.object({
        id: z.string(),
        title: z.string(),
        description: z.string(),
        mcpUrl: z.string().url(),
        expect: z.union([
          z.object({ outcome: z.literal('connected') }),
          z.object({ outcome: z.literal('failed'), step: z.string(), checkId: z.string() }),
        ]),
        specVersion: z.enum(SPEC_VERSIONS as [SpecVersion, ...SpecVersion[]]).optional(),
        preRegistered: z
          .object({
            clientId: z.string(),
            clientSecret: z.string().optional(),
            privateKeyPem: z.string().optional(),
            tokenEndpointAuthMethod: z.enum(['none', 'client_secret_basic', 'private_key_jwt']).optional(),
          })
          .optional(),
        grant: z.enum(['authorization_code', 'client_credentials', 'jwt_bearer', 'id_jag']).optional(),
        workload: z.object({ assertionUrl: z.string().url() }).optional(),
        idp: z.object({ issuer: z.string().url(), clientId: z.string() }).optional(),
        dpop: z.boolean().optional(),
      }),
    )
    .default([]),
});

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parseMs(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new ConfigError(`${name} must be a positive whole number, got "${value}".`);
  return n;
}

function parseCount(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new ConfigError(`${name} must be a whole number (0 or more), got "${value}".`);
  return n;
}

/** INSPECTOR_ALLOW_HOSTS entries, each checked: a typo must not silently allow nothing (or too much). */
function allowHosts(raw: string | undefined): string[] {
  const entries = (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (!parseAllowedHost(entry)) {
      throw new ConfigError(
        `INSPECTOR_ALLOW_HOSTS entry "${entry}" is not one of: host (https on 443), host:port (https on that port), https://host[:port], or http://host:port (plain http needs the scheme and a port).`,
      );
    }
  }
  return entries;
}

function abuseLimits(env: NodeJS.ProcessEnv): AbuseLimits {
  try {
    return abuseLimitsFromEnv(env);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): InspectorConfig {
  const modeRaw = env.INSPECTOR_MODE ?? 'local';
  if (modeRaw !== 'local' && modeRaw !== 'hosted') {
    throw new ConfigError(`INSPECTOR_MODE must be "local" or "hosted", got "${modeRaw}".`);
  }
  const mode = modeRaw;
  const publicUrl = env.INSPECTOR_PUBLIC_URL?.replace(/\/+$/, '') || undefined;
  if (publicUrl && !/^https?:\/\//.test(publicUrl)) {
    throw new ConfigError(`INSPECTOR_PUBLIC_URL must be an http(s) URL, got "${publicUrl}".`);
  }
  if (mode === 'hosted' && !publicUrl?.startsWith('https://')) {
    throw new ConfigError('Hosted mode needs INSPECTOR_PUBLIC_URL set to the app’s https origin.');
  }
  const secrets = (env.INSPECTOR_SESSION_SECRET ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  let generatedSecret = false;
  if (secrets.length === 0) {
    if (mode === 'hosted') {
      throw new ConfigError(
        'Hosted mode refuses to start without INSPECTOR_SESSION_SECRET (32+ random characters; comma-separate older secrets to rotate).',
      );
    }
    secrets.push(randomBytes(32).toString('base64url'));
    generatedSecret = true;
  }
  for (const s of secrets) {
    if (s.length < 32)
      throw new ConfigError('Each INSPECTOR_SESSION_SECRET entry must be at least 32 characters.');
  }
  const redisUrl = env.INSPECTOR_REDIS_URL?.trim() || undefined;
  if (redisUrl && !/^rediss?:\/\/[^/]/.test(redisUrl)) {
    throw new ConfigError(
      `INSPECTOR_REDIS_URL must be a redis:// or rediss:// URL (e.g. redis://127.0.0.1:6379), got "${redisUrl}".`,
    );
  }
  if (redisUrl && generatedSecret) {
    throw new ConfigError(
      'INSPECTOR_REDIS_URL is set, so several inspector processes share sessions: set INSPECTOR_SESSION_SECRET (32+ random characters) to the same value on each, or they cannot open each other’s sessions.',
    );
  }
  let demo: DemoInfo | undefined;
  if (env.INSPECTOR_DEMO) {
    const parsed = demoSchema.safeParse(JSON.parse(env.INSPECTOR_DEMO));
    if (!parsed.success) throw new ConfigError(`INSPECTOR_DEMO is not valid: ${parsed.error.message}`);
    demo = parsed.data;
  }
  return {
    mode,
    publicUrl,
    sessionSecrets: secrets,
    generatedSecret,
    redisUrl,
    allowHosts: allowHosts(env.INSPECTOR_ALLOW_HOSTS),
    timeoutMs: parseMs(env.INSPECTOR_TIMEOUT_MS, 10_000, 'INSPECTOR_TIMEOUT_MS'),
    maxBodyBytes: parseMs(env.INSPECTOR_MAX_BODY_BYTES, 1_048_576, 'INSPECTOR_MAX_BODY_BYTES'),
    maxMcpBodyBytes: parseMs(env.INSPECTOR_MAX_MCP_BODY_BYTES, 5_242_880, 'INSPECTOR_MAX_MCP_BODY_BYTES'),
    stepBudgetMs: parseMs(env.INSPECTOR_STEP_BUDGET_MS, 30_000, 'INSPECTOR_STEP_BUDGET_MS'),
    maxRedirects: parseCount(env.INSPECTOR_MAX_REDIRECTS, 5, 'INSPECTOR_MAX_REDIRECTS'),
    sessions: {
      maxEntries: parseMs(env.INSPECTOR_MAX_SESSIONS, 10_000, 'INSPECTOR_MAX_SESSIONS'),
      maxAnonymous: parseMs(env.INSPECTOR_MAX_ANONYMOUS_SESSIONS, 5_000, 'INSPECTOR_MAX_ANONYMOUS_SESSIONS'),
      maxBytes: parseMs(env.INSPECTOR_SESSION_STORE_BYTES, 512 * 1_048_576, 'INSPECTOR_SESSION_STORE_BYTES'),
      maxAnonymousBytes: parseMs(
        env.INSPECTOR_ANONYMOUS_STORE_BYTES,
        128 * 1_048_576,
        'INSPECTOR_ANONYMOUS_STORE_BYTES',
      ),
    },
    abuse: abuseLimits(env),
    demo,
  };
}

const globalKey = Symbol.for('mcp-auth-inspector.config');
type GlobalWithConfig = typeof globalThis & { [globalKey]?: InspectorConfig };

/** One config per process (survives dev-server module reloads, so a generated secret stays put). */
export function config(): InspectorConfig {
  const g = globalThis as GlobalWithConfig;
  if (!g[globalKey]) {
    g[globalKey] = readConfig();
    if (g[globalKey].generatedSecret) {
      console.warn(
        '[inspector] No INSPECTOR_SESSION_SECRET set: generated one for this process. Sessions end when it restarts.',
      );
    }
  }
  return g[globalKey];
}
