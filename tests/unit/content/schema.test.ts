import { describe, expect, it } from 'vitest';
import { RunbookFieldsSchema } from '../../../src/schemas/runbook';
import { AlertFieldsSchema } from '../../../src/schemas/alert';
import { describeIssues } from '../../../src/lib/content/describe-issues';

const validRunbook = {
  severity: 'critical',
  components: ['etcd'],
  alerts: ['etcdNoLeader'],
  appliesTo: { kubernetes: '1.29 – 1.35', etcd: '3.4.x' },
  lastReviewed: '2026-11-21',
  owners: ['platform-team'],
  estimatedMinutes: 30,
  calculators: ['quorum'],
};

function fieldsNamedBy(data: unknown): string {
  const result = RunbookFieldsSchema.safeParse(data);
  if (result.success) throw new Error('expected the runbook frontmatter to be rejected');
  return describeIssues(result.error.issues);
}

describe('runbook frontmatter', () => {
  it('accepts a complete runbook and turns lastReviewed into a date', () => {
    const parsed = RunbookFieldsSchema.parse(validRunbook);
    expect(parsed.lastReviewed.toISOString()).toBe('2026-11-21T00:00:00.000Z');
  });

  it('accepts other software versions and refuses an empty one', () => {
    const withOther = { ...validRunbook, appliesTo: { ...validRunbook.appliesTo, other: 'HAProxy 2.6' } };
    expect(RunbookFieldsSchema.parse(withOther).appliesTo.other).toBe('HAProxy 2.6');
    expect(fieldsNamedBy({ ...validRunbook, appliesTo: { ...validRunbook.appliesTo, other: ' ' } })).toMatch(/- appliesTo\.other: must name at least one version/);
  });

  it('names lastReviewed when it is not a date', () => {
    expect(fieldsNamedBy({ ...validRunbook, lastReviewed: 'not-a-date' })).toMatch(/^ {2}- lastReviewed: /m);
  });

  it('names each missing or wrong field', () => {
    const message = fieldsNamedBy({ ...validRunbook, severity: 'urgent', owners: [], estimatedMinutes: 2.5 });
    expect(message).toMatch(/- severity: /);
    expect(message).toMatch(/- owners: name at least one owner/);
    expect(message).toMatch(/- estimatedMinutes: must be a whole number of minutes/);
  });

  it('rejects an unknown component and an unknown calculator id', () => {
    expect(fieldsNamedBy({ ...validRunbook, components: ['kube-apiserve'] })).toMatch(/- components\.0: /);
    expect(fieldsNamedBy({ ...validRunbook, calculators: ['quorums'] })).toMatch(/- calculators\.0: /);
  });
});

describe('alert frontmatter', () => {
  it('requires the alert name, severity, summary and rule source', () => {
    const result = AlertFieldsSchema.safeParse({ alert: 'etcd NoLeader' });
    expect(result.success).toBe(false);
    const message = result.success ? '' : describeIssues(result.error.issues);
    for (const field of ['alert', 'alertSeverity', 'summary', 'ruleSource']) expect(message).toContain(`- ${field}: `);
  });
});
