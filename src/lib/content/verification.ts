/**
 * What a runbook's "Verified" claim means in versions: the etcd minors a page claims (`verified.etcd` in its
 * frontmatter), narrowed by a block's own `etcd="3.6,3.7"` attribute, mapped to the patch releases the lab builds
 * and the scenario tests run (`lab/versions.json`, the one place versions are written). The page header, each code
 * block's frame and the claim check after the runbook tests all read these functions, so they cannot disagree.
 */
import labVersions from '../../../lab/versions.json' with { type: 'json' };

export interface LabVersions {
  etcd: Readonly<Record<string, string>>;
  kubernetes: Readonly<Record<string, string>>;
}

export const LAB_VERSIONS: LabVersions = { etcd: labVersions.etcd, kubernetes: labVersions.kubernetes };

/** A minor the page claims, with the patch release the lab runs for it (`undefined`: the lab builds no such minor). */
export interface ClaimedVersion {
  minor: string;
  patch: string | undefined;
}

/** `verified.etcd` as written: a list of minors (`['3.5', '3.6']`), or one string (`'3.5'`, `'3.5, 3.6'`). */
export function claimedMinors(claim: string | readonly string[] | undefined): string[] {
  if (claim === undefined) return [];
  const items = typeof claim === 'string' ? claim.split(',') : [...claim];
  return [...new Set(items.map((item) => String(item).trim()).filter((item) => item !== ''))];
}

/**
 * The versions a block ran on: the page's claimed minors, narrowed to the block's `etcd="..."` list when it has one,
 * in the page's order, each with its patch from `lab/versions.json`.
 */
export function versionsForBlock(
  pageClaim: string | readonly string[] | undefined,
  blockRestriction?: string,
  lab: LabVersions = LAB_VERSIONS,
): ClaimedVersion[] {
  const restriction = blockRestriction === undefined ? undefined : new Set(claimedMinors(blockRestriction));
  return claimedMinors(pageClaim)
    .filter((minor) => restriction === undefined || restriction.has(minor))
    .map((minor) => ({ minor, patch: lab.etcd[minor] }));
}

/** `3.5.35 · 3.6.16`; a minor the lab does not build shows as the bare minor, which the claim check refuses. */
export function versionList(versions: readonly ClaimedVersion[]): string {
  return versions.map((version) => version.patch ?? version.minor).join(' · ');
}

/** The caption in a verified block's frame, e.g. "Ran in CI · etcd 3.5.35 · 3.6.16 · 3.7.3". */
export function ranCaption(versions: readonly ClaimedVersion[]): string {
  return versions.length === 0 ? 'Ran in CI' : `Ran in CI · etcd ${versionList(versions)}`;
}

/** The caption of a `noverify` block: the page's reason, after a fixed prefix. */
export function notRunCaption(reason: string): string {
  return `Not run in CI: ${reason.trim()}`;
}

/** The caption of an `output` block. */
export const OUTPUT_CAPTION = 'Expected output';
