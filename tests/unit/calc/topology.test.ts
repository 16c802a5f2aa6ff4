import { describe, expect, it } from 'vitest';
import { topology, type TopologyInput } from '../../../src/lib/calc';
import { inputError } from './helpers/input-error';

/** A sound three-master layout; each test changes one thing. */
const SOUND: TopologyInput = { controlPlaneNodes: 3, workers: 5, etcd: { topology: 'stacked' }, loadBalancer: 'load-balancer' };

const codes = (input: TopologyInput) => topology(input).findings.map((finding) => finding.code);

describe('topology: the six layouts of the sizing guide (seed 000)', () => {
  // The guide's cookbook reaches the API servers through an HAProxy on each worker: a health-checked load balancer.
  it('1: one master that is also the worker is development-only', () => {
    const result = topology({ controlPlaneNodes: 1, workers: 1, colocated: true, etcd: { topology: 'stacked' }, loadBalancer: 'none' });
    expect(result.verdict).toBe('development-only');
    expect(result.singlePointsOfFailure).toEqual([
      'the only control-plane node (API server, scheduler, controller manager)',
      'the only etcd member',
      'the only worker node',
    ]);
    expect(result.findings.map((finding) => finding.code)).toEqual(
      expect.arrayContaining(['single-control-plane-node', 'single-member', 'colocated-workloads', 'single-worker']),
    );
  });

  it('2: one master and one separate worker is development-only', () => {
    const result = topology({ controlPlaneNodes: 1, workers: 1, etcd: { topology: 'stacked' }, loadBalancer: 'none' });
    expect(result.verdict).toBe('development-only');
    expect(result.findings.map((finding) => finding.code)).not.toContain('colocated-workloads');
  });

  it('3: three masters and one worker that takes months to replace is not recommended', () => {
    const result = topology({ ...SOUND, workers: 1, workerReplacement: 'months' });
    expect(result.verdict).toBe('not-recommended');
    expect(result.singlePointsOfFailure).toEqual(['the only worker node']);
    expect(result.findings.find((finding) => finding.code === 'single-worker')).toMatchObject({ severity: 'critical' });
  });

  it('4: three masters and one worker replaced in minutes is acceptable', () => {
    const result = topology({ ...SOUND, workers: 1, workerReplacement: 'minutes' });
    expect(result.verdict).toBe('acceptable');
    expect(result.findings.find((finding) => finding.code === 'single-worker')).toMatchObject({ severity: 'warning' });
  });

  it('5: one master with three workers is development-only', () => {
    const result = topology({ controlPlaneNodes: 1, workers: 3, etcd: { topology: 'stacked' }, loadBalancer: 'none' });
    expect(result.verdict).toBe('development-only');
    expect(result.singlePointsOfFailure).not.toContain('the only worker node');
  });

  it('6: three masters and five workers is production', () => {
    const result = topology(SOUND);
    expect(result.verdict).toBe('production');
    expect(result.singlePointsOfFailure).toEqual([]);
    expect(result.findings.map((finding) => finding.code)).toEqual(['load-balancer-redundancy', 'stacked-coupling']);
  });
});

