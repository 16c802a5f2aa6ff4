/**
 * Build-scaling benchmark: builds throw-away copies of the handbook (under `.cache/`, see
 * tests/content/helpers/project-copy.ts) with 50 and with 500 generated runbooks added to the real pages, and
 * prints the wall time per built page, plus the marginal cost of each extra runbook. The generated pages look
 * like real ones: full frontmatter, a Steps procedure, code blocks, an aside and tabs.
 *
 * Usage: node scripts/bench-build.ts [count ...]   (default: 50 500)
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { astroBuild, copyProject } from '../tests/content/helpers/project-copy.ts';

const counts = process.argv.slice(2).map(Number).filter((count) => Number.isInteger(count) && count > 0);
const RUNBOOK_COUNTS = counts.length > 0 ? counts : [50, 500];

function generatedRunbook(index: number, today: string): string {
  const number = String(index).padStart(4, '0');
  return `---
title: Generated runbook ${number}
description: Benchmark page ${number}, shaped like a real runbook.
severity: ${['critical', 'warning', 'info'][index % 3]}
components: [etcd, kube-apiserver]
alerts: []
appliesTo:
  kubernetes: '1.29 – 1.35'
  etcd: '3.5.x, 3.6.x'
lastReviewed: ${today}
owners: [bench]
estimatedMinutes: ${10 + (index % 50)}
---

import { Aside, Steps, Tabs, TabItem } from '@astrojs/starlight/components';

## When to use this

Member ${number} of a benchmark cluster reports a problem that this page walks through step by step.

## Set up your shell

\`\`\`bash
export ETCDCTL_ENDPOINTS=https://10.0.${index % 250}.11:2379
export ETCDCTL_CACERT=/etc/kubernetes/pki/etcd/ca.crt
\`\`\`

## Procedure

<Steps>

1. Check the member list and the health of every endpoint.

   \`\`\`bash
   etcdctl member list -w table
   etcdctl endpoint health --cluster -w table
   \`\`\`

2. Take a snapshot before changing anything.

   \`\`\`bash
   etcdctl snapshot save /var/backups/etcd-${number}.db
   \`\`\`

3. Compare the database sizes.

   <Tabs syncKey="etcd-version">
   <TabItem label="etcd 3.4">
   \`\`\`bash
   etcdctl endpoint status --cluster -w table
   \`\`\`
   </TabItem>
   <TabItem label="etcd 3.5+">
   \`\`\`bash
   etcdctl endpoint status --cluster -w json
   \`\`\`
   </TabItem>
   </Tabs>

</Steps>

<Aside type="caution">Stop and escalate if more than one member is unhealthy.</Aside>

## Roll back

Restore the snapshot taken in step 2 with the backup runbook.

## Sources

- The etcd operations guide.
`;
}

function countPages(dist: string): number {
  return readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.html')).length;
}

interface BenchResult {
  runbooks: number;
  pages: number;
  seconds: number;
}

const results: BenchResult[] = [];
const today = new Date().toISOString().slice(0, 10);
for (const runbooks of RUNBOOK_COUNTS) {
  const project = copyProject();
  try {
    const runbookDir = path.join(project.dir, 'src/content/runbooks');
    for (let index = 1; index <= runbooks; index += 1) {
      writeFileSync(path.join(runbookDir, `bench-${String(index).padStart(4, '0')}.mdx`), generatedRunbook(index, today));
    }
    const started = performance.now();
    const build = astroBuild(project.dir);
    const seconds = (performance.now() - started) / 1000;
    if (build.status !== 0) {
      console.error(build.output.slice(-4000));
      throw new Error(`build with ${runbooks} generated runbooks failed`);
    }
    const pages = countPages(path.join(project.dir, 'dist'));
    results.push({ runbooks, pages, seconds });
    console.log(
      `${runbooks} generated runbooks: ${pages} pages in ${seconds.toFixed(1)} s = ${((seconds * 1000) / pages).toFixed(0)} ms per page`,
    );
  } finally {
    project.remove();
  }
}

const first = results[0];
const last = results.at(-1);
if (first && last && last.pages > first.pages) {
  const marginalMs = ((last.seconds - first.seconds) * 1000) / (last.pages - first.pages);
  console.log(`Marginal cost from ${first.runbooks} to ${last.runbooks} runbooks: ${marginalMs.toFixed(0)} ms per extra page`);
}
