import { InvalidArgumentError } from 'commander';

/** commander argument parser: a whole number ≥ `min` (commander reports the error, exit 2). */
export function intArg(min = 0, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  return (value: string) => {
    if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`"${value}" is not a whole number.`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`${n} is out of range ${min}..${max}.`);
    return n;
  };
}

/** commander argument parser: a TCP port 1..65535. */
export const portArg = intArg(1, 65535);

/** commander argument parser: a finite number. */
export function numberArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new InvalidArgumentError(`"${value}" is not a number.`);
  return n;
}

/** commander argument parser: `true`/`false` (also yes/no, 1/0). */
export function boolArg(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  throw new InvalidArgumentError(`"${value}" is not true or false.`);
}
