/**
 * Domain errors: a stable machine-readable `code` (e.g. `campaign.invalid_transition`),
 * a human message, a `kind` that the HTTP edge maps to a status, and optional
 * details. The domain never throws HTTP errors; `src/http` translates these.
 */

/** What went wrong, independent of transport. The HTTP edge maps each to a status. */
export type ErrorKind =
  | 'invalid' //          422/400: input is well-formed but breaks a rule
  | 'not_found' //        404
  | 'conflict' //         409: the current state forbids it (invalid transition, duplicate)
  | 'forbidden' //        403
  | 'unauthenticated' //  401
  | 'too_large' //        413
  | 'unavailable'; //     503: a dependency is down; retry later

/** One failing field, as reported to clients: `{ field, code, message }`. */
export interface FieldProblem {
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: ErrorKind,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

/** Every problem at once (e.g. campaign activation), each naming its field. */
export class ValidationError extends DomainError {
  constructor(
    code: string,
    message: string,
    readonly problems: readonly FieldProblem[],
  ) {
    super(code, message, 'invalid', { problems });
    this.name = 'ValidationError';
  }
}

export const notFound = (what: string, code = `${what}.not_found`): DomainError =>
  new DomainError(code, `${what.replace(/_/g, ' ')} not found`, 'not_found');

export const isDomainError = (err: unknown): err is DomainError => err instanceof DomainError;
