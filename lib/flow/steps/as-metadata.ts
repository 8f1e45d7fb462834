import {
  type AsMetadataCandidate,
  type AuthorizationServerMetadata,
  authorizationServerMetadataRequest,
  buildAsMetadataCandidates,
  buildLegacyDiscovery,
  parseAsMetadataDocument,
} from '../../oauth/as-metadata';
import { classifyUrlSecurity } from '../../oauth/canonical-uri';
import { isOutboundError } from '../../oauth/errors';
import { atLeast } from '../../spec/version';
import { describeAnswer } from '../errors';
import type { AuthorizationServerInfo, FlowState, StateAt } from '../state';
import type { StepRun } from '../step-run';
import { FlowError, type SpecVersion } from '../types';
import { probeCandidates, readText } from './util';

type Role = 'spec' | 'informational' | 'mcp-origin';

interface Probed {
  candidate: AsMetadataCandidate;
  role: Role;
  expectedIssuer: string;
  exchangeIds: string[];
  status?: number;
  error?: string;
  metadata?: AuthorizationServerMetadata;
  claimedIssuer?: string;
  problem?: string;
}

/** One row of the probe matrix shown in the step's facts. */
export interface AsProbeRow {
  url: string;
  kind: AsMetadataCandidate['kind'];
  role: Role;
  status?: number;
  used: boolean;
  why: string;
}

const KIND_LABEL = { oauth: 'RFC 8414', oidc: 'OpenID Connect Discovery' } as const;

async function probe(
  run: StepRun,
  candidate: AsMetadataCandidate,
  role: Role,
  expectedIssuer: string,
  protocolVersion: string,
): Promise<Probed> {
  const purpose =
    role === 'spec'
      ? `${KIND_LABEL[candidate.kind]} metadata discovery (MCP §Authorization Server Metadata Discovery)`
      : role === 'informational'
        ? `${KIND_LABEL[candidate.kind]} metadata — not used by this spec revision, probed for comparison`
        : 'Metadata at the MCP server’s own origin (2025-03-26 clients look here) — for comparison';
  const call = run.traced(purpose);
  try {
    const response = await authorizationServerMetadataRequest(call.fetch, candidate.url, protocolVersion);
    const body = await readText(response);
    const parsed = parseAsMetadataDocument(response.status, body, expectedIssuer);
    return parsed.ok
      ? {
          candidate,
          role,
          expectedIssuer,
          exchangeIds: call.exchangeIds,
          status: response.status,
          metadata: parsed.metadata,
        }
      : {
          candidate,
          role,
          expectedIssuer,
          exchangeIds: call.exchangeIds,
          status: response.status,
          problem: parsed.problem,
          ...(parsed.claimedIssuer ? { claimedIssuer: parsed.claimedIssuer } : {}),
        };
  } catch (err) {
    if (!isOutboundError(err)) throw err;
    return {
      candidate,
      role,
      expectedIssuer,
      exchangeIds: call.exchangeIds,
      error: err.message,
      problem: err.message,
    };
  }
}

/**
 * Step 3: authorization server metadata. Every discovery URL for the spec revision is fetched at
 * once (plus, for comparison, the ones other revisions use and the MCP server's own origin); the first
 * in spec order whose `issuer` matches exactly is used.
 * @see MCP 2025-11-25 §Authorization Server Metadata Discovery; RFC 8414 §3; OpenID Connect Discovery 1.0 §4
 */
