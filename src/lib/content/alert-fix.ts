/**
 * Which runbooks fix an alert: the alert page's own `fix.runbooks` (with the situation that picks each), plus
 * every runbook whose `alerts` list names the alert, so the two sides cannot drift apart silently.
 */
export interface RunbookSummary {
  /** File name without `.mdx`, e.g. `etcd-quorum-loss`. */
  slug: string;
  title: string;
  description?: string | undefined;
  alerts: readonly string[];
  estimatedMinutes: number;
}

export interface AlertFixChoice {
  slug: string;
  title: string;
  estimatedMinutes: number;
  /** When to take this runbook; a runbook only linked through its `alerts` field shows its description. */
  when: string;
}

export function alertFixChoices(
  alertName: string,
  written: readonly { runbook: string; when: string }[],
  runbooks: readonly RunbookSummary[],
): AlertFixChoice[] {
  const bySlug = new Map(runbooks.map((runbook) => [runbook.slug, runbook]));
  const choices: AlertFixChoice[] = written.map(({ runbook, when }) => {
    const found = bySlug.get(runbook);
    if (!found) {
      throw new Error(
        `alert ${alertName}: fix.runbooks names "${runbook}", but there is no src/content/runbooks/${runbook}.mdx ` +
          `(runbooks: ${[...bySlug.keys()].join(', ')})`,
      );
    }
    return { slug: found.slug, title: found.title, estimatedMinutes: found.estimatedMinutes, when };
  });
  for (const runbook of runbooks) {
    if (runbook.alerts.includes(alertName) && !choices.some((choice) => choice.slug === runbook.slug)) {
      choices.push({
        slug: runbook.slug,
        title: runbook.title,
        estimatedMinutes: runbook.estimatedMinutes,
        when: runbook.description ?? `The runbook for ${alertName}`,
      });
    }
  }
  return choices;
}
