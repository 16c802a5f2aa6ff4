import { z } from 'astro/zod';
import { CalculatorIdSchema } from './calculator-id';
import { ControlPlaneComponentSchema } from './component';
import { SeveritySchema } from './severity';

/**
 * A version range written for people, e.g. `"1.35 – 1.37"` or `"3.5.x, 3.6.x and 3.7.x"`. Kept as text so the reader
 * sees it as written; `tests/unit/content/versions.test.ts` reads the minors it names and compares them with the
 * `supported` lists of `lab/versions.json`.
 */
const VersionRangeText = z.string().trim().min(1, 'must name at least one version');

/**
 * Which etcd minors (etcd lab) or Kubernetes minors (kubeadm lab, tests/lab/kube.ts) the runbook's verified blocks
 * run on in CI. Present only on runbooks whose commands are executed by the verification harness
 * (`tests/runbooks`); patch versions come from `lab/versions.json`.
 */
export const RunbookVerificationSchema = z
  .strictObject({
    /** etcd minors the scenario tests run the page on, e.g. `['3.5', '3.6', '3.7']`. */
    etcd: z.array(z.string().regex(/^\d+\.\d+$/, 'an etcd minor such as 3.6')).min(1, 'name at least one etcd minor').optional(),
    /** Kubernetes minors a page run on the kubeadm lab is verified on, e.g. `['1.37']`. */
    kubernetes: z.array(z.string().regex(/^\d+\.\d+$/, 'a Kubernetes minor such as 1.37')).min(1, 'name at least one Kubernetes minor').optional(),
    /** Names of the harness scenarios that execute this page's blocks (`verify=<scenario>` code-fence meta). */
    scenarios: z.array(z.string().regex(/^[a-z0-9-]+$/, 'use lower-case words joined by dashes')).min(1),
  })
  .refine((verified) => verified.etcd !== undefined || verified.kubernetes !== undefined, { message: 'name the etcd or the Kubernetes minors the scenarios run on' });

/**
 * The "Quick path" under a runbook's header: which situation goes to which section, and what stops you. `go` is
 * the id of a heading on the page (`restore-the-whole-cluster`) or a root-relative link to another page
 * (`/runbooks/etcd-quorum-loss/`); the build fails when a heading id does not exist, so a renamed heading cannot
 * leave a dead jump link.
 */
export const QuickPathSchema = z.strictObject({
  routes: z
    .array(
      z.strictObject({
        /** The situation, in the reader's words; `code` in backticks is shown as code. */
        situation: z.string().trim().min(1).max(160),
        go: z.string().regex(/^([a-z0-9-]+|\/[a-z0-9/-]*\/)$/, 'a heading id such as procedure, or a path such as /runbooks/etcd-quorum-loss/'),
        /** Added after the link, e.g. `start at step 5`. */
        note: z.string().trim().min(1).max(80).optional(),
      }),
    )
    .min(1)
    .max(5, 'a quick path is short: at most five routes'),
  /** The escalation criteria in one line; the full list stays in "Stop and escalate if". */
  stop: z.string().trim().min(1).max(200),
});

/**
 * Frontmatter every page under `src/content/runbooks/` must carry, on top of Starlight's `title` and `description`.
 * The loader in `content.config.ts` enforces it for that folder only; elsewhere these fields are optional.
 */
export const RunbookFieldsSchema = z.object({
  /** How bad the situation this procedure answers usually is. */
  severity: SeveritySchema,
  /** The control-plane components the procedure touches; at least one. */
  components: z.array(ControlPlaneComponentSchema).min(1, 'name at least one component'),
  /** Names of the alerts that lead here, exactly as Prometheus fires them (e.g. `etcdNoLeader`); may be empty. */
  alerts: z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'an alert name is letters and digits only')),
  /** The versions the commands were written and checked for. */
  appliesTo: z.strictObject({
    /** Kubernetes (and kubeadm) versions, e.g. `"1.35 – 1.37"`. */
    kubernetes: VersionRangeText,
    /** etcd versions, e.g. `"3.5.x, 3.6.x and 3.7.x; not 3.4, which is end of life"`. */
    etcd: VersionRangeText,
    /** Other software the commands were checked with, e.g. `"HAProxy 2.6 (checked with 2.6.12); keepalived 2.2"`. */
    other: VersionRangeText.optional(),
  }),
  /** When a person last checked the page against reality; pages older than the review age show a notice. */
  lastReviewed: z.coerce.date(),
  /** Teams or people who keep the page correct; at least one. */
  owners: z.array(z.string().trim().min(1)).min(1, 'name at least one owner'),
  /** Typical time to complete the procedure, in minutes. */
  estimatedMinutes: z.number().int('must be a whole number of minutes').positive().max(24 * 60),
  /** Ids of calculators that help with this procedure; linked from the page header. */
  calculators: z.array(CalculatorIdSchema).optional(),
  /** Set when the page's commands run in CI against a real etcd; renders the "Verified in CI" note. */
  verified: RunbookVerificationSchema.optional(),
  /** The quick path shown under the header; without it, one is derived from the page's headings. */
  quickPath: QuickPathSchema.optional(),
});

export type RunbookFields = z.infer<typeof RunbookFieldsSchema>;
