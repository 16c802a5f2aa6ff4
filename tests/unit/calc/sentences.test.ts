/**
 * The one-sentence answers. Expected sentences are written out by hand from the figures worked below (quorum
 * arithmetic, the binomial tail by hand, etcd's and client-go's published defaults), not produced by the library.
 */
import { describe, expect, it } from 'vitest';
import {
  availability,
  availabilitySentence,
  etcdFlagSnippets,
  etcdTiming,
  etcdTimingSentence,
  leaderElection,
  leaderElectionSentence,
  quorum,
  quorumSentence,
  readMemberAvailability,
  roundedPercent,
  topology,
  topologySentence,
  writeLatencySummary,
} from '../../../src/lib/calc';
import { inputError } from './helpers/input-error';

describe('quorumSentence (members down now)', () => {
  it.each([
    // 3 members: quorum 2, tolerance 1.
    [3, 0, 'With 3 voting members and none down, etcd accepts writes and can lose 1 member.'],
    [3, 1, 'With 3 voting members and 1 down, etcd still accepts writes, but it cannot lose another member.'],
    [3, 2, 'With 3 voting members and 2 down, etcd has lost its quorum: it accepts no writes until 1 more member is back.'],
    [3, 3, 'With 3 voting members and 3 down, etcd has lost its quorum: it accepts no writes until 2 more members are back.'],
    // 5 members: quorum 3, tolerance 2.
    [5, 0, 'With 5 voting members and none down, etcd accepts writes and can lose 2 members.'],
    [5, 1, 'With 5 voting members and 1 down, etcd still accepts writes and can lose 1 more member.'],
    [5, 2, 'With 5 voting members and 2 down, etcd still accepts writes, but it cannot lose another member.'],
    // 7 members: quorum 4, tolerance 3.
    [7, 1, 'With 7 voting members and 1 down, etcd still accepts writes and can lose 2 more members.'],
    // 1 and 4 members tolerate nothing / one.
    [1, 0, 'With 1 voting member and none down, etcd accepts writes, but it cannot lose a single member.'],
    [4, 1, 'With 4 voting members and 1 down, etcd still accepts writes, but it cannot lose another member.'],
  ])('%i members, %i down', (members, membersDown, sentence) => {
    expect(quorumSentence(quorum({ members, membersDown }))).toBe(sentence);
  });

  it('3 members with 1 down: cannot lose another (the issue\u2019s done-when case), and says what to do', () => {
    const result = quorum({ members: 3, membersDown: 1 });
    expect(result).toMatchObject({ membersUp: 2, hasQuorum: true, moreFailuresTolerated: 0, membersToRestore: 0 });
    expect(quorumSentence(result)).toContain('cannot lose another member');
    expect(result.notes.find((note) => note.code === 'replace-down-member')?.severity).toBe('critical');
  });

  it('a member down with room to spare is a warning; a lost quorum is critical', () => {
    expect(quorum({ members: 5, membersDown: 1 }).notes.find((note) => note.code === 'replace-down-member')?.severity).toBe('warning');
    const lost = quorum({ members: 5, membersDown: 3 });
    expect(lost).toMatchObject({ hasQuorum: false, membersToRestore: 1, moreFailuresTolerated: 0 });
    expect(lost.notes.map((note) => note.code)).toContain('quorum-lost');
  });

  it('refuses more members down than there are, naming the field', () => {
    expect(inputError(() => quorum({ members: 3, membersDown: 4 })).issues).toEqual([
      { path: 'membersDown', message: 'must be at most the 3 voting members' },
    ]);
    expect(inputError(() => quorum({ members: 3, membersDown: 1.5 })).issues[0]?.path).toBe('membersDown');
  });
});

