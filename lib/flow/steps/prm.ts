import {
  authorizationServerMetadataRequest,
  buildLegacyDiscovery,
  parseAsMetadataDocument,
} from '../../oauth/as-metadata';
import { canonicalResourceUri } from '../../oauth/canonical-uri';
import { isOutboundError } from '../../oauth/errors';
import {
  authorizationServersOf,
  buildPrmCandidates,
  compareResource,
  type PrmCandidate,
  type ProtectedResourceMetadata,
  parsePrmDocument,
  protectedResourceMetadataRequest,
  type ResourceMatch,
} from '../../oauth/protected-resource';
import { atLeast } from '../../spec/version';
import { describeAnswer } from '../errors';
import type { FlowState, StateAt } from '../state';
import type { StepRun } from '../step-run';
import { FlowError } from '../types';
import { probeCandidates, readText } from './util';

const SOURCE_LABEL: Record<PrmCandidate['source'], string> = {
  header: 'the resource_metadata URL from the 401 challenge',
  'path-aware': 'the path-aware well-known URL',
  root: 'the root well-known URL',
};

/** One row of the probe matrix shown in the step's facts. */
export interface PrmProbeRow {
  url: string;
  source: PrmCandidate['source'];
  status?: number;
  error?: string;
  used: boolean;
  why: string;
}

interface Probed {
  candidate: PrmCandidate;
  exchangeIds: string[];
  status?: number;
  error?: string;
  document?: ProtectedResourceMetadata;
  problem?: string;
  match?: ResourceMatch;
  servers: string[];
}

/**
 * Step 2: protected resource metadata. All candidate URLs are fetched at once; the choice follows the
 * spec's order (header URL, path-aware, root). A document whose `resource` does not match what it
 * was fetched for is not used (RFC 9728 §3.3). With no PRM at all, 2025-03-26 falls back to the
 * server's origin; later revisions stop.
 * @see RFC 9728 §3; MCP 2025-11-25 §Protected Resource Metadata Discovery Requirements
 */