export async function runAsMetadata(state: StateAt<'as-metadata'>, run: StepRun): Promise<FlowState> {
  const { specVersion, serverUrl } = state.options;
  const protocolVersion = specVersion;

  if (state.resource.mode === 'legacy') return runLegacy(state, run, protocolVersion);

  const issuer = state.resource.issuer;
  const inSpec = buildAsMetadataCandidates(issuer, specVersion);
  const seen = new Set(inSpec.map((c) => c.url));
  const informational = atLeast(specVersion, '2025-11-25')
    ? []
    : buildAsMetadataCandidates(issuer, '2025-11-25').filter((c) => !seen.has(c.url));
  for (const c of informational) seen.add(c.url);
  const mcpOrigin = new URL(serverUrl).origin;
  const originCandidates: AsMetadataCandidate[] = [
    { url: `${mcpOrigin}/.well-known/oauth-authorization-server`, kind: 'oauth' as const },
    { url: `${mcpOrigin}/.well-known/openid-configuration`, kind: 'oidc' as const },
  ].filter((c) => !seen.has(c.url));

  // A strict client asks only the spec's URLs, in order, and stops at the first usable one; the
  // doctor's matrix also asks the other revision's URLs and the MCP server's own origin.
  const strict = state.options.discovery === 'client';
  const [{ probed: specProbes, skipped }, infoProbes, originProbes] = await Promise.all([
    probeCandidates(
      inSpec,
      (c) => probe(run, c, 'spec', issuer, protocolVersion),
      (p) => p.metadata !== undefined,
      state.options.discovery,
    ),
    strict
      ? []
      : Promise.all(informational.map((c) => probe(run, c, 'informational', issuer, protocolVersion))),
    // Origin metadata names its own issuer; compare it with ours afterwards.
    strict
      ? []
      : Promise.all(originCandidates.map((c) => probe(run, c, 'mcp-origin', mcpOrigin, protocolVersion))),
  ]);
  const chosen = specProbes.find((p) => p.metadata);
  const all = [...specProbes, ...infoProbes, ...originProbes];
  const notRequested: AsProbeRow[] = skipped.map((c) => ({
    url: c.url,
    kind: c.kind,
    role: 'spec',
    used: false,
    why: 'not requested: a strict client stops at the first usable URL',
  }));
  const allIds = all.flatMap((p) => p.exchangeIds);
  run.fact(
    'probes',
    all
      .map(
        (p): AsProbeRow => ({
          url: p.candidate.url,
          kind: p.candidate.kind,
          role: p.role,
          ...(p.status !== undefined ? { status: p.status } : {}),
          used: p === chosen,
          why:
            p === chosen
              ? 'used: issuer matches exactly'
              : (p.problem ?? (p.metadata ? 'valid' : 'not used')),
        }),
      )
      .concat(notRequested),
  );
  const revisionNote = atLeast(specVersion, '2025-11-25')
    ? ''
    : ` ${specVersion} requires RFC 8414 only; 2025-11-25 also tries OpenID Connect Discovery.`;

  if (!chosen) {
    const mismatched = specProbes.find((p) => p.claimedIssuer);
    if (mismatched) {
      run.check('as.found', 'fail', `Metadata was found but claims another issuer.${revisionNote}`, {
        exchangeIds: allIds,
      });
      throw run.fail(
        'as.issuer-match',
        {
          code: 'as_metadata_invalid',
          message: `Metadata at ${mismatched.candidate.url} claims issuer ${mismatched.claimedIssuer}. It must be ${issuer}, and clients MUST NOT use it.`,
          hint: `Make the authorization server’s issuer exactly ${issuer}, or list the real issuer in the resource metadata’s authorization_servers.`,
          expected: issuer,
          actual: mismatched.claimedIssuer,
        },
        { exchangeIds: mismatched.exchangeIds },
      );
    }
    const otherRevision = infoProbes.find((p) => p.metadata);
    const tried = specProbes.map((p) => `${p.candidate.url} (${describeAnswer(p)})`).join('; ');
    throw run.fail(
      'as.found',
      {
        code: 'as_metadata_not_found',
        message: `No AS metadata at any of ${specProbes.length} URLs: ${tried}.`,
        hint: otherRevision
          ? `Serve RFC 8414 metadata at ${inSpec[0]?.url}, or judge against 2025-11-25, which also uses ${otherRevision.candidate.url}.`
          : `Serve RFC 8414 metadata at ${inSpec[0]?.url} with "issuer": "${issuer}".`,
      },
      {
        checkMessage: `No AS metadata at any of ${specProbes.length} URLs: ${tried}.${otherRevision ? ` OpenID discovery at ${otherRevision.candidate.url} works, which 2025-11-25 clients use but ${specVersion} clients do not.` : ''}`,
        exchangeIds: allIds,
      },
    );
  }

  const metadata = chosen.metadata!;
  const ids = chosen.exchangeIds;
  const before = specProbes.slice(0, specProbes.indexOf(chosen));
  run.check(
    'as.found',
    'pass',
    `Found at ${chosen.candidate.url} (${KIND_LABEL[chosen.candidate.kind]})${before.length ? ` after ${before.map((p) => `${p.candidate.url}: ${p.problem}`).join('; ')}` : ''}.${revisionNote}`,
    { exchangeIds: allIds },
  );
  const earlierMismatch = before.find((p) => p.claimedIssuer);
  if (earlierMismatch) {
    run.check(
      'as.issuer-match',
      'warn',
      `${chosen.candidate.url} names issuer ${issuer} exactly, but ${earlierMismatch.candidate.url}, tried first, claims ${earlierMismatch.claimedIssuer}; clients that stop at the first document fail.`,
      {
        expected: issuer,
        actual: earlierMismatch.claimedIssuer,
        exchangeIds: [...earlierMismatch.exchangeIds, ...ids],
      },
    );
  } else {
    run.check('as.issuer-match', 'pass', `issuer is exactly ${issuer}.`, {
      expected: issuer,
      actual: metadata.issuer,
      exchangeIds: ids,
    });
  }

  const info: AuthorizationServerInfo = {
    issuer,
    metadataUrl: chosen.candidate.url,
    source: chosen.candidate.kind,
    metadata,
  };
  judgeMetadata(run, specVersion, info, ids);
  judgeOriginMetadata(run, issuer, originProbes, mcpOrigin, strict);
  run.fact('issuer', issuer);
  run.fact('metadataUrl', chosen.candidate.url);
  return { ...state, step: 'registration', authorizationServer: info };
}

