/**
 * Errors the store raises for bad input. Each names the field and the reason, in the same shape as ingest's
 * FieldError, so the HTTP layer can pass them on unchanged.
 */
import type { FieldError } from '../../protocol/events';

/** Input the store refuses (a caller bug or unvalidated input): nothing was written. */
export class StoreInputError extends Error {
  readonly fields: FieldError[];
  constructor(fields: FieldError[]) {
    super(fields.map((f) => `${f.field}: ${f.reason}`).join('; '));
    this.name = 'StoreInputError';
    this.fields = fields;
  }
}

/** The store was used after close(). */
export class StoreClosedError extends Error {
  constructor() {
    super('the event store is closed');
    this.name = 'StoreClosedError';
  }
}