describe('topology: flags', () => {
  it('assumes days when the worker replacement time is not given', () => {
    const result = topology({ ...SOUND, workers: 1 });
    expect(result.verdict).toBe('not-recommended');
    expect(result.findings.find((finding) => finding.code === 'single-worker')?.message).toContain('assumed to take days');
    expect(topology({ ...SOUND, workers: 1, workerReplacement: 'days' }).verdict).toBe('not-recommended');
  });

  it('flags DNS round-robin in front of the API servers (seed 003)', () => {
    const result = topology({ ...SOUND, loadBalancer: 'dns-round-robin' });
    expect(result.verdict).toBe('acceptable');
    expect(result.findings[0]).toMatchObject({ severity: 'warning', code: 'dns-round-robin' });
    expect(result.findings[0]?.message).toContain('health-checked load balancer');
  });

  it('makes the API server a single point of failure when several have no load balancer', () => {
    const result = topology({ ...SOUND, loadBalancer: 'none' });
    expect(result.verdict).toBe('not-recommended');
    expect(result.singlePointsOfFailure).toEqual(['the API server whose address kubelets and clients use']);
    expect(result.findings[0]).toMatchObject({ severity: 'critical', code: 'no-load-balancer' });
  });

  it('needs no load balancer for a single control-plane node', () => {
    expect(codes({ ...SOUND, controlPlaneNodes: 1, loadBalancer: 'none' })).not.toContain('no-load-balancer');
  });

  it('calls two stacked masters worse than one: quorum 2 of 2', () => {
    const result = topology({ ...SOUND, controlPlaneNodes: 2 });
    expect(result.verdict).toBe('development-only');
    expect(result.singlePointsOfFailure).toEqual(['each of the 2 etcd members (the quorum is 2 of 2)']);
    expect(result.findings.map((finding) => finding.code)).toEqual([
      'two-etcd-members',
      'even-members',
      'two-control-plane-nodes',
      'load-balancer-redundancy',
      'stacked-coupling',
    ]);
  });

  it('accepts two API servers in front of a three-member external etcd, short of production', () => {
    const result = topology({ ...SOUND, controlPlaneNodes: 2, etcd: { topology: 'external', members: 3 } });
    expect(result.verdict).toBe('acceptable');
    expect(result.singlePointsOfFailure).toEqual([]);
    expect(result.findings.map((finding) => finding.code)).not.toContain('stacked-coupling');
  });

  it('treats an external etcd of one or two members as development-only', () => {
    expect(topology({ ...SOUND, etcd: { topology: 'external', members: 1 } })).toMatchObject({
      verdict: 'development-only',
      singlePointsOfFailure: ['the only etcd member'],
    });
    expect(topology({ ...SOUND, etcd: { topology: 'external', members: 2 } }).verdict).toBe('development-only');
  });

  it('flags even etcd sizes without changing the verdict', () => {
    const result = topology({ ...SOUND, controlPlaneNodes: 4 });
    expect(result.verdict).toBe('production');
    expect(result.findings.map((finding) => finding.code)).toContain('even-members');
    expect(codes({ ...SOUND, etcd: { topology: 'external', members: 6 } })).toContain('even-members');
  });

  it('passes on the slow-write warning for more than seven etcd members', () => {
    expect(codes({ ...SOUND, etcd: { topology: 'external', members: 9 } })).toContain('slower-writes');
  });

  it('explains stacked coupling (kubeadm ha-topology)', () => {
    const finding = topology(SOUND).findings.find((note) => note.code === 'stacked-coupling');
    expect(finding?.message).toContain('loses an etcd member and an API server together');
  });

  it('keeps colocated workloads short of production', () => {
    const result = topology({ ...SOUND, workers: 3, colocated: true });
    expect(result.verdict).toBe('acceptable');
    expect(result.findings[0]).toMatchObject({ code: 'colocated-workloads', severity: 'warning' });
  });

  it('lists findings most severe first', () => {
    const severities = topology({ ...SOUND, controlPlaneNodes: 2, loadBalancer: 'none', workers: 1 }).findings.map((f) => f.severity);
    expect(severities).toEqual([...severities].sort((a, b) => ['critical', 'warning', 'info'].indexOf(a) - ['critical', 'warning', 'info'].indexOf(b)));
    expect(severities[0]).toBe('critical');
  });
});