describe('readMemberAvailability', () => {
  it('reads 99.9, 99.9 % and 0.999 as the same fraction, and says how', () => {
    const forms = ['99.9', '99.9 %', '99.9%', ' 0.999 '].map(readMemberAvailability);
    for (const reading of forms) expect(reading.fraction).toBe(0.999);
    expect(forms.map((reading) => reading.percent)).toEqual([true, true, true, false]);
    expect(forms[0]?.description).toBe('Read "99.9" as 99.9 % (0.999).');
    expect(forms[3]?.description).toBe('Read "0.999" as a fraction: 99.9 %.');
  });

  it('availability reads 99.9 exactly like 0.999 (the issue\u2019s done-when case)', () => {
    const typed = availability({ members: 3, memberAvailability: readMemberAvailability('99.9').fraction });
    expect(typed).toEqual(availability({ members: 3, memberAvailability: 0.999 }));
  });

  it('numbers up to 1 are fractions; above 1 they are percentages; % forces a percentage', () => {
    expect(readMemberAvailability('1').fraction).toBe(1);
    expect(readMemberAvailability('100').fraction).toBe(1);
    expect(readMemberAvailability('50').fraction).toBe(0.5);
    expect(readMemberAvailability('0.5').fraction).toBe(0.5);
    expect(readMemberAvailability('0.5 %').fraction).toBe(0.005);
    expect(readMemberAvailability('99.99').fraction).toBe(0.9999);
  });

  it.each([
    ['', 'is required'],
    ['%', 'needs a number before the %'],
    ['abc', 'must be a fraction like 0.999 or a percentage like 99.9 %'],
    ['0x10', 'must be a fraction like 0.999 or a percentage like 99.9 %'],
    ['-1', 'must not be negative'],
    ['101', 'must be at most 100 %'],
    ['100.5 %', 'must be at most 100 %'],
  ])('rejects %j: %s', (text, message) => {
    expect(inputError(() => readMemberAvailability(text)).issues).toEqual([{ path: 'memberAvailability', message }]);
  });
});

describe('availabilitySentence', () => {
  it('3 members at 99 %: 99.97 %, about 2.6 hours a year', () => {
    // By hand: U = 3·0.99·0.01² + 0.01³ = 0.000298; A = 0.999702 → 99.97 % (first differing digit plus one);
    // downtime 0.000298 × 525,600 min = 156.6 min = 2.6 hours.
    expect(availabilitySentence(availability({ members: 3, memberAvailability: 0.99 }))).toBe(
      '3 members that are each up 99 % of the time keep a quorum 99.97 % of the time: about 2.6 hours a year without one, if members fail independently.',
    );
  });

  it('1 member at 99.5 %: 44 hours a year; 1 member at 90 %: 37 days', () => {
    // 0.005 × 525,600 = 2,628 min = 43.8 hours → two figures: 44 hours.
    expect(availabilitySentence(availability({ members: 1, memberAvailability: 0.995 }))).toBe(
      '1 member that is up 99.5 % of the time keeps a quorum 99.5 % of the time: about 44 hours a year without one, if members fail independently.',
    );
    // 0.1 × 525,600 = 52,560 min = 36.5 days → 37 days (two figures; 36.5 is exact, and rounds half up).
    expect(availabilitySentence(availability({ members: 1, memberAvailability: 0.9 }))).toContain('about 37 days a year');
  });

  it('beyond five nines it stops printing digits and says correlated failures dominate', () => {
    // 5 members at 99.9 %: U ≈ C(5,3)·0.001³ ≈ 1e-8, eight nines.
    const sentence = availabilitySentence(availability({ members: 5, memberAvailability: 0.999 }));
    expect(sentence).toBe(
      '5 members that are each up 99.9 % of the time keep a quorum better than 99.999 % of the time in this model; at that level correlated failures (a zone, shared storage, a bad rollout) decide the real figure, not the member count.',
    );
    expect(sentence).not.toMatch(/99\.9999/);
  });

  it('roundedPercent keeps one digit past the first that differs from 100 % and never rounds up to 100 %', () => {
    expect(roundedPercent(0.999702)).toBe('99.97 %');
    expect(roundedPercent(0.99)).toBe('99 %');
    expect(roundedPercent(0.9)).toBe('90 %');
    expect(roundedPercent(0.99996)).toBe('99.996 %');
    expect(roundedPercent(1)).toBe('100 %');
    expect(roundedPercent(0.5)).toBe('50 %');
  });
});

