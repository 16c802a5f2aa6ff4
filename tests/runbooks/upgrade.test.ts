/**
 * Scenario "upgrade" (page: /runbooks/etcd-upgrade/) on the lab's three kubeadm-style nodes. Unlike the other
 * scenarios it does not run once per minor: it starts a cluster on the oldest etcd of lab/versions.json (3.5) and
 * follows the page as written once per minor step, 3.5 → 3.6 and then 3.6 → 3.7 (the page works out the next
 * version from the cluster version itself), on the same lab, with a writer recording every acknowledged write in
 * the background the whole time. A member upgrade is the page's own edit of the image tag in etcd.yaml; the lab's
 * kubelet stand-in runs `handbook-lab/etcd:<version>-0` from the etcd binaries of that version.
 *
 * After every member step and at the end, the test itself reads back every write acknowledged so far
 * (linearizable) and records the member and cluster versions; it expects zero lost writes, each member on the
 * version the page named, the cluster version moving only after the last member of a step.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { etcdReleases, selectedEtcdReleases } from '../lab/versions';
import { labClient, type Lab } from './lib/lab';
import { ScenarioRun } from './lib/matrix';
import { REPO_ROOT, runScenario, type ScenarioReport } from './lib/scenario';
import { AcknowledgedWriter, missingWrites, readPrefix } from './lib/writer-etcd-ops';

const PAGE = 'src/content/runbooks/etcd-upgrade.mdx';
const WRITER_PREFIX = '/scenario/upgrade/';
const WRITES_BEFORE_UPGRADE = 20;
const MEMBER_STEP = /^Upgrade the member on (cp-\d)$/;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const releases = etcdReleases();
const oldest = releases[0];
const selected = selectedEtcdReleases().map((release) => release.version);
// The scenario crosses every minor, so it runs when the selection includes the one it starts from.
const runsHere = oldest !== undefined && selected.includes(oldest.version);

/** One row of the printed outcome: after a member step or at the end of a minor step. */
interface Checkpoint {
  label: string;
  acknowledged: number;
  readBack: number;
  lost: string[];
  memberVersions: string[];
  clusterVersion: string;
  atMs: number;
}

async function clusterVersion(lab: Lab): Promise<string> {
  const result = await lab.run(
    1,
    'curl -sS --cacert /etc/kubernetes/pki/etcd/ca.crt --cert /etc/kubernetes/pki/etcd/healthcheck-client.crt ' +
      '--key /etc/kubernetes/pki/etcd/healthcheck-client.key https://10.0.0.11:2379/version',
  );
  return /"etcdcluster":"([^"]*)"/.exec(result.stdout)?.[1] ?? `unknown (${result.stdout.trim() || result.stderr.trim()})`;
}

async function memberVersions(lab: Lab): Promise<string[]> {
  const out = await labClient(lab).etcdctl(['endpoint', 'status', '-w', 'json']);
  return [...out.matchAll(/"version":"([^"]*)"/g)].map((match) => match[1] ?? '');
}

/** The page's `ETCD_NEXT_<minor>` values, read from its setup block. */
function pageTargets(): Record<string, string> {
  const source = readFileSync(path.join(REPO_ROOT, PAGE), 'utf8');
  return Object.fromEntries([...source.matchAll(/^export ETCD_NEXT_(\d+)_(\d+)=(\S+)$/gm)].map((match) => [`${match[1]}.${match[2]}`, match[3] ?? '']));
}

if (!runsHere) {
  // Loud, not silent: the selection leaves out the release the upgrade starts from.
  test.skip(`etcd upgrade scenario NOT RUN: it starts on etcd ${oldest?.version ?? '?'} and HANDBOOK_LAB_ETCD selects ${selected.join(', ')}`, () => {});
}

