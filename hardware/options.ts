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

/** `value` if it is a BCM GPIO number on the 40-pin header (0..27). */
export function headerGpioOption(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 27) {
    throw new RangeError(`${name} must be a BCM GPIO number on the 40-pin header (0..27), got ${value}`);
  }
  return value;
}
