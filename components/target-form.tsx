'use client';

import { type FormEvent, lazy, Suspense, useEffect, useId, useState } from 'react';
import type { DemoInfo } from '@/lib/contract';
import { SPEC_VERSIONS, type SpecVersion } from '@/lib/flow/types';
import { useInspector } from './inspector-provider';
import { useStartActions } from './use-start-actions';

const TargetOptions = lazy(() => import('./target-options').then((m) => ({ default: m.TargetOptions })));

type Registration = 'auto' | 'pre-registered' | 'cimd' | 'dcr';
type AuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post' | 'private_key_jwt';
type Grant = 'authorization_code' | 'client_credentials' | 'jwt_bearer' | 'id_jag';

const field =
  'w-full rounded-md border border-line bg-panel px-3 py-2 text-sm text-fg placeholder:text-muted focus:border-accent';

export function TargetForm({ demo }: { demo: DemoInfo | null }) {
  const view = useInspector((s) => s.view);
  const mode = useInspector((s) => s.mode);
  const busy = useInspector((s) => s.busy);
  const actionError = useInspector((s) => s.actionError);
  const actions = useStartActions();
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
  // The options load the first time they are opened and stay mounted (their fields keep their values).
  const [optionsOpened, setOptionsOpened] = useState(false);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const text = (name: string) => {
      const value = data.get(name);
      return typeof value === 'string' && value !== '' ? value : undefined;
    };
    const clientId = text('clientId');
    void actions.start({
      serverUrl,
      mode,
      specVersion,
      registration: (text('registration') as Registration | undefined) ?? 'auto',
      scope: text('scope'),
      omitResource: data.get('omitResource') === 'on',
      extraAuthParams: text('extraAuthParams'),
      clientId,
      clientSecret: text('clientSecret'),
      clientPrivateKey: text('clientPrivateKey'),
      grant: text('grant') as Grant | undefined,
      idpIssuer: text('idpIssuer'),
      idpClientId: text('idpClientId'),
      dpop: data.get('dpop') === 'on',
      tokenEndpointAuthMethod: clientId
        ? ((text('tokenEndpointAuthMethod') as AuthMethod | undefined) ?? 'none')
        : undefined,
    });
  }

  return (
    <form
      onSubmit={onSubmit}
      noValidate
      aria-label="Target server"
      className="flex flex-col gap-2 rounded-lg border border-line bg-panel px-4 py-3 shadow-sm"
    >
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <label htmlFor={`${ids}-url`} className="shrink-0 text-sm font-medium">
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
          className={`${field} min-w-0 flex-1 font-mono`}
        />
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
        <details
          className="open:basis-full"
          onToggle={(e) => {
            if (e.currentTarget.open) setOptionsOpened(true);
          }}
        >
          <summary className="cursor-pointer select-none text-muted">
            Options: registration, scopes, real-world switches
          </summary>
          {optionsOpened ? (
            <Suspense fallback={<p className="mt-2 text-muted">Loading…</p>}>
              <TargetOptions />
            </Suspense>
          ) : null}
        </details>
        <p aria-live="polite" className="ml-auto text-muted">
          {busy ?? ''}
        </p>
      </div>

      {actionError ? (
        <p role="alert" className="rounded-md border border-fail/40 bg-fail/5 px-3 py-2 text-sm text-fail">
          {actionError}
        </p>
      ) : null}
    </form>
  );
}
