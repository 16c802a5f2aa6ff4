import { MAX_MEMBERS } from '../../../lib/calc/quorum';
import type { FieldSpec } from '../client/types';

/** The voting-member count, the same input in every calculator that takes one. */
export const membersField: FieldSpec = {
  name: 'members',
  label: 'Voting members',
  unit: 'members',
  kind: 'integer',
  hint: `Whole number from 1 to ${MAX_MEMBERS}.`,
};
