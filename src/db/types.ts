/**
 * One set of value conversions for both engines, so a query returns the same
 * JavaScript values on PostgreSQL (node-postgres) and on PGlite:
 * int8 and numeric → number (our counts and confidences fit comfortably),
 * date and time → the server's text (`2026-03-29`, `09:00:00`), timestamptz →
 * Date, json/jsonb → parsed value.
 */
export const OID = {
  INT8: 20,
  NUMERIC: 1700,
  DATE: 1082,
  TIME: 1083,
} as const;

const toNumber = (v: string): number => Number(v);
const asText = (v: string): string => v;

export const valueParsers: Record<number, (value: string) => unknown> = {
  [OID.INT8]: toNumber,
  [OID.NUMERIC]: toNumber,
  [OID.DATE]: asText,
  [OID.TIME]: asText,
};
