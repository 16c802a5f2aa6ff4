import { z } from 'astro/zod';

/**
 * How urgently a page needs a human. Shared by runbooks and alert pages so the badge colours and the alert
 * index mean the same thing everywhere. The three levels match the `severity` label of the upstream
 * Prometheus mixins (etcd `contrib/mixin`, kubernetes-mixin), plus `info` for procedures nobody gets paged for.
 */
export const SeveritySchema = z.enum(['critical', 'warning', 'info']);

export type Severity = z.infer<typeof SeveritySchema>;
