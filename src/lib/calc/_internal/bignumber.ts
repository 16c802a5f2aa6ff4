import { BigNumberDependencies, type BigNumber, type ConfigOptions, type FactoryFunction } from 'mathjs';

type BigNumberClass = new (value: string | number) => BigNumber;

/**
 * mathjs's BigNumber type (decimal.js, configured by mathjs), built from its own factory with only the `config` it
 * depends on. Going through `create()` instead, even with just `bignumberDependencies`, drags in typed-function and
 * its conversions to Complex, Fraction and DenseMatrix: about 40 KB gzip on every calculator page, which alone
 * would spend the library's whole size budget. Arithmetic uses decimal.js instance methods (`times`, `plus`,
 * `div`), which need no mathjs function at all and skip typed dispatch (several times faster for a 101-member sum).
 *
 * 40 significant digits: C(101, 50) ≈ 1e29 and the products inside `binomialRow` stay below 1e32, so binomial
 * coefficients are exact. A double's shortest decimal has at most 17 significant digits, so u = 1 − p is exact
 * for every p ≥ 1e-22 (below that only u ≈ 1 is rounded, harmlessly). The sums add positive terms only (no
 * cancellation), so the few hundred roundings of a 101-member sum leave a relative error near 1e-37, far below
 * double precision. More digits only cost time: decimal.js multiplication grows with the square of the digit count.
 */
let decimal40: BigNumberClass | undefined;

/** Built on first use, so pages that never touch BigNumbers can drop decimal.js from their bundle. */
function bigNumberClass(): BigNumberClass {
  // mathjs types each dependency map as a Record entry (possibly undefined under strict index access) whose values
  // are factories or nested maps; BigNumberDependencies always holds the BigNumber class factory.
  const createBigNumberClass = BigNumberDependencies?.['createBigNumberClass'] as FactoryFunction<BigNumberClass>;
  const config: Pick<ConfigOptions, 'precision'> = { precision: 40 };
  decimal40 ??= createBigNumberClass({ config });
  return decimal40;
}

/** A mathjs BigNumber (a decimal.js instance) at 40 significant digits. */
export type Big = BigNumber;

/**
 * An exact decimal from a finite JS number, via its shortest round-trip decimal string: 0.9999 becomes exactly
 * 0.9999, so 1 − p is exactly 0.0001 rather than the binary rounding error of 1 − 0.9999 in doubles.
 */
export function big(value: number): Big {
  const Decimal40 = bigNumberClass();
  return new Decimal40(String(value));
}

/** An exact decimal from decimal text the caller has already checked (digits, point, exponent). */
export function bigFromText(text: string): Big {
  const Decimal40 = bigNumberClass();
  return new Decimal40(text);
}

/**
 * Row n of Pascal's triangle, C(n, 0..n), as exact BigNumbers, by C(n, k) = C(n, k−1) · (n − k + 1) / k.
 * Every intermediate value is a whole number below 10³², so 40 digits hold it exactly.
 */
export function binomialRow(n: number): Big[] {
  const row: Big[] = [big(1)];
  let current = big(1);
  for (let k = 1; k <= n; k++) {
    current = current.times(n - k + 1).div(k);
    row.push(current);
  }
  return row;
}

/** base⁰ … baseⁿ as BigNumbers, by repeated multiplication. */
export function powers(base: Big, n: number): Big[] {
  const table: Big[] = [big(1)];
  for (let k = 1; k <= n; k++) table.push((table[k - 1] as Big).times(base));
  return table;
}
