import { describe, expect, it } from 'vitest';
import {
  DEFAULT_REVIEW_MAX_AGE_DAYS,
  daysSinceReview,
  isReviewOverdue,
  overduePages,
  reviewMaxAgeDays,
} from '../../../src/lib/content/review';

const now = new Date('2026-11-21T12:00:00Z');

describe('review freshness', () => {
  it('defaults to 180 days when the variable is unset or blank', () => {
    expect(DEFAULT_REVIEW_MAX_AGE_DAYS).toBe(180);
    expect(reviewMaxAgeDays(undefined)).toBe(180);
    expect(reviewMaxAgeDays('  ')).toBe(180);
    expect(reviewMaxAgeDays('90')).toBe(90);
  });

  it('rejects an age that is not a positive whole number, naming the variable', () => {
    expect(() => reviewMaxAgeDays('0')).toThrow(/HANDBOOK_REVIEW_MAX_AGE_DAYS/);
    expect(() => reviewMaxAgeDays('ninety')).toThrow(/HANDBOOK_REVIEW_MAX_AGE_DAYS/);
    expect(() => reviewMaxAgeDays('1.5')).toThrow(/whole number/);
  });

  it('counts whole days and is overdue only past the limit', () => {
    // 2026-05-25 is 180 days before 2026-11-21; 2026-05-24 is 181.
    expect(daysSinceReview(new Date('2026-05-25T00:00:00Z'), now)).toBe(180);
    expect(isReviewOverdue(new Date('2026-05-25T00:00:00Z'), now, 180)).toBe(false);
    expect(isReviewOverdue(new Date('2026-05-24T00:00:00Z'), now, 180)).toBe(true);
  });

  it('lists overdue pages oldest first and leaves fresh ones out', () => {
    const pages = [
      { id: 'a', title: 'A', lastReviewed: new Date('2025-01-01') },
      { id: 'b', title: 'B', lastReviewed: new Date('2026-11-01') },
      { id: 'c', title: 'C', lastReviewed: new Date('2024-06-01') },
    ];
    expect(overduePages(pages, now, 180).map((page) => page.id)).toEqual(['c', 'a']);
  });
});
