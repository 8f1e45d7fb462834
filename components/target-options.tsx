'use client';

import { RouteOptions } from './route-options';

const field =
  'w-full rounded-md border border-line bg-panel px-3 py-2 text-sm text-fg placeholder:text-muted focus:border-accent';

/**
 * The folded options of the target form: uncontrolled fields read from the form when it is submitted,
 * loaded the first time the options are opened.
 */
export function TargetOptions() {
  return (
    <div className="mt-3 grid gap-4 sm:grid-cols-2">
      <label className="flex flex-col gap-1">
        <span className="font-medium">Client registration</span>
        <select name="registration" defaultValue="auto" className={field}>
          <option value="auto">Automatic (spec priority: pre-registered → CIMD → DCR)</option>
          <option value="pre-registered">Pre-registered client</option>
          <option value="cimd">Client ID Metadata Document</option>
          <option value="dcr">Dynamic Client Registration</option>
        </select>
      </label>
      <label className="flex flex-col gap-1">
        <span className="font-medium">Scopes</span>
        <input
          name="scope"
          placeholder="Leave empty: challenge scope, else scopes_supported"
          className={`${field} font-mono`}
        />
      </label>
      <label className="flex flex-col gap-1">
        <span className="font-medium">Client ID (pre-registered)</span>
        <input name="clientId" autoComplete="off" spellCheck={false} className={`${field} font-mono`} />
      </label>
      <label className="flex flex-col gap-1">
        <span className="font-medium">Client secret (confidential clients only)</span>
        <input name="clientSecret" type="password" autoComplete="off" className={`${field} font-mono`} />
        <span className="text-xs text-muted">
          Kept only in the encrypted server-side session; never shown again.
        </span>
      </label>
      <label className="flex flex-col gap-1">
        <span className="font-medium">Token endpoint authentication</span>
        <select name="tokenEndpointAuthMethod" defaultValue="none" className={field}>
          <option value="none">none (public client)</option>
          <option value="client_secret_basic">client_secret_basic</option>
          <option value="client_secret_post">client_secret_post</option>
          <option value="private_key_jwt">private_key_jwt (signed assertion)</option>
        </select>
      </label>
      <label className="flex flex-col gap-1">
        <span className="font-medium">Extra authorization parameters</span>
        <input
          name="extraAuthParams"
          placeholder="audience=https://api.example.com&prompt=consent"
          className={`${field} font-mono`}
        />
      </label>
      <label className="inline-flex items-center gap-2">
        <input type="checkbox" name="omitResource" />
        Leave out the <code className="font-mono">resource</code> parameter (for authorization servers that
        refuse it)
      </label>
      <RouteOptions />
    </div>
  );
}