describe('writeLatencySummary: verdict against etcd\u2019s guidance', () => {
  it('the issue\u2019s example: 1.2 ms (p99 2.5 ms), well inside', () => {
    expect(writeLatencySummary({ typicalMs: 1.23, p99Ms: 2.46, fsyncP99Ms: 2.38 })).toEqual({
      verdict: 'well-inside',
      sentence: "A write takes about 1.2 ms (p99 2.5 ms), well inside etcd's guidance.",
    });
  });

  it('a disk over the FAQ\u2019s 10 ms fsync p99 is outside, whatever the write latency', () => {
    const summary = writeLatencySummary({ typicalMs: 3, p99Ms: 14, fsyncP99Ms: 12 });
    expect(summary.verdict).toBe('disk-outside');
    expect(summary.sentence).toBe(
      "A write takes about 3 ms (p99 14 ms), but the disk is outside etcd's guidance: a WAL fsync p99 of 12 ms against the 10 ms the etcd FAQ asks for.",
    );
    // Exactly 10 ms is still inside (the FAQ says under 10 ms at p99; the check is "greater than").
    expect(writeLatencySummary({ typicalMs: 3, p99Ms: 14, fsyncP99Ms: 10 }).verdict).toBe('well-inside');
  });

  it('a p99 at the 150 ms of etcdGRPCRequestsSlow is outside; between 15 and 150 ms it is inside', () => {
    expect(writeLatencySummary({ typicalMs: 90, p99Ms: 150, fsyncP99Ms: 1 })).toEqual({
      verdict: 'outside',
      sentence: "A write takes about 90 ms (p99 150 ms), outside etcd's guidance: its own etcdGRPCRequestsSlow alert fires when the p99 passes 150 ms.",
    });
    expect(writeLatencySummary({ typicalMs: 10, p99Ms: 15, fsyncP99Ms: 1 }).verdict).toBe('inside');
    expect(writeLatencySummary({ typicalMs: 10, p99Ms: 14.9, fsyncP99Ms: 1 }).verdict).toBe('well-inside');
    expect(writeLatencySummary({ typicalMs: 600, p99Ms: 1900, fsyncP99Ms: 1 }).sentence).toContain('about 600 ms (p99 1.9 s)');
  });

  it('rejects a negative figure, naming it', () => {
    expect(inputError(() => writeLatencySummary({ typicalMs: -1, p99Ms: 2, fsyncP99Ms: 1 })).issues[0]?.path).toBe('typicalMs');
  });
});

describe('leaderElectionSentence', () => {
  it('Kubernetes defaults: about 17 s, at worst 24 s, clean shutdown as long', () => {
    // calc-facts §1.7: expected ≈ LD + 1.175·RP = 17.35 s, worst LD + 2·2.2·RP = 23.8 s.
    expect(leaderElectionSentence(leaderElection({ leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2 }))).toBe(
      'If the leader crashes, a standby takes over after about 17 s (at worst 24 s); a clean shutdown takes as long, because the lease is not released (ReleaseOnCancel is off).',
    );
  });

  it('kube-controller-manager by version and gate, and kube-scheduler', () => {
    const timing = { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2, standbys: 1 } as const;
    const crash = 'If the leader crashes, a standby takes over after about 17 s (at worst 24 s); ';
    expect(leaderElectionSentence(leaderElection({ ...timing, component: 'kube-controller-manager' }))).toBe(
      `${crash}a clean shutdown takes as long, because kube-controller-manager 1.37 keeps the lease (ControllerManagerReleaseLeaderElectionLockOnExit is off).`,
    );
    expect(leaderElectionSentence(leaderElection({ ...timing, component: 'kube-controller-manager', kubernetesVersion: '1.35' }))).toBe(
      `${crash}a clean shutdown takes as long, because kube-controller-manager 1.35 keeps the lease.`,
    );
    // One standby: mean residual 0.8375 × 2 s = 1.675 s → 1.7 s.
    expect(
      leaderElectionSentence(leaderElection({ ...timing, component: 'kube-controller-manager', kubernetesVersion: '1.36', releaseLockOnExitGate: true })),
    ).toBe(`${crash}a clean shutdown hands over after about 1.7 s, because kube-controller-manager 1.36 releases the lease with ControllerManagerReleaseLeaderElectionLockOnExit on.`);
    expect(leaderElectionSentence(leaderElection({ ...timing, component: 'kube-scheduler', kubernetesVersion: '1.35' }))).toBe(
      `${crash}a clean shutdown hands over after about 1.7 s, because kube-scheduler 1.35 releases the lease.`,
    );
  });

  it('a refusal comes first, in client-go\u2019s words', () => {
    expect(leaderElectionSentence(leaderElection({ leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 9 }))).toBe(
      'kube-controller-manager and kube-scheduler would refuse this configuration and exit at start: "renewDeadline must be greater than retryPeriod*JitterFactor".',
    );
  });

  it('released lease and overlapping leaders are said', () => {
    const released = leaderElectionSentence(
      leaderElection({ leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2, standbys: 1, releaseOnCancel: true }),
    );
    // One standby: mean residual 0.8375 × 2 s = 1.675 s → 1.7 s.
    expect(released).toContain('a clean shutdown hands over after about 1.7 s, because the lease is released.');
    // 15/14/2: margin 15 − 14 − 2 = −1 s.
    expect(leaderElectionSentence(leaderElection({ leaseDurationSeconds: 15, renewDeadlineSeconds: 14, retryPeriodSeconds: 2 }))).toMatch(
      / Two leaders may act at once for up to 1 s\.$/,
    );
  });
});

