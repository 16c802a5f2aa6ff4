/** Default age, in days, after which a runbook's review is overdue. */
export const DEFAULT_REVIEW_MAX_AGE_DAYS = 180;

const MS_PER_DAY = 24 * 60 * 60 * 1000;

/**
 * Reads the review age from `HANDBOOK_REVIEW_MAX_AGE_DAYS`, falling back to the default for an unset,
 * empty or non-positive value so that a typo in CI cannot silence the notice.
 */
export function reviewMaxAgeDays(raw: string | undefined): number {
  if (raw === undefined || raw.trim() === '') return DEFAULT_REVIEW_MAX_AGE_DAYS;
  const days = Number(raw);
  if (!Number.isInteger(days) || days <= 0) {
    throw new Error(`HANDBOOK_REVIEW_MAX_AGE_DAYS must be a whole number of days above 0, got "${raw}"`);
  }
  return days;
}

/** Whole days between the last review and `now` (negative for a review date in the future). */
export function daysSinceReview(lastReviewed: Date, now: Date): number {
  return Math.floor((now.getTime() - lastReviewed.getTime()) / MS_PER_DAY);
}

/** A review is overdue once strictly more than `maxAgeDays` whole days have passed. */
export function isReviewOverdue(lastReviewed: Date, now: Date, maxAgeDays: number): boolean {
  return daysSinceReview(lastReviewed, now) > maxAgeDays;
}

export interface ReviewedPage {
  id: string;
  title: string;
  lastReviewed: Date;
}

/** The pages whose review is overdue, oldest first. */
export function overduePages<T extends ReviewedPage>(pages: readonly T[], now: Date, maxAgeDays: number): T[] {
  return pages
    .filter((page) => isReviewOverdue(page.lastReviewed, now, maxAgeDays))
    .sort((a, b) => a.lastReviewed.getTime() - b.lastReviewed.getTime());
}
