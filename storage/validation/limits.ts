/** Row limits as every adapter reads them. */

/** A row count for a `limit` argument: below 1 (or NaN) means no rows; fractions round down. */
export const rowLimit = (limit: number): number => (limit >= 1 ? Math.floor(limit) : 0);
