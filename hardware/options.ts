/** Checks of the numbers drivers take as options: the value, or a RangeError naming the option. */

/** `value` if it is a finite number > 0. */
export function positiveOption(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a finite number > 0, got ${value}`);
  return value;
}

/** `value` if it is a finite number >= 0. */
export function nonNegativeOption(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${name} must be a finite number >= 0, got ${value}`);
  return value;
}

/** `value` if it is a whole number >= 1 (a count: failures in a row, attempts). */
export function countOption(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be an integer >= 1, got ${value}`);
  return value;
}