/** 2025-03-26 without PRM: metadata at the origin, or the default endpoints when it is 404. */
async function runLegacy(
  state: StateAt<'as-metadata'>,
  run: StepRun,
  protocolVersion: string,
): Promise<FlowState> {
  const legacy = buildLegacyDiscovery(state.options.serverUrl);
  const issuer = legacy.authorizationBaseUrl;
  const p = await probe(run, { url: legacy.metadataUrl, kind: 'oauth' }, 'spec', issuer, protocolVersion);
  run.fact('probes', [
    {
      url: p.candidate.url,
      kind: 'oauth',
      role: 'spec',
      status: p.status,
      used: Boolean(p.metadata),
      why: p.problem ?? 'used',
    },
  ]);
  let info: AuthorizationServerInfo;
  if (p.metadata) {
    run.check('as.found', 'pass', `Found at ${legacy.metadataUrl} (2025-03-26: the server’s origin).`, {
      exchangeIds: p.exchangeIds,
    });
    run.check('as.issuer-match', 'pass', `issuer is exactly ${issuer}.`, {
      expected: issuer,
      actual: p.metadata.issuer,
      exchangeIds: p.exchangeIds,
    });
    info = { issuer, metadataUrl: legacy.metadataUrl, source: 'legacy-metadata', metadata: p.metadata };
  } else if (p.status === 404) {
    run.check(
      'as.found',
      'warn',
      `No metadata at ${legacy.metadataUrl} (404), so the 2025-03-26 default endpoints apply: ${legacy.fallback.authorization_endpoint}, ${legacy.fallback.token_endpoint}, ${legacy.fallback.registration_endpoint}.`,
      { exchangeIds: p.exchangeIds },
    );
    run.check('as.issuer-match', 'skip', 'No metadata, so no issuer to compare.', {
      exchangeIds: p.exchangeIds,
    });
    info = {
      issuer,
      source: 'legacy-fallback',
      metadata: { ...legacy.fallback, response_types_supported: ['code'] } as AuthorizationServerMetadata,
    };
  } else if (p.claimedIssuer) {
    throw run.fail(
      'as.issuer-match',
      {
        code: 'as_metadata_invalid',
        message: `Metadata at ${legacy.metadataUrl} claims issuer ${p.claimedIssuer}. It must be ${issuer}, and clients MUST NOT use it.`,
        expected: issuer,
        actual: p.claimedIssuer,
      },
      { exchangeIds: p.exchangeIds },
    );
  } else {
    throw run.fail(
      'as.found',
      {
        code: 'as_metadata_not_found',
        message: `No usable metadata at ${legacy.metadataUrl} (${p.problem}). 2025-03-26 clients fall back to the default endpoints only when it answers 404.`,
        hint: 'Serve RFC 8414 metadata there, or answer 404 to use /authorize, /token and /register.',
        specRef: 'MCP 2025-03-26 §Fallbacks for Servers without Metadata Discovery',
      },
      {
        checkMessage: `${legacy.metadataUrl}: ${p.problem}. The default endpoints apply only after a 404.`,
        exchangeIds: p.exchangeIds,
      },
    );
  }
  judgeMetadata(run, state.options.specVersion, info, p.exchangeIds);
  run.check('as.origin-metadata', 'skip', 'In 2025-03-26 mode the origin is the authorization server.', {
    exchangeIds: [],
  });
  run.fact('issuer', issuer);
  return { ...state, step: 'registration', authorizationServer: info };
}