describe.each(runsHere && oldest ? [oldest] : [])('etcd upgrade, followed from the page from etcd $version through every later minor', (start) => {
  const run = new ScenarioRun(PAGE, 'upgrade', start);
  const checkpoints: Checkpoint[] = [];
  const stepDurations: string[] = [];
  let writer: AcknowledgedWriter | undefined;
  let startedAtMs = 0;

  const checkpoint = async (lab: Lab, label: string): Promise<void> => {
    if (!writer) throw new Error('no writer');
    const acknowledged = writer.acknowledged;
    const stored = await readPrefix(labClient(lab), WRITER_PREFIX, lab.clientUrls);
    const lost = missingWrites(acknowledged, stored);
    const row: Checkpoint = {
      label,
      acknowledged: acknowledged.size,
      readBack: acknowledged.size - lost.length,
      lost,
      memberVersions: await memberVersions(lab),
      clusterVersion: await clusterVersion(lab),
      atMs: Date.now() - startedAtMs,
    };
    checkpoints.push(row);
    console.log(
      `upgrade: ${label}: ${row.acknowledged} writes acknowledged, ${row.readBack} read back, ${row.lost.length} lost; ` +
        `members ${row.memberVersions.join(', ')}; cluster version ${row.clusterVersion}; at ${(row.atMs / 1000).toFixed(1)} s`,
    );
  };

  beforeAll(async () => {
    await run.go(async (lab, scenarioLab) => {
      const targets = pageTargets();
      for (const [index, release] of releases.slice(0, -1).entries()) {
        const next = releases[index + 1];
        if (targets[release.minor] !== next?.version) {
          throw new Error(`${PAGE}: ETCD_NEXT_${release.minor.replace('.', '_')} is ${targets[release.minor] ?? 'missing'}, lab/versions.json has ${next?.version}; update the page's setup block`);
        }
      }
      startedAtMs = Date.now();
      writer = new AcknowledgedWriter(labClient(lab), WRITER_PREFIX);
      writer.start();
      await writer.waitForAcknowledged(WRITES_BEFORE_UPGRADE, 60_000);
      await checkpoint(lab, `before, on ${start.version}`);
      const ranLines = new Set<number>();
      let report: ScenarioReport | undefined;
      try {
        for (const next of releases.slice(1)) {
          const stepStart = Date.now();
          // The page, followed once per minor step, as written: fresh shells that run its setup block.
          const step = await runScenario({
            runbook: PAGE,
            scenario: 'upgrade',
            lab: scenarioLab,
            afterBlock: async ({ block }) => {
              const member = MEMBER_STEP.exec(block.title)?.[1];
              if (member) await checkpoint(lab, `to ${next.version}: after ${member}`);
            },
          });
          stepDurations.push(`to ${next.version} in ${((Date.now() - stepStart) / 1000).toFixed(1)} s`);
          await checkpoint(lab, `to ${next.version}: page done`);
          for (const line of step.ranLines) ranLines.add(line);
          report = { ...step, ranLines: [...ranLines], durationMs: Date.now() - startedAtMs, blockRuns: (report?.blockRuns ?? 0) + step.blockRuns };
        }
      } finally {
        // A moment on the finished cluster, then stop the writer before the last read.
        await sleep(1_000);
        await writer.stop();
      }
      await checkpoint(lab, 'end, writer stopped');
      if (!report) throw new Error('lab/versions.json lists no minor to upgrade to');
      return report;
    });
    // Two minor steps of three members each, plus a possible wait for another lab on the machine.
  }, 1_800_000);

  afterAll(async () => {
    await writer?.stop();
    await run.finish();
  });

  run.pageRan();

  run.check('every acknowledged write is readable after every member step and at the end: zero lost', () => {
    const memberSteps = checkpoints.filter((row) => row.label.includes(': after cp-'));
    expect(memberSteps).toHaveLength(3 * (releases.length - 1));
    for (const row of checkpoints) run.outcome(`${row.label}: ${row.acknowledged} acknowledged, ${row.readBack} read back, ${row.lost.length} lost, cluster ${row.clusterVersion}`);
    run.outcome(`durations: ${stepDurations.join('; ')}; writes not acknowledged (allowed): ${JSON.stringify(writer?.failureReasons() ?? {})}`);
    for (const row of checkpoints) expect(row.lost, row.label).toEqual([]);
    const last = checkpoints.at(-1);
    expect(last?.acknowledged).toBeGreaterThan(WRITES_BEFORE_UPGRADE);
    // Writes kept being acknowledged during every minor step, not only before and after.
    for (const next of releases.slice(1)) {
      const rows = checkpoints.filter((row) => row.label.startsWith(`to ${next.version}:`));
      expect(rows.at(-1)?.acknowledged ?? 0, `writes during the step to ${next.version}`).toBeGreaterThan(rows[0]?.acknowledged ?? Infinity);
    }
  });

  run.check('each member runs the version the page named, and the cluster version moves only after the last member', () => {
    for (const [index, next] of releases.slice(1).entries()) {
      const previous = releases[index];
      const rows = checkpoints.filter((row) => row.label.startsWith(`to ${next.version}:`));
      const afterMembers = rows.filter((row) => row.label.includes(': after cp-'));
      afterMembers.forEach((row, position) => {
        expect(row.memberVersions.filter((version) => version === next.version), row.label).toHaveLength(position + 1);
        if (position < afterMembers.length - 1) expect(row.clusterVersion, row.label).toBe(`${previous?.minor}.0`);
      });
      const done = rows.at(-1);
      expect(done?.memberVersions, done?.label).toEqual([next.version, next.version, next.version]);
      expect(done?.clusterVersion, done?.label).toBe(`${next.minor}.0`);
    }
  });

  run.check('leaves the manifests the page promised as the way back, and one snapshot per minor step', (lab) => {
    for (const node of lab.nodes) {
      const kept = readdirOrEmpty(lab.hostPath(node.index, '/etc/kubernetes/etcd-upgrade-backup')).sort();
      expect(kept, node.name).toEqual(releases.slice(0, -1).map((release) => `etcd.yaml.${release.version}`).sort());
      const manifest = readFileSync(lab.hostPath(node.index, '/etc/kubernetes/manifests/etcd.yaml'), 'utf8');
      expect(manifest, node.name).toContain(`image: handbook-lab/etcd:${releases.at(-1)?.version}-0`);
      expect(manifest, node.name).not.toContain('--experimental-');
      expect(manifest, node.name).toContain('--snapshot-count=10000');
      expect(readFileSync(lab.hostPath(node.index, `/etc/kubernetes/etcd-upgrade-backup/etcd.yaml.${oldest?.version}`), 'utf8'), node.name).toContain(
        `image: handbook-lab/etcd:${oldest?.version}-0`,
      );
    }
    const snapshots = readdirOrEmpty(lab.hostPath(1, '/var/backups/etcd')).filter((name) => name.startsWith('before-upgrade-to-'));
    run.outcome(`kept: etcd.yaml.<old version> on every node; snapshots on cp-1: ${snapshots.join(', ')}`);
    expect(snapshots).toHaveLength(releases.length - 1);
  });

  // The page ran on the starting release and, member by member, on every later one.
  run.proven(releases.slice(1).map((release) => release.version));
});