describe('topology: zones', () => {
  it('spreads three stacked members over three zones and survives a zone', () => {
    const result = topology({ ...SOUND, zones: 3 });
    expect(result.verdict).toBe('production');
    expect(result.singlePointsOfFailure).toEqual([]);
  });

  it('loses quorum with one of two zones: 3 members spread 2/1', () => {
    const result = topology({ ...SOUND, zones: 2 });
    expect(result.verdict).toBe('acceptable');
    expect(result.singlePointsOfFailure).toEqual(['zone 1 (2 of 3 etcd members)']);
    expect(result.findings.map((finding) => finding.code)).toEqual(
      expect.arrayContaining(['zone-loss-breaks-quorum', 'two-zones']),
    );
  });

  it('treats a single zone as a single point of failure', () => {
    const result = topology({ ...SOUND, zones: 1 });
    expect(result.verdict).toBe('acceptable');
    expect(result.singlePointsOfFailure).toEqual(['zone 1 (3 of 3 etcd members)']);
    expect(result.findings.map((finding) => finding.code)).toContain('single-zone');
  });

  it('takes explicit members per zone: 2/2/1 survives, 1/3/1 does not', () => {
    const five = { ...SOUND, controlPlaneNodes: 5 };
    expect(topology({ ...five, zones: [2, 2, 1] }).verdict).toBe('production');
    const skewed = topology({ ...five, zones: [1, 3, 1] });
    expect(skewed.verdict).toBe('acceptable');
    expect(skewed.singlePointsOfFailure).toEqual(['zone 2 (3 of 5 etcd members)']);
  });

  it('spreads an external etcd cluster, not the control-plane nodes', () => {
    expect(topology({ ...SOUND, etcd: { topology: 'external', members: 5 }, zones: 3 }).verdict).toBe('production');
    expect(topology({ ...SOUND, etcd: { topology: 'external', members: 5 }, zones: [3, 2] }).verdict).toBe('acceptable');
  });

  it('notes empty zones when there are more zones than members', () => {
    expect(codes({ ...SOUND, zones: 4 })).toContain('empty-zone');
  });
});

describe('topology: invalid input', () => {
  it.each([
    [{ ...SOUND, controlPlaneNodes: 0 }, 'controlPlaneNodes', 'must be at least 1'],
    [{ ...SOUND, controlPlaneNodes: 16 }, 'controlPlaneNodes', 'must be at most 15'],
    [{ ...SOUND, controlPlaneNodes: '3' }, 'controlPlaneNodes', 'must be a whole number'],
    [{ ...SOUND, workers: 0 }, 'workers', 'must be at least 1'],
    [{ ...SOUND, workers: 5001 }, 'workers', 'must be at most 5000'],
    [{ ...SOUND, workers: Number.NaN }, 'workers', 'must be a whole number'],
    [{ ...SOUND, colocated: 'yes' }, 'colocated', 'must be true or false'],
    [{ ...SOUND, loadBalancer: 'haproxy' }, 'loadBalancer', 'must be none, dns-round-robin or load-balancer'],
    [{ ...SOUND, workerReplacement: 'weeks' }, 'workerReplacement', 'must be minutes, days or months'],
    [{ ...SOUND, etcd: { topology: 'external', members: 0 } }, 'etcd.members', 'must be at least 1'],
    [{ ...SOUND, etcd: { topology: 'external' } }, 'etcd.members', 'must be a whole number'],
    [{ ...SOUND, zones: 0 }, 'zones', 'must be at least 1'],
    [{ ...SOUND, zones: 13 }, 'zones', 'must be at most 12'],
    [{ ...SOUND, zones: 2.5 }, 'zones', 'must be a whole number'],
    [{ ...SOUND, zones: '3' }, 'zones', 'must be a number of zones or a list of etcd members per zone'],
    [{ ...SOUND, zones: [] }, 'zones', 'must name at least one zone'],
    [{ ...SOUND, zones: [1, -1, 3] }, 'zones.1', 'must be at least 0'],
    [{ ...SOUND, zones: [2, 2] }, 'zones', 'must add up to the 3 etcd members (got 4)'],
  ])('rejects %j naming %s', (input, path, message) => {
    const error = inputError(() => topology(input as never));
    expect(error.issues).toEqual([{ path, message }]);
    expect(error.message).toBe(`topology: ${path} ${message}`);
  });

  it('rejects an unknown etcd topology, naming etcd', () => {
    const error = inputError(() => topology({ ...SOUND, etcd: { topology: 'sidecar' } } as never));
    expect(error.issues[0]?.path).toMatch(/^etcd/);
    expect(error.message).toContain('etcd');
  });
});
