/** Error codes every transport carries as data: `{ code, message, details }`. */
export const ERROR_CODES = ['NotFound', 'InvalidParams', 'Conflict', 'Cancelled', 'Unavailable', 'Internal'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorEnvelope {
  code: ErrorCode;
  message: string;
  details?: unknown;
}

/** The one error type the core throws on purpose; anything else becomes `Internal` at the boundary. */
export class PlateauError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'PlateauError';
  }

  toEnvelope(): ErrorEnvelope {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export const invalid = (message: string, details?: unknown) => new PlateauError('InvalidParams', message, details);
export const notFound = (message: string, details?: unknown) => new PlateauError('NotFound', message, details);
export const conflict = (message: string, details?: unknown) => new PlateauError('Conflict', message, details);
export const unavailable = (message: string, details?: unknown) => new PlateauError('Unavailable', message, details);

export function isErrorEnvelope(x: unknown): x is ErrorEnvelope {
  return (
    typeof x === 'object' &&
    x !== null &&
    typeof (x as ErrorEnvelope).code === 'string' &&
    (ERROR_CODES as readonly string[]).includes((x as ErrorEnvelope).code) &&
    typeof (x as ErrorEnvelope).message === 'string'
  );
}