function readdirOrEmpty(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

// Why the page forces a snapshot on 3.6 before 3.7: a copy of the page without that branch, run on a cluster that
// went from 3.5 to 3.6 a minute earlier, must fail at the first 3.7 member, whose etcd panics replaying 3.5-era log
// entries. If a later 3.7 patch reads them, this fails and the page's caution can go.
describe.each(runsHere && oldest && releases.length >= 3 ? [oldest] : [])('a copy of the upgrade page without the 3.6 snapshot, from etcd $version', (start) => {
  const run = new ScenarioRun(PAGE, 'upgrade-without-3.6-snapshot', start);
  let broken = '';

  beforeAll(async () => {
    await run.go(async (_lab, scenarioLab) => {
      const page = readFileSync(path.join(REPO_ROOT, PAGE), 'utf8');
      const guard = `if [ "\${running%.*}" = 3.6 ] && [ -z "$(find "$DATA_DIR/member/snap" -name '*.snap' -newer "$manifest")" ]; then`;
      if (!page.includes(guard)) throw new Error('the page no longer has the snapshot guard this test removes');
      broken = page.replace(guard, 'if false; then');
      // The real page to 3.6, then the copy towards 3.7.
      await runScenario({ runbook: PAGE, scenario: 'upgrade', lab: scenarioLab });
      return runScenario({ runbook: PAGE, scenario: 'upgrade', lab: scenarioLab, source: broken });
    });
  }, 1_800_000);

  afterAll(async () => {
    // Expected to fail; the report shows the real page's run only.
    await run.lab?.close();
  });

  test('the copy stops at the first 3.7 member, whose etcd panics on the 3.5-era log', () => {
    expect(run.failure, 'the copy without the snapshot guard upgraded to 3.7').toBeDefined();
    const message = run.failure instanceof Error ? run.failure.message : String(run.failure);
    expect(message).toMatch(/"Upgrade the member on cp-3"/);
    expect(message).toMatch(/STOP: cp-3 is not healthy on \d+\.\d+\.\d+ after 2 minutes/);
    const lab = run.lab;
    if (!lab) throw new Error('no lab');
    const log = lab.podLog(3, 'etcd', 400);
    expect(log).toContain('unmarshal should never fail');
    console.log(`upgrade without the 3.6 snapshot: ${message.split('\n')[0]}; cp-3's etcd: ${/"panic":"([^"]*)"/.exec(log)?.[1] ?? 'panic'}`);
  });
});
