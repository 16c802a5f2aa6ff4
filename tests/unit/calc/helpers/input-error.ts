import { CalcInputError } from '../../../../src/lib/calc';

/** Runs `run` and returns the CalcInputError it throws; fails the test if it returns or throws anything else. */
export function inputError(run: () => unknown): CalcInputError {
  try {
    run();
  } catch (error) {
    if (error instanceof CalcInputError) return error;
    throw error;
  }
  throw new Error('expected CalcInputError');
}