export async function runPrm(state: StateAt<'prm'>, run: StepRun): Promise<FlowState> {
  const { serverUrl, specVersion } = state.options;
  const serverResource = canonicalResourceUri(serverUrl);
  const headerUrl = state.probe.challenge?.resourceMetadata;
  const candidates = buildPrmCandidates(serverUrl, headerUrl);

  const probeOne = async (candidate: PrmCandidate): Promise<Probed> => {
    const call = run.traced(`RFC 9728 §3.1 — ${SOURCE_LABEL[candidate.source]}`);
    try {
      const response = await protectedResourceMetadataRequest(call.fetch, candidate.url);
      const body = await readText(response);
      const parsed = parsePrmDocument(response.status, body);
      if (!parsed.ok)
        return {
          candidate,
          exchangeIds: call.exchangeIds,
          status: response.status,
          problem: parsed.problem,
          servers: [],
        };
      const document = parsed.document;
      return {
        candidate,
        exchangeIds: call.exchangeIds,
        status: response.status,
        document,
        match: compareResource(document.resource, candidate, serverResource),
        servers: authorizationServersOf(document),
      };
    } catch (err) {
      if (!isOutboundError(err)) throw err;
      return {
        candidate,
        exchangeIds: call.exchangeIds,
        error: err.message,
        problem: err.message,
        servers: [],
      };
    }
  };

  const usable = (p: Probed) => p.document !== undefined && p.match !== 'mismatch' && p.servers.length > 0;
  const { probed, skipped } = await probeCandidates(candidates, probeOne, usable, state.options.discovery);
  const chosen = probed.find(usable);
  const allIds = probed.flatMap((p) => p.exchangeIds);
  const matrix: PrmProbeRow[] = probed.map((p) => ({
    url: p.candidate.url,
    source: p.candidate.source,
    ...(p.status !== undefined ? { status: p.status } : {}),
    ...(p.error ? { error: p.error } : {}),
    used: p === chosen,
    why: whyRow(p, p === chosen, chosen),
  }));
  for (const candidate of skipped) {
    matrix.push({
      url: candidate.url,
      source: candidate.source,
      used: false,
      why: 'not requested: a strict client stops at the first usable URL',
    });
  }
  run.fact('probes', matrix);

  if (!chosen) {
    const found = probed.filter((p) => p.document);
    if (found.length === 0) {
      const tried = probed.map((p) => `${p.candidate.url} (${describeAnswer(p)})`).join('; ');
      if (!atLeast(specVersion, '2025-06-18')) {
        const legacy = buildLegacyDiscovery(serverUrl);
        run.check(
          'prm.found',
          'skip',
          `No protected resource metadata (${tried}). 2025-03-26 has none, so this is expected there.`,
          {
            exchangeIds: allIds,
          },
        );
        run.check(
          'prm.legacy-mode',
          'warn',
          `This server only supports 2025-03-26-style discovery. Newer clients require PRM. The authorization server is taken to be the server’s origin, ${legacy.authorizationBaseUrl}.`,
          { actual: legacy.authorizationBaseUrl, exchangeIds: allIds },
        );
        return {
          ...state,
          step: 'as-metadata',
          resource: {
            mode: 'legacy',
            authorizationBaseUrl: legacy.authorizationBaseUrl,
            issuer: legacy.authorizationBaseUrl,
          },
        };
      }
      run.check(
        'prm.found',
        'fail',
        `No PRM found at ${tried}. Clients on 2025-06-18 or later cannot find your AS.`,
        {
          expected: `200 JSON at ${candidates[0]?.url}`,
          actual: probed.map((p) => p.error ?? String(p.status)).join(', '),
          exchangeIds: allIds,
        },
      );
      // Only on this failure path: is it a 2025-03-26 server (no PRM, and a 401 that names none)? Then
      // say so, and go on the 2025-03-26 way, as clients that still support such servers do: the
      // verdict stays a failure against the revision judged, and the user still sees what follows.
      const legacy = await probeLegacyMetadata(run, serverUrl, specVersion);
      const named = Boolean(state.probe.challenge?.resourceMetadata);
      if (legacy.found || !named) {
        const base = buildLegacyDiscovery(serverUrl).authorizationBaseUrl;
        const message = legacy.found
          ? `This server only supports 2025-03-26-style discovery: it serves no protected resource metadata, but its origin serves authorization server metadata at ${legacy.url}. ${specVersion} requires PRM, so strict ${specVersion} clients cannot find its authorization server. The inspector goes on the 2025-03-26 way, as dual-era clients do.`
          : `This server looks like a 2025-03-26 server: no protected resource metadata, and its 401 names none. ${specVersion} requires PRM. The inspector goes on the 2025-03-26 way (the origin ${base} as the authorization server, its default endpoints if it has no metadata), as dual-era clients do.`;
        run.check('prm.legacy-mode', 'fail', message, {
          expected: `protected resource metadata (required since 2025-06-18; judged against ${specVersion})`,
          actual: legacy.found
            ? `2025-03-26 discovery only: metadata at ${legacy.url}`
            : '2025-03-26 discovery only',
          exchangeIds: [...allIds, ...legacy.exchangeIds],
        });
        return {
          ...state,
          step: 'as-metadata',
          resource: { mode: 'legacy', authorizationBaseUrl: base, issuer: base },
        };
      }
      throw new FlowError({
        code: 'prm_not_found',
        message: `No protected resource metadata at any of ${probed.length} URLs: ${tried}.`,
        hint: `Serve RFC 9728 metadata at ${candidates.find((c) => c.source !== 'header')?.url} with "resource": "${serverResource}", or name its URL in the 401’s WWW-Authenticate resource_metadata. If the server only implements 2025-03-26 discovery, judge it against spec revision 2025-03-26.`,
        specRef: 'MCP 2025-11-25 §Protected Resource Metadata Discovery Requirements; RFC 9728 §3',
      });
    }
    // Documents exist but none can be used: say why, most important reason first.
    const mismatched = found.find((p) => p.match === 'mismatch');
    if (mismatched?.document) {
      run.check(
        'prm.found',
        'fail',
        `Metadata was found but cannot be used: ${found.map((p) => `${p.candidate.url}: ${whyRow(p, false, undefined)}`).join('; ')}.`,
        {
          exchangeIds: allIds,
        },
      );
      throw run.fail(
        'prm.resource-match',
        {
          code: 'prm_invalid',
          message: `The protected resource metadata at ${mismatched.candidate.url} names resource ${mismatched.document.resource}, not ${mismatched.candidate.expectedResource}, so it must not be used.`,
          hint: `Set "resource" in the metadata to exactly ${mismatched.candidate.expectedResource}.`,
          expected: mismatched.candidate.expectedResource,
          actual: mismatched.document.resource,
        },
        {
          checkMessage: `PRM says resource=${mismatched.document.resource}, but it was fetched for ${mismatched.candidate.expectedResource}. Strict clients will discard it (RFC 9728 §3.3: the data MUST NOT be used).`,
          exchangeIds: mismatched.exchangeIds,
        },
      );
    }
    const noServers = found[0]!;
    run.check('prm.found', 'pass', `Found at ${noServers.candidate.url}.`, {
      exchangeIds: noServers.exchangeIds,
    });
    throw run.fail(
      'prm.authorization-servers',
      {
        code: 'prm_invalid',
        message: `The protected resource metadata at ${noServers.candidate.url} lists no authorization server.`,
        hint: 'Add "authorization_servers": ["<issuer URL>"] to the metadata.',
        expected: 'at least one authorization server URL',
        actual: JSON.stringify(noServers.document?.authorization_servers ?? null),
      },
      {
        checkMessage:
          'PRM is missing authorization_servers (or lists no valid URL), so clients cannot find the authorization server.',
        expected: 'authorization_servers: ["https://…"]',
        exchangeIds: noServers.exchangeIds,
      },
    );
  }

  const doc = chosen.document!;
  const ids = chosen.exchangeIds;
  const skippedBefore = probed.slice(0, probed.indexOf(chosen));
  const headerProbe = probed.find((p) => p.candidate.source === 'header');
  if (headerProbe && headerProbe !== chosen) {
    run.check(
      'prm.found',
      'warn',
      `The challenge pointed to ${headerProbe.candidate.url}, which ${whyRow(headerProbe, false, chosen)}; the inspector used ${chosen.candidate.url} instead. Clients that follow only the header stop here.`,
      {
        expected: `usable metadata at ${headerProbe.candidate.url}`,
        actual: headerProbe.error ?? `HTTP ${headerProbe.status}`,
        exchangeIds: allIds,
      },
    );
  } else {
    const note = skippedBefore.length
      ? ` (after ${skippedBefore.map((p) => `${p.candidate.url}: ${whyRow(p, false, chosen)}`).join('; ')})`
      : '';
    run.check(
      'prm.found',
      'pass',
      `Found at ${chosen.candidate.url}, ${SOURCE_LABEL[chosen.candidate.source]}${note}.`,
      {
        exchangeIds: allIds,
      },
    );
  }

  judgeResourceMatch(run, chosen, serverResource, probed);

  run.check(
    'prm.authorization-servers',
    'pass',
    `Lists ${chosen.servers.length} authorization server(s): ${chosen.servers.join(', ')}.`,
    {
      actual: chosen.servers.join(' '),
      exchangeIds: ids,
    },
  );

  const scopes = Array.isArray(doc.scopes_supported)
    ? doc.scopes_supported.filter((s): s is string => typeof s === 'string')
    : [];
  if (scopes.length) {
    run.check('prm.scopes-supported', 'pass', `scopes_supported: ${scopes.join(' ')}.`, {
      actual: scopes.join(' '),
      exchangeIds: ids,
    });
  } else {
    run.check(
      'prm.scopes-supported',
      'warn',
      state.probe.challenge?.scope
        ? `PRM is missing scopes_supported (RECOMMENDED). Clients use the scope the 401 challenge names (“${state.probe.challenge.scope}”); a client that reads only the metadata, or a 401 without scope, has nothing to request.`
        : 'PRM is missing scopes_supported (RECOMMENDED), and the 401 challenge names no scope either, so clients request no scope and the authorization server decides.',
      { expected: 'scopes_supported: [...]', actual: '(absent)', exchangeIds: ids },
    );
  }

  const index = state.options.authorizationServerIndex ?? 0;
  const issuer = chosen.servers[index];
  if (issuer === undefined) {
    throw run.fail(
      'prm.authorization-server-choice',
      {
        code: 'invalid_options',
        message: `There is no authorization server number ${index + 1}; the metadata lists ${chosen.servers.length}: ${chosen.servers.join(', ')}.`,
        hint: 'Pick one of the listed authorization servers.',
      },
      {
        checkMessage: `Option authorizationServerIndex=${index}, but the metadata lists ${chosen.servers.length}.`,
        exchangeIds: ids,
      },
    );
  }
  run.check(
    'prm.authorization-server-choice',
    'pass',
    chosen.servers.length > 1
      ? `Using ${issuer} (${index + 1} of ${chosen.servers.length}). The client decides (RFC 9728 §7.6); the TypeScript SDK always takes the first. Pick another to check it too.`
      : `Using ${issuer}, the only one listed.`,
    { actual: issuer, exchangeIds: ids },
  );
  run.fact('authorizationServers', chosen.servers);
  run.fact('chosenAuthorizationServer', issuer);
  if (!atLeast(specVersion, '2025-06-18')) {
    run.check(
      'prm.legacy-mode',
      'pass',
      'The server publishes PRM, which 2025-03-26 clients ignore (they use the server’s origin). The inspector follows the PRM.',
      { exchangeIds: ids },
    );
  }

  return {
    ...state,
    step: 'as-metadata',
    resource: {
      mode: 'prm',
      metadataUrl: chosen.candidate.url,
      source: chosen.candidate.source,
      document: doc,
      authorizationServers: chosen.servers,
      issuer,
      ...(scopes.length ? { scopesSupported: scopes } : {}),
    },
  };
}

