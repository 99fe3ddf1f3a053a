/** A change in the meaning of a bus message bumps this; an executor rejects versions it was not built for. */
export const INTENT_VERSION = 1;

export const CANCEL_REASONS = ["reorg", "operator"] as const;