describe('etcdTimingSentence and flag snippets', () => {
  it('defaults on a 0.5 ms network: 0.8 to 1.9 s, and the flags suit it', () => {
    // 10 ticks of 100 ms: best (10 − 2) × 100 + 3 × 0.5 = 801.5 ms, worst 19 × 100 + 1.5 = 1901.5 ms.
    expect(etcdTimingSentence(etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000, rttMs: 0.5 }), 0.5)).toBe(
      'If the leader fails, the others elect a new one within 0.8 to 1.9 s unless a vote splits; these flags suit a 0.5 ms round trip.',
    );
    expect(etcdTimingSentence(etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000 }))).toBe(
      'If the leader fails, the others elect a new one within 0.8 to 1.9 s unless a vote splits.',
    );
  });

  it('pre-vote off: the second election and its share are said', () => {
    // T = 10: (3·10 − 1) × 100 + 2 × 0.5 = 2901 ms → 2.9 s; 1 in 10.
    expect(etcdTimingSentence(etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000, rttMs: 0.5, preVote: false }), 0.5)).toBe(
      'If the leader fails, the others elect a new one within 0.8 to 1.9 s, or up to 2.9 s for the 1 in 10 failovers that need a second election because pre-vote is off; these flags suit a 0.5 ms round trip.',
    );
  });

  it('flags too tight for the round trip get the suggestion; a refusal comes first', () => {
    expect(etcdTimingSentence(etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 1000, rttMs: 130 }), 130)).toBe(
      'If the leader fails, the others elect a new one within 1.2 to 2.3 s unless a vote splits, but the flags are too tight for a 130 ms round trip: use --heartbeat-interval=130 --election-timeout=1300.',
    );
    expect(etcdTimingSentence(etcdTiming({ heartbeatMs: 100, electionTimeoutMs: 400 }))).toBe(
      'etcd would refuse to start with these flags: "--election-timeout[400ms] should be at least as 5 times as --heartbeat-interval[100ms]".',
    );
    // 10 ms heartbeat, 60 ms timeout: 6 ticks, best 40 ms, worst 110 ms.
    expect(etcdTimingSentence(etcdTiming({ heartbeatMs: 10, electionTimeoutMs: 60 }))).toBe(
      'If the leader fails, the others elect a new one within 40 to 110 ms unless a vote splits.',
    );
  });

  it('snippets: kubeadm v1beta4 extraArgs as a name/value list, and manifest command lines', () => {
    const [kubeadm, manifest] = etcdFlagSnippets({ heartbeatMs: 130, electionTimeoutMs: 1300 });
    expect(kubeadm?.text).toBe(
      [
        'apiVersion: kubeadm.k8s.io/v1beta4',
        'kind: ClusterConfiguration',
        'etcd:',
        '  local:',
        '    extraArgs:',
        '      - name: heartbeat-interval',
        '        value: "130"',
        '      - name: election-timeout',
        '        value: "1300"',
      ].join('\n'),
    );
    expect(kubeadm?.caption).toContain('kubeadm');
    expect(manifest?.text).toBe('    - --heartbeat-interval=130\n    - --election-timeout=1300');
    expect(manifest?.caption).toContain('/etc/kubernetes/manifests/etcd.yaml');
  });
});

describe('topologySentence', () => {
  const layout = { controlPlaneNodes: 3, workers: 5, etcd: { topology: 'stacked' as const } };
  it('production layout', () => {
    expect(topologySentence(topology({ ...layout, loadBalancer: 'load-balancer' }))).toBe(
      'This layout is production ready: no single component stops the cluster when it fails.',
    );
  });
  it('one single point of failure, several, and warnings only', () => {
    expect(topologySentence(topology({ ...layout, loadBalancer: 'none' }))).toBe(
      'This layout is not recommended: the API server whose address kubelets and clients use is a single point of failure.',
    );
    expect(topologySentence(topology({ controlPlaneNodes: 1, workers: 1, etcd: { topology: 'stacked' }, loadBalancer: 'none' }))).toMatch(
      /^This layout is fit for development only: \d single points of failure, first the only control-plane node/,
    );
    expect(topologySentence(topology({ ...layout, loadBalancer: 'dns-round-robin' }))).toBe(
      'This layout is acceptable: no single point of failure, but see the warnings below.',
    );
    expect(topologySentence(topology({ ...layout, controlPlaneNodes: 4, loadBalancer: 'load-balancer' }))).toBe(
      'This layout is production ready: no single point of failure, but see the warnings below.',
    );
  });
});