function judgeResourceMatch(run: StepRun, chosen: Probed, serverResource: string, probed: Probed[]) {
  const doc = chosen.document!;
  const expected = chosen.candidate.expectedResource;
  const rejected = probed.filter((p) => p !== chosen && p.match === 'mismatch' && p.document);
  const rejectedNote = rejected.length
    ? ` Discarded: ${rejected.map((p) => `${p.candidate.url} (resource ${p.document!.resource})`).join('; ')}.`
    : '';
  const extras = { expected, actual: doc.resource, exchangeIds: chosen.exchangeIds };
  switch (chosen.match) {
    case 'exact':
      run.check(
        'prm.resource-match',
        rejected.length ? 'warn' : 'pass',
        `resource is ${doc.resource}, as fetched for.${rejectedNote}`,
        extras,
      );
      return;
    case 'trailing-slash':
      run.check(
        'prm.resource-match',
        'warn',
        `PRM says resource=${doc.resource}, but it was fetched for ${expected}; they differ only by a trailing slash. Strict clients will discard it.${rejectedNote}`,
        extras,
      );
      return;
    case 'prefix':
      run.check(
        'prm.resource-match',
        'warn',
        `PRM says resource=${doc.resource}, a prefix of ${expected}. The TypeScript SDK accepts a prefix, strict RFC 9728 clients discard it.${rejectedNote}`,
        extras,
      );
      return;
    case 'server-url-at-root':
      run.check(
        'prm.resource-match',
        'warn',
        `The root well-known document says resource=${doc.resource}. Strict RFC 9728 expects the origin (${expected}) there; serve the document at the path-aware URL so resource can be ${serverResource}.${rejectedNote}`,
        extras,
      );
      return;
    default:
      return;
  }
}

