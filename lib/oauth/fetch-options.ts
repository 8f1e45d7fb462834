import * as oauth from 'oauth4webapi';
import type { FetchLike } from '../http/types';
import { classifyUrlSecurity } from './canonical-uri';

/**
 * oauth4webapi request options: route the request through our (traced) fetch, and allow plain http
 * only for a loopback endpoint (local mode; oauth4webapi refuses http otherwise).
 */
export function oauthRequestOptions<Method, Body>(
  fetch: FetchLike,
  endpoint: string | undefined,
): oauth.HttpRequestOptions<Method, Body> {
  return {
    [oauth.customFetch]: (url, options) => fetch(url, options as unknown as RequestInit),
    ...(classifyUrlSecurity(endpoint) === 'http-loopback' ? { [oauth.allowInsecureRequests]: true } : {}),
  };
}
