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

/** One event whose incident moved on since the caller validated it (see `EventToAppend.expectedLastSeq`). */
export interface StoreConflict {
  /** position in the append() call */
  index: number;
  incidentId: string;
  expectedLastSeq: number;
  /** the seq of the incident's latest event in the log (0: the incident does not exist) */
  actualLastSeq: number;
}

/**
 * An append() call refused because an incident changed meanwhile (another node wrote it): nothing of the call was
 * written. Re-read the incident, validate again, and retry.
 */
export class StoreConflictError extends Error {
  readonly fields: FieldError[];
  constructor(readonly conflicts: StoreConflict[]) {
    const fields = conflicts.map((c) => ({
      field: `events[${c.index}].expectedLastSeq`,
      reason:
        c.actualLastSeq === 0
          ? `incident "${c.incidentId}" does not exist, but the event was validated against its event seq ${c.expectedLastSeq}`
          : c.expectedLastSeq === 0
            ? `incident "${c.incidentId}" was created meanwhile (its latest event is seq ${c.actualLastSeq})`
            : `incident "${c.incidentId}" changed meanwhile: its latest event is seq ${c.actualLastSeq}, validated against ${c.expectedLastSeq}`,
    }));
    super(`conflict: ${fields.map((f) => `${f.field}: ${f.reason}`).join('; ')}`);
    this.name = 'StoreConflictError';
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
