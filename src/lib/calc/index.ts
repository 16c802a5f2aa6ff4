/**
 * Public API of the calculation library. Components import from here only.
 * An explicit list, grouped by topic, so the browser bundle keeps only what a page uses.
 */

// Errors and advice shared by every calculation
export { CalcInputError, type CalcIssue, type Note } from './errors';

// Quorum and failure tolerance (etcd FAQ)
export {
  quorum,
  majorityOf,
  MAX_MEMBERS,
  MAX_LEARNERS,
  type QuorumInput,
  type QuorumResult,
} from './quorum';

// Losing whole failure zones (derived from the quorum rule)
export { zoneLoss, MAX_ZONES, type ZoneLossInput, type ZoneLossResult } from './zone-loss';

// Availability of a quorum of independent members (Howard 2015, Brooker 2021)
export {
  availability,
  availabilityBySize,
  MINUTES_PER_YEAR,
  MAX_NINES,
  type AvailabilityInput,
  type MemberAvailabilityInput,
  type MtbfInput,
  type AvailabilityResult,
  type AvailabilityBySizeInput,
  type AvailabilityBySizePoint,
} from './availability';
