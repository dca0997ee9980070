/**
 * Opaque keyset cursors: the sort key of the last row of a page, as base64url
 * JSON. A cursor that does not decode is a client error (400-class), not a 500.
 */
import { DomainError } from '../../domain/errors.js';

export const encodeCursor = (key: readonly string[]): string => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Decodes a cursor of `parts` strings whose last part is a row id (uuid). */
export function decodeCursor(cursor: string, parts: number): string[] {
  const bad = () => new DomainError('request.invalid_cursor', 'The cursor is not one this API returned; start again from the first page.', 'invalid');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(value) || value.length !== parts || !value.every((v) => typeof v === 'string' && v.length <= 1000)) throw bad();
  if (!UUID.test(value[parts - 1] as string)) throw bad();
  return value as string[];
}
