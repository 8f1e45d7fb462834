/**
 * Scanning text for secrets, for the leak corpus (unit and e2e): a secret counts as leaked in any of
 * the forms a page, a header or a report could carry it.
 */

const b64 = (s: string) => Buffer.from(s).toString('base64');
const b64url = (s: string) => Buffer.from(s).toString('base64url');

/** Raw, base64, base64url (whole, and the aligned prefix an echo inside longer data keeps), URL-encoded. */
export function secretForms(secret: string): string[] {
  const aligned = secret.slice(0, Math.floor(secret.length / 3) * 3);
  return [
    ...new Set([
      secret,
      b64(secret),
      b64url(secret),
      b64(aligned),
      b64url(aligned),
      encodeURIComponent(secret),
      encodeURIComponent(secret).replace(/%20/g, '+'),
    ]),
  ];
}

/** Which forms of which secrets appear in `text`, as `secret as form` (empty: none). */
export function findSecrets(text: string, secrets: Iterable<string>): string[] {
  const found: string[] = [];
  for (const secret of secrets) {
    for (const form of secretForms(secret)) if (text.includes(form)) found.push(`${secret} as ${form}`);
  }
  return found;
}
