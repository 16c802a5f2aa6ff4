/**
 * The claim check: a page's claimed (scenario, etcd minor) counts only when a passed test of the runbooks stage
 * recorded running it; names, skipped tests and failed tests do not count (test-review L1).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { claimCoverage, RAN_META_KEY, readClaims, recordRun, uncoveredClaims, type VitestJsonReport } from '../../runbooks/lib/claims';
import { LAB_VERSIONS, ranCaption, versionsForBlock } from '../../../src/lib/content/verification';

const LAB = { etcd: { '3.5': '3.5.35', '3.6': '3.6.16', '3.7': '3.7.3' }, kubernetes: { '1.37': '1.37.2' } };
const CLAIM = [{ file: 'runbooks/demo.mdx', scenarios: ['backup-restore'], etcdMinors: ['3.6', '3.7'] }];

function report(...results: Array<{ fullName: string; status: string; ran?: Array<{ scenario: string; etcd?: string; kubernetes?: string }> }>): VitestJsonReport {
  return {
    testResults: [
      { name: 'backup-restore.test.ts', assertionResults: results.map((result) => ({ fullName: result.fullName, status: result.status, meta: result.ran ? { [RAN_META_KEY]: result.ran } : {} })) },
    ],
  };
}

describe('uncoveredClaims', () => {
  it('accepts a claim when a passed test recorded each (scenario, patch)', () => {
    const covered = report(
      { fullName: 'on 3.6', status: 'passed', ran: [{ scenario: 'backup-restore', etcd: '3.6.16' }] },
      { fullName: 'on 3.7', status: 'passed', ran: [{ scenario: 'backup-restore', etcd: '3.7.3' }] },
    );
    expect(uncoveredClaims(CLAIM, covered, LAB)).toEqual([]);
    expect(claimCoverage(CLAIM, covered, LAB).map((each) => [each.patch, each.passedTests])).toEqual([
      ['3.6.16', ['on 3.6']],
      ['3.7.3', ['on 3.7']],
    ]);
  });

  it('does not count failed or skipped tests, nor a test name that only mentions the version', () => {
    const notProven = report(
      { fullName: 'on 3.6', status: 'failed', ran: [{ scenario: 'backup-restore', etcd: '3.6.16' }] },
      { fullName: 'backup-restore on etcd 3.7.3', status: 'passed' },
      { fullName: 'on 3.7', status: 'skipped', ran: [{ scenario: 'backup-restore', etcd: '3.7.3' }] },
    );
    expect(uncoveredClaims(CLAIM, notProven, LAB)).toEqual([
      expect.stringMatching(/demo\.mdx: claims scenario "backup-restore" on etcd 3\.6 \(3\.6\.16\), but no passed test/),
      expect.stringMatching(/on etcd 3\.7 \(3\.7\.3\), but no passed test/),
    ]);
  });

  it('does not count a run of another scenario or another patch', () => {
    const other = report(
      { fullName: 'a', status: 'passed', ran: [{ scenario: 'quorum-loss', etcd: '3.6.16' }] },
      { fullName: 'b', status: 'passed', ran: [{ scenario: 'backup-restore', etcd: '3.6.15' }, { scenario: 'backup-restore', etcd: '3.7.3' }] },
    );
    expect(uncoveredClaims(CLAIM, other, LAB)).toEqual([expect.stringMatching(/etcd 3\.6 \(3\.6\.16\)/)]);
  });

  it('refuses a claimed minor that lab/versions.json does not list, and a claim of no minor', () => {
    const claims = [
      { file: 'runbooks/old.mdx', scenarios: ['nospace'], etcdMinors: ['3.4'] },
      { file: 'runbooks/empty.mdx', scenarios: ['nospace'], etcdMinors: [] },
    ];
    expect(uncoveredClaims(claims, report(), LAB)).toEqual([
      'runbooks/empty.mdx: verified: claims no etcd or Kubernetes minor',
      'runbooks/old.mdx: claims etcd 3.4, which lab/versions.json does not list, so no test runs it (it lists 3.5, 3.6, 3.7)',
    ]);
  });

  it('a kubeadm-lab page needs a passed test that recorded both its Kubernetes and its etcd release', () => {
    const kubeClaim = [{ file: 'runbooks/rebuild.mdx', scenarios: ['rebuild'], etcdMinors: ['3.7'], kubernetesMinors: ['1.37'] }];
    const both = report({ fullName: 'rebuild', status: 'passed', ran: [{ scenario: 'rebuild', kubernetes: '1.37.2', etcd: '3.7.3' }] });
    expect(uncoveredClaims(kubeClaim, both, LAB)).toEqual([]);
    expect(claimCoverage(kubeClaim, both, LAB).map((each) => `${each.product} ${each.patch}`)).toEqual(['kubernetes 1.37.2', 'etcd 3.7.3']);
    const etcdOnly = report({ fullName: 'rebuild', status: 'passed', ran: [{ scenario: 'rebuild', etcd: '3.7.3' }] });
    expect(uncoveredClaims(kubeClaim, etcdOnly, LAB)).toEqual([expect.stringMatching(/rebuild\.mdx: claims scenario "rebuild" on kubernetes 1\.37 \(1\.37\.2\), but no passed test/)]);
    const otherPatch = report({ fullName: 'rebuild', status: 'passed', ran: [{ scenario: 'rebuild', kubernetes: '1.37.1', etcd: '3.7.3' }] });
    expect(uncoveredClaims(kubeClaim, otherPatch, LAB)).toHaveLength(1);
  });

  it('recordRun appends to what a test already recorded', () => {
    const task = { meta: {} };
    recordRun(task, { scenario: 'a', etcd: '3.5.35' });
    recordRun(task, { scenario: 'b', etcd: '3.6.16' });
    expect(task.meta).toEqual({ [RAN_META_KEY]: [{ scenario: 'a', etcd: '3.5.35' }, { scenario: 'b', etcd: '3.6.16' }] });
  });

  it('reads every verified runbook claim from the pages', () => {
    const claims = readClaims(path.join(import.meta.dirname, '../../../src/content/runbooks'));
    expect(claims.length).toBeGreaterThanOrEqual(4);
    for (const claim of claims) {
      expect(claim.scenarios.length, claim.file).toBeGreaterThan(0);
      expect(claim.etcdMinors.length + (claim.kubernetesMinors?.length ?? 0), claim.file).toBeGreaterThan(0);
    }
  });
});

describe('versions shown on the page', () => {
  it('narrow the page claim by the block etcd= list, patch releases from lab/versions.json', () => {
    expect(ranCaption(versionsForBlock(['3.5', '3.6', '3.7'], undefined, LAB))).toBe('Ran in CI · etcd 3.5.35 · 3.6.16 · 3.7.3');
    expect(ranCaption(versionsForBlock(['3.5', '3.6', '3.7'], '3.6,3.7', LAB))).toBe('Ran in CI · etcd 3.6.16 · 3.7.3');
    expect(ranCaption(versionsForBlock('3.5, 3.6', '3.7', LAB))).toBe('Ran in CI');
  });

  it('name Kubernetes before etcd on a kubeadm-lab page, and show an unbuilt minor bare', () => {
    expect(ranCaption(versionsForBlock({ kubernetes: ['1.37'], etcd: ['3.7'] }, undefined, LAB))).toBe('Ran in CI · Kubernetes 1.37.2 · etcd 3.7.3');
    expect(ranCaption(versionsForBlock({ kubernetes: ['1.36', '1.37'] }, undefined, LAB))).toBe('Ran in CI · Kubernetes 1.36 · 1.37.2');
    expect(ranCaption(versionsForBlock({ kubernetes: ['1.37'], etcd: ['3.7'] }, '3.6', LAB))).toBe('Ran in CI · Kubernetes 1.37.2');
  });

  it('take the patch releases from lab/versions.json itself', () => {
    const minors = Object.keys(LAB_VERSIONS.etcd);
    expect(minors.length).toBeGreaterThan(0);
    for (const version of versionsForBlock(minors)) expect(version.patch).toMatch(new RegExp(`^${version.minor.replace('.', '\\.')}\\.\\d+$`));
  });
});
