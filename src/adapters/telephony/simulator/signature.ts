/**
 * The X-Twilio-Signature algorithm, implemented from the protocol description
 * (not borrowed from twilio-node, so that a test can prove the two agree):
 * full URL, then every POST parameter sorted by key as key+value (repeated keys:
 * each value, sorted), HMAC-SHA1 keyed with the auth token, base64.
 */
import { createHmac } from 'node:crypto';

export type FormParams = Readonly<Record<string, string | readonly string[]>>;

export function twilioSignature(authToken: string, url: string, params: FormParams = {}): string {
  let data = url;
  for (const key of Object.keys(params).sort()) {
    const value = params[key]!;
    const values = typeof value === 'string' ? [value] : [...value].sort();
    for (const v of values) data += key + v;
  }
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** application/x-www-form-urlencoded, repeating keys for lists. */
export function formEncode(params: FormParams): string {
  const body = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (typeof value === 'string') body.append(key, value);
    else for (const v of value) body.append(key, v);
  }
  return body.toString();
}

/** RFC 2822 date as Twilio writes it: `Tue, 31 Aug 2010 20:36:28 +0000`. */
export function rfc2822(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}
