/**
 * Contact CSV columns and the header mapping. Pure: no I/O.
 */

/** The columns a contacts file may carry; only `phone_number` is required. */
export const CONTACT_COLUMNS = [
  'phone_number',
  'external_contact_id',
  'email',
  'language',
  'has_prior_consent',
  'do_not_call',
  'timezone',
] as const;
export type ContactColumn = (typeof CONTACT_COLUMNS)[number];

/** The columns an exclusion (do-not-call) file may carry. */
export const EXCLUSION_COLUMNS = ['phone_number', 'reason'] as const;
export type ExclusionColumn = (typeof EXCLUSION_COLUMNS)[number];

export interface HeaderMapping<C extends string> {
  /** Known column → its index in each record. */
  readonly index: Partial<Record<C, number>>;
  /** Header cells we do not know, as written (trimmed), in file order. */
  readonly unknown: readonly string[];
  /** Known columns that appear more than once (the first one is used). */
  readonly repeated: readonly C[];
}

/** Normalizes a header cell: trimmed, lower-case, inner spaces and hyphens as `_`. */
export function normalizeHeaderName(cell: string): string {
  return cell.trim().toLowerCase().replace(/[\s-]+/g, '_');
}

/**
 * Maps header cells to known columns, case-insensitively and trimmed. Empty
 * header cells are ignored; unknown ones are listed (each name once).
 */
export function mapHeader<C extends string>(cells: readonly string[], known: readonly C[]): HeaderMapping<C> {
  const index: Partial<Record<C, number>> = {};
  const unknown: string[] = [];
  const repeated: C[] = [];
  const knownSet = new Set<string>(known);
  cells.forEach((cell, i) => {
    const name = normalizeHeaderName(cell);
    if (name === '') return;
    if (knownSet.has(name)) {
      const c = name as C;
      if (index[c] === undefined) index[c] = i;
      else if (!repeated.includes(c)) repeated.push(c);
    } else if (!unknown.includes(cell.trim())) {
      unknown.push(cell.trim());
    }
  });
  return { index, unknown, repeated };
}