function whyRow(p: Probed, used: boolean, chosen: Probed | undefined): string {
  if (p.error) return `failed: ${p.error}`;
  if (!p.document) return p.problem ?? `answered HTTP ${p.status}`;
  if (p.match === 'mismatch')
    return `names resource ${p.document.resource}, expected ${p.candidate.expectedResource}; must not be used`;
  if (p.servers.length === 0) return 'lists no authorization server';
  if (used) return p.match === 'exact' ? 'used: resource matches exactly' : `used: resource ${p.match}`;
  return chosen ? 'valid, but a higher-priority URL was used' : 'valid';
}

/**
 * After every PRM URL failed: does the server's origin serve RFC 8414 metadata the 2025-03-26 way? Run
 * only on the failure path (never on the way to a working server), to tell a 2025-03-26 server from
 * an unconfigured one.
 * @see MCP 2025-03-26 §Server Metadata Discovery
 */
async function probeLegacyMetadata(
  run: StepRun,
  serverUrl: string,
  specVersion: FlowState['options']['specVersion'],
): Promise<{ found: boolean; url: string; issuer: string; exchangeIds: string[] }> {
  const legacy = buildLegacyDiscovery(serverUrl);
  const call = run.traced(
    'MCP 2025-03-26 §Server Metadata Discovery — is this a 2025-03-26 server? (metadata at its origin)',
  );
  const result = {
    found: false,
    url: legacy.metadataUrl,
    issuer: legacy.authorizationBaseUrl,
    exchangeIds: call.exchangeIds,
  };
  try {
    const response = await authorizationServerMetadataRequest(call.fetch, legacy.metadataUrl, specVersion);
    const parsed = parseAsMetadataDocument(
      response.status,
      await readText(response),
      legacy.authorizationBaseUrl,
    );
    return { ...result, found: parsed.ok || parsed.claimedIssuer !== undefined };
  } catch (err) {
    if (!isOutboundError(err)) throw err;
    return result;
  }
}
