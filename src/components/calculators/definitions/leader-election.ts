import { CalcInputError } from '../../../lib/calc/errors';
import {
  DEFAULT_KUBERNETES_MINOR,
  DEFAULT_STANDBYS,
  KCM_RELEASE_GATE,
  KUBERNETES_MINORS,
  LEADER_ELECTION_PRESETS,
  MAX_LEADER_ELECTION_SECONDS,
  MAX_STANDBYS,
  leaderElection,
  leaderElectionSentence,
  shareNoisePercent,
  simulateLeaderElection,
  type FailoverSeconds,
  type LeaderElectionInput,
  type LeaderElectionResult,
} from '../../../lib/calc/leader-election';
import { formatNumber, formatSeconds } from '../client/format';
import type { CalculatorDefinition, ChartSpec } from '../client/types';

/**
 * Simulated failovers per chart: enough for a smooth histogram, few enough to redraw on every keystroke.
 * A fixed seed keeps the chart still while the inputs stay the same.
 */
const CHART_TRIALS = 20_000;
const CHART_SEED = 1;
/** Asks for 16, which niceBins turns into 8 to 16 bars of round width: short labels that stay horizontal on a phone. */
const CHART_BINS = 16;

function secondsField(name: string, label: string, flag: string): CalculatorDefinition['fields'][number] {
  return { name, label, unit: 's', kind: 'number', hint: `${flag}; 0 to ${formatNumber(MAX_LEADER_ELECTION_SECONDS)} s.` };
}

function range(failover: FailoverSeconds): string {
  return `${formatSeconds(failover.bestSeconds)} to ${formatSeconds(failover.worstSeconds)}`;
}