function judgeMetadata(run: StepRun, spec: SpecVersion, info: AuthorizationServerInfo, ids: string[]) {
  const md = info.metadata;
  const fallback = info.source === 'legacy-fallback';
  const v11 = atLeast(spec, '2025-11-25');

  // PKCE (checklist A11)
  const methods = md.code_challenge_methods_supported;
  if (fallback) {
    run.check(
      'as.pkce-s256',
      'skip',
      'No metadata to check; the inspector uses S256 anyway (PKCE is REQUIRED in 2025-03-26).',
      { exchangeIds: ids },
    );
  } else if (!Array.isArray(methods)) {
    const message = `The AS does not advertise S256 PKCE (code_challenge_methods_supported is ${methods === undefined ? 'absent' : `not an array: ${JSON.stringify(methods)}`}).`;
    if (v11) {
      throw run.fail(
        'as.pkce-s256',
        {
          code: 'as_metadata_invalid',
          message: `${message} 2025-11-25 clients must stop here.`,
          hint: 'Publish "code_challenge_methods_supported": ["S256"] in the authorization server metadata.',
          expected: 'code_challenge_methods_supported containing "S256"',
          actual: '(absent)',
        },
        { exchangeIds: ids },
      );
    }
    run.check(
      'as.pkce-s256',
      'warn',
      `${message} ${spec} clients may proceed with S256; 2025-11-25 clients must stop here.`,
      {
        expected: 'code_challenge_methods_supported containing "S256"',
        actual: '(absent)',
        exchangeIds: ids,
      },
    );
  } else if (!methods.includes('S256')) {
    const message = `The AS does not advertise S256 PKCE (it lists ${JSON.stringify(methods)}).`;
    run.check('as.pkce-s256', 'fail', `${message}${v11 ? ' 2025-11-25 clients must stop here.' : ''}`, {
      expected: '"S256"',
      actual: JSON.stringify(methods),
      exchangeIds: ids,
    });
    if (v11) {
      throw new FlowError({
        code: 'as_metadata_invalid',
        message: `${message} 2025-11-25 clients must stop here.`,
        hint: 'Support PKCE with S256 and list it in code_challenge_methods_supported.',
        expected: '"S256"',
        actual: JSON.stringify(methods),
        specRef: 'MCP 2025-11-25 §Authorization Code Protection',
      });
    }
  } else if (methods.includes('plain')) {
    run.check(
      'as.pkce-s256',
      'warn',
      'S256 is supported, but plain is listed too (a PKCE downgrade risk, RFC 9700 §2.1.1).',
      {
        actual: JSON.stringify(methods),
        exchangeIds: ids,
      },
    );
  } else {
    run.check('as.pkce-s256', 'pass', `code_challenge_methods_supported: ${JSON.stringify(methods)}.`, {
      actual: JSON.stringify(methods),
      exchangeIds: ids,
    });
  }

  // response_type=code
  const rts = md.response_types_supported;
  if (fallback) {
    run.check('as.response-type-code', 'skip', 'No metadata to check.', { exchangeIds: ids });
  } else if (!Array.isArray(rts)) {
    run.check(
      'as.response-type-code',
      'warn',
      'response_types_supported is absent (REQUIRED by RFC 8414); the inspector assumes code.',
      {
        expected: '["code", …]',
        actual: '(absent)',
        exchangeIds: ids,
      },
    );
  } else if (!rts.includes('code')) {
    throw run.fail(
      'as.response-type-code',
      {
        code: 'as_metadata_invalid',
        message:
          'The authorization server does not support the authorization code flow (response_types_supported lacks "code").',
        expected: '"code"',
        actual: JSON.stringify(rts),
      },
      {
        checkMessage: `response_types_supported does not include code: ${JSON.stringify(rts)}.`,
        exchangeIds: ids,
      },
    );
  } else {
    run.check('as.response-type-code', 'pass', 'response_types_supported includes code.', {
      exchangeIds: ids,
    });
  }

  // Endpoints and HTTPS (checklist A10)
  for (const field of ['authorization_endpoint', 'token_endpoint'] as const) {
    if (typeof md[field] !== 'string') {
      throw run.fail(
        'as.https-endpoints',
        {
          code: 'as_metadata_invalid',
          message: `The authorization server metadata has no ${field}.`,
          hint: `Publish ${field} (an https URL) in the authorization server metadata.`,
          expected: field,
          actual: '(absent)',
        },
        { checkMessage: `The metadata has no ${field}.`, exchangeIds: ids },
      );
    }
  }
  const urls: Array<[string, string | undefined]> = [
    ['issuer', info.issuer],
    ['authorization_endpoint', md.authorization_endpoint],
    ['token_endpoint', md.token_endpoint],
    ...(md.registration_endpoint
      ? [['registration_endpoint', md.registration_endpoint] as [string, string]]
      : []),
  ];
  const insecure = urls.filter(
    ([, u]) => classifyUrlSecurity(u) === 'insecure' || classifyUrlSecurity(u) === 'invalid',
  );
  const loopback = urls.filter(([, u]) => classifyUrlSecurity(u) === 'http-loopback');
  if (insecure.length) {
    const list = insecure.map(([k, u]) => `${k} ${u}`).join(', ');
    throw run.fail(
      'as.https-endpoints',
      {
        code: 'as_metadata_invalid',
        message: `Authorization server endpoints must use HTTPS: ${list}.`,
        hint: 'The inspector sends credentials over plain http only to loopback addresses (local development).',
        expected: 'https://…',
        actual: list,
      },
      { checkMessage: `Not HTTPS: ${list}. All AS endpoints MUST use HTTPS.`, exchangeIds: ids },
    );
  }
  if (loopback.length) {
    run.check(
      'as.https-endpoints',
      'warn',
      `Plain http on loopback (acceptable for local development only): ${loopback.map(([k]) => k).join(', ')}.`,
      {
        expected: 'https://…',
        actual: loopback.map(([k, u]) => `${k} ${u}`).join(', '),
        exchangeIds: ids,
      },
    );
  } else {
    run.check('as.https-endpoints', 'pass', `All endpoints use HTTPS (${urls.map(([k]) => k).join(', ')}).`, {
      exchangeIds: ids,
    });
  }

  // RFC 9207 iss (checklist C19)
  const iss = md.authorization_response_iss_parameter_supported === true;
  if (iss) {
    run.check(
      'as.iss-parameter',
      'pass',
      'authorization_response_iss_parameter_supported is true: the callback must carry iss, and the inspector checks it.',
      {
        exchangeIds: ids,
      },
    );
  } else if (atLeast(spec, '2026-07-28')) {
    run.check(
      'as.iss-parameter',
      'warn',
      'The AS does not advertise authorization_response_iss_parameter_supported. 2026-07-28 makes the client’s iss check a MUST; without iss, callbacks cannot be told apart from another AS’s (mix-up, RFC 9700 §4.4).',
      {
        expected: 'authorization_response_iss_parameter_supported: true',
        actual: String(md.authorization_response_iss_parameter_supported ?? '(absent)'),
        exchangeIds: ids,
      },
    );
  } else {
    run.check(
      'as.iss-parameter',
      'skip',
      `The AS does not advertise authorization_response_iss_parameter_supported. ${spec} does not require it; 2026-07-28 makes the client’s iss check a MUST, and RFC 9700 asks for a mix-up defence.`,
      { exchangeIds: ids },
    );
  }
  run.fact('routes', {
    registrationEndpoint: md.registration_endpoint ?? null,
    clientIdMetadataDocumentSupported: md.client_id_metadata_document_supported === true,
  });
}

