'use client';

import { type FormEvent, useEffect, useId, useState } from 'react';
import { SPEC_VERSIONS, type SpecVersion } from '@/lib/flow/types';
import type { DemoInfo } from '@/lib/server/config';
import { useInspector } from './inspector-provider';
import { useInspectorActions } from './use-inspector-actions';

type Registration = 'auto' | 'pre-registered' | 'cimd' | 'dcr';

const field =
  'w-full rounded-md border border-line bg-panel px-3 py-2 text-sm text-fg placeholder:text-muted focus:border-accent';

export function TargetForm({ demo }: { demo: DemoInfo | null }) {
  const view = useInspector((s) => s.view);
  const mode = useInspector((s) => s.mode);
  const busy = useInspector((s) => s.busy);
  const actionError = useInspector((s) => s.actionError);
  const actions = useInspectorActions();
  const ids = useId();

  const [serverUrl, setServerUrl] = useState(view?.options.serverUrl ?? '');
  // A walkthrough started elsewhere (the demo picker) shows its URL here too.
  const viewUrl = view?.options.serverUrl;
  useEffect(() => {
    if (viewUrl) setServerUrl(viewUrl);
  }, [viewUrl]);
  const [specVersion, setSpecVersion] = useState<SpecVersion>(view?.options.specVersion ?? SPEC_VERSIONS[0]!);
  // …and the revision it is judged against (a 2025-03-26 demo scenario starts judged against 2025-03-26).
  const viewSpec = view?.options.specVersion;
  useEffect(() => {
    if (viewSpec) setSpecVersion(viewSpec);
  }, [viewSpec]);
  const [registration, setRegistration] = useState<Registration>('auto');
  const [scope, setScope] = useState('');
  const [omitResource, setOmitResource] = useState(false);
  const [extraAuthParams, setExtraAuthParams] = useState('');
  const [clientId, setClientId] = useState('');
  const [clientSecret, setClientSecret] = useState('');
  const [authMethod, setAuthMethod] = useState<'none' | 'client_secret_basic' | 'client_secret_post'>('none');

  function onSubmit(event: FormEvent) {
    event.preventDefault();
    void actions.start({
      serverUrl,
      mode,
      specVersion,
      registration,
      scope: scope || undefined,
      omitResource,
      extraAuthParams: extraAuthParams || undefined,
      clientId: clientId || undefined,
      clientSecret: clientSecret || undefined,
      tokenEndpointAuthMethod: clientId ? authMethod : undefined,
    });
  }

  return (
    <form
      onSubmit={onSubmit}
      noValidate
      aria-label="Target server"
      className="flex flex-col gap-3 rounded-lg border border-line bg-panel p-4 shadow-sm"
    >
      <div className="flex flex-col gap-2 sm:flex-row sm:items-end">
        <div className="flex-1">
          <label htmlFor={`${ids}-url`} className="mb-1 block text-sm font-medium">
            MCP server URL
          </label>
          <input
            id={`${ids}-url`}
            name="serverUrl"
            type="url"
            inputMode="url"
            autoComplete="url"
            spellCheck={false}
            required
            placeholder={demo?.mcpUrl ?? 'https://mcp.example.com/mcp'}
            value={serverUrl}
            onChange={(e) => setServerUrl(e.target.value)}
            className={`${field} font-mono`}
          />
        </div>
        <button
          type="submit"
          disabled={busy !== null}
          className="rounded-md bg-accent px-5 py-2 text-sm font-semibold text-accent-fg disabled:opacity-60"
        >
          Start
        </button>
      </div>

      <div className="flex flex-wrap items-center gap-x-6 gap-y-2 text-sm">
        <fieldset className="flex items-center gap-3">
          <legend className="sr-only">Mode</legend>
          <span className="text-muted">Mode</span>
          {(['guided', 'run-all'] as const).map((m) => (
            <label key={m} className="inline-flex items-center gap-1.5">
              <input
                type="radio"
                name="mode"
                value={m}
                checked={mode === m}
                onChange={() => void actions.setMode(m)}
              />
              {m === 'guided' ? 'Guided (pause after each step)' : 'Run all (until consent)'}
            </label>
          ))}
        </fieldset>
        <label className="inline-flex items-center gap-2">
          <span className="text-muted">Judge against spec</span>
          <select
            value={specVersion}
            onChange={(e) => setSpecVersion(e.target.value as SpecVersion)}
            className="rounded-md border border-line bg-panel px-2 py-1"
          >
            {SPEC_VERSIONS.map((v) => (
              <option key={v} value={v}>
                {v}
                {v === SPEC_VERSIONS[0] ? ' (latest)' : ''}
              </option>
            ))}
          </select>
        </label>
      </div>

      <details className="text-sm">
        <summary className="cursor-pointer select-none text-muted">
          Options: registration, scopes, real-world switches
        </summary>
        <div className="mt-3 grid gap-4 sm:grid-cols-2">
          <label className="flex flex-col gap-1">
            <span className="font-medium">Client registration</span>
            <select
              value={registration}
              onChange={(e) => setRegistration(e.target.value as Registration)}
              className={field}
            >
              <option value="auto">Automatic (spec priority: pre-registered → CIMD → DCR)</option>
              <option value="pre-registered">Pre-registered client</option>
              <option value="cimd">Client ID Metadata Document</option>
              <option value="dcr">Dynamic Client Registration</option>
            </select>
          </label>
          <label className="flex flex-col gap-1">
            <span className="font-medium">Scopes</span>
            <input
              value={scope}
              onChange={(e) => setScope(e.target.value)}
              placeholder="Leave empty: challenge scope, else scopes_supported"
              className={`${field} font-mono`}
            />
          </label>
          <label className="flex flex-col gap-1">
            <span className="font-medium">Client ID (pre-registered)</span>
            <input
              value={clientId}
              onChange={(e) => setClientId(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              className={`${field} font-mono`}
            />
          </label>
          <label className="flex flex-col gap-1">
            <span className="font-medium">Client secret (confidential clients only)</span>
            <input
              type="password"
              value={clientSecret}
              onChange={(e) => setClientSecret(e.target.value)}
              autoComplete="off"
              className={`${field} font-mono`}
            />
            <span className="text-xs text-muted">
              Kept only in the encrypted server-side session; never shown again.
            </span>
          </label>
          <label className="flex flex-col gap-1">
            <span className="font-medium">Token endpoint authentication</span>
            <select
              value={authMethod}
              onChange={(e) => setAuthMethod(e.target.value as typeof authMethod)}
              className={field}
            >
              <option value="none">none (public client)</option>
              <option value="client_secret_basic">client_secret_basic</option>
              <option value="client_secret_post">client_secret_post</option>
            </select>
          </label>
          <label className="flex flex-col gap-1">
            <span className="font-medium">Extra authorization parameters</span>
            <input
              value={extraAuthParams}
              onChange={(e) => setExtraAuthParams(e.target.value)}
              placeholder="audience=https://api.example.com&prompt=consent"
              className={`${field} font-mono`}
            />
          </label>
          <label className="inline-flex items-center gap-2">
            <input
              type="checkbox"
              checked={omitResource}
              onChange={(e) => setOmitResource(e.target.checked)}
            />
            Leave out the <code className="font-mono">resource</code> parameter (for authorization servers
            that refuse it)
          </label>
        </div>
      </details>

      {actionError ? (
        <p role="alert" className="rounded-md border border-fail/40 bg-fail/5 px-3 py-2 text-sm text-fail">
          {actionError}
        </p>
      ) : null}
      <p aria-live="polite" className="min-h-5 text-sm text-muted">
        {busy ?? ''}
      </p>
    </form>
  );
}