export const leaderElectionCalculator: CalculatorDefinition<LeaderElectionResult> = {
  id: 'leader-election',
  fields: [
    secondsField('leaseDurationSeconds', 'Lease duration', '--leader-elect-lease-duration'),
    secondsField('renewDeadlineSeconds', 'Renew deadline', '--leader-elect-renew-deadline'),
    secondsField('retryPeriodSeconds', 'Retry period', '--leader-elect-retry-period'),
    {
      name: 'standbys',
      label: 'Standby replicas',
      unit: 'replicas besides the leader',
      kind: 'integer',
      optional: true,
      hint: `1 to ${MAX_STANDBYS}; empty means ${DEFAULT_STANDBYS} (three control-plane nodes).`,
    },
    {
      name: 'component',
      label: 'Component',
      kind: 'select',
      options: [
        { value: 'kube-controller-manager', label: 'kube-controller-manager' },
        { value: 'kube-scheduler', label: 'kube-scheduler' },
        { value: 'other', label: 'Another client-go program' },
      ],
      // Empty (a link from before the field existed) means the library's default, another client-go program.
      optional: true,
      hint: 'Decides whether a clean shutdown releases the lease.',
    },
    {
      name: 'kubernetesVersion',
      label: 'Kubernetes version',
      kind: 'select',
      // Newest first: the release most readers run.
      options: [...KUBERNETES_MINORS].reverse().map((minor) => ({ value: minor, label: minor })),
      showWhen: { field: 'component', values: ['kube-controller-manager', 'kube-scheduler'] },
      hint: 'Minor release of the component.',
    },
    {
      name: 'releaseLockOnExitGate',
      label: `Feature gate ${KCM_RELEASE_GATE} on`,
      kind: 'checkbox',
      showWhen: { field: 'component', values: ['kube-controller-manager'] },
      hint: 'Alpha and off by default in 1.36 and 1.37; not in 1.35. When on, a clean exit releases the lease.',
    },
    {
      name: 'releaseOnCancel',
      label: 'Leader releases the lease on a clean shutdown',
      kind: 'checkbox',
      showWhen: { field: 'component', values: ['other'] },
      hint: 'ReleaseOnCancel in client-go\u2019s LeaderElectionConfig.',
    },
  ],
  defaults: {
    leaseDurationSeconds: '15',
    renewDeadlineSeconds: '10',
    retryPeriodSeconds: '2',
    standbys: '2',
    component: 'kube-controller-manager',
    kubernetesVersion: DEFAULT_KUBERNETES_MINOR,
    releaseLockOnExitGate: 'false',
    releaseOnCancel: 'false',
  },
  presets: LEADER_ELECTION_PRESETS.map((preset) => ({
    id: preset.id,
    label: preset.label,
    values: {
      leaseDurationSeconds: String(preset.leaseDurationSeconds),
      renewDeadlineSeconds: String(preset.renewDeadlineSeconds),
      retryPeriodSeconds: String(preset.retryPeriodSeconds),
    },
  })),
  refusalHeading: 'kube-controller-manager would refuse this',
  outputs: [
    { key: 'crashExpected', label: 'Failover after a crash, expected' },
    { key: 'crashRange', label: 'Failover after a crash, best to worst' },
    { key: 'gracefulExpected', label: 'Failover after a clean shutdown, expected' },
    { key: 'isolatedLeader', label: 'Cut-off leader may act for up to' },
    { key: 'safetyMargin', label: 'Safety margin (lease − deadline − retry)' },
    { key: 'outageTolerance', label: 'apiserver outage the leader rides out' },
    { key: 'requests', label: 'Lease API requests' },
  ],
  compute: (input) => leaderElection(input as unknown as LeaderElectionInput),
  view: (result) => ({
    headline: leaderElectionSentence(result),
    outputs: {
      crashExpected: formatSeconds(result.crashFailover.expectedSeconds),
      crashRange: range(result.crashFailover),
      gracefulExpected: formatSeconds(result.gracefulFailover.expectedSeconds),
      isolatedLeader: formatSeconds(result.isolatedLeaderMaxSeconds),
      safetyMargin: formatSeconds(result.safetyMarginSeconds),
      outageTolerance: formatSeconds(result.apiserverOutageToleranceSeconds),
      requests: result.apiRequestsPerSecond === null ? 'none (retry period is 0)' : `${formatNumber(result.apiRequestsPerSecond, 2)} per second`,
    },
    notes: result.notes,
    refusals: result.errors,
    table: {
      caption: 'Failover time from the moment the leader stops',
      head: ['Leader stops by', 'Best', 'Expected', 'Worst'],
      rows: [
        ['Crash', result.crashFailover, true] as const,
        [result.releaseOnCancel ? 'Clean shutdown (lease released)' : 'Clean shutdown (lease kept)', result.gracefulFailover, false] as const,
      ].map(([label, failover]) => [
        label,
        formatSeconds(failover.bestSeconds),
        formatSeconds(failover.expectedSeconds),
        formatSeconds(failover.worstSeconds),
      ]),
    },
  }),
  // The chart's data is a run per cluster size (or a simulation): too slow to redo on every keystroke.
  deferChart: true,
  chart: (result, input): ChartSpec | undefined => {
    let simulation;
    try {
      simulation = simulateLeaderElection({
        ...(input as unknown as LeaderElectionInput),
        standbys: result.standbys,
        trials: CHART_TRIALS,
        seed: CHART_SEED,
        bins: CHART_BINS,
      });
    } catch (error) {
      // The simulation needs every duration above zero; such inputs get the table and notes but no chart.
      if (error instanceof CalcInputError) return undefined;
      throw error;
    }
    const crash = simulation.crashFailover;
    const ranges = crash.histogram.map((bin) => `${formatNumber(bin.from, 1)}–${formatNumber(bin.to, 1)}`);
    const [firstBin] = crash.histogram;
    const width = firstBin ? firstBin.to - firstBin.from : 0;
    const noise = Math.max(0, ...crash.histogram.map((bin) => shareNoisePercent(bin.fraction, simulation.trials)));
    return {
      kind: 'bar',
      xTitle: `Failover after a crash (s), bars of ${formatNumber(width, 1)} s from the value shown`,
      yTitle: 'Share of simulated crashes (%)',
      // The start of each bar only: short labels stay horizontal on a phone; the table gives the full ranges.
      labels: crash.histogram.map((bin) => formatNumber(bin.from, 1)),
      series: [{ label: `Crash failover, ${formatNumber(simulation.trials)} simulated crashes`, values: crash.histogram.map((bin) => bin.fraction * 100) }],
      caption: `Simulated: each bar is within about ±${formatNumber(noise, 1)} percentage points of its true height (95 % confidence), so differences smaller than that are noise.`,
      ariaLabel:
        `Histogram of ${formatNumber(simulation.trials)} simulated crash failovers with ${result.standbys} standbys: ` +
        `median ${formatSeconds(crash.p50Seconds)}, 99th percentile ${formatSeconds(crash.p99Seconds)}, ` +
        `all between ${formatSeconds(crash.minSeconds)} and ${formatSeconds(crash.maxSeconds)}.`,
      table: {
        caption: `Simulated crash failovers (${formatNumber(simulation.trials)} crashes, median ${formatSeconds(crash.p50Seconds)}, p99 ${formatSeconds(crash.p99Seconds)})`,
        head: ['Failover (s)', 'Share of crashes'],
        rows: crash.histogram.map((bin, index) => [ranges[index] ?? '', `${formatNumber(bin.fraction * 100, 1)}%`]),
      },
    };
  },
};