function judgeOriginMetadata(
  run: StepRun,
  issuer: string,
  probes: Probed[],
  mcpOrigin: string,
  strict: boolean,
) {
  if (strict) {
    run.check(
      'as.origin-metadata',
      'skip',
      'Not checked: in strict client discovery the inspector requests only the URLs the spec names for this issuer.',
      { exchangeIds: [] },
    );
    return;
  }
  if (probes.length === 0) {
    run.check(
      'as.origin-metadata',
      'skip',
      `The MCP server’s origin (${mcpOrigin}) is where the authorization server’s metadata was found.`,
      { exchangeIds: [] },
    );
    return;
  }
  const ids = probes.flatMap((p) => p.exchangeIds);
  const found = probes.filter((p) => p.metadata || p.claimedIssuer);
  if (found.length === 0) {
    run.check(
      'as.origin-metadata',
      'pass',
      `The MCP server’s origin serves no authorization server metadata (${probes.map((p) => `${p.candidate.url}: ${p.error ?? p.status}`).join('; ')}), so nothing disagrees.`,
      {
        exchangeIds: ids,
      },
    );
    return;
  }
  const claimed = found.map((p) => ({
    url: p.candidate.url,
    issuer: p.metadata?.issuer ?? p.claimedIssuer ?? '',
  }));
  const disagree = claimed.filter((c) => c.issuer !== issuer);
  if (disagree.length) {
    run.check(
      'as.origin-metadata',
      'warn',
      `The MCP server’s origin serves metadata for another issuer (${disagree.map((d) => `${d.url} → ${d.issuer}`).join('; ')}). 2025-03-26 clients use it and would talk to a different authorization server than the resource metadata names (${issuer}).`,
      { expected: issuer, actual: disagree.map((d) => d.issuer).join(', '), exchangeIds: ids },
    );
  } else {
    run.check(
      'as.origin-metadata',
      'pass',
      `The MCP server’s origin also serves metadata for ${issuer}; old and new clients agree.`,
      { exchangeIds: ids },
    );
  }
}
