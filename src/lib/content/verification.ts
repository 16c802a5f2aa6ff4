/**
 * What a runbook's "Verified" claim means in versions: the etcd and Kubernetes minors a page claims (`verified` in its
 * frontmatter), narrowed by a block's own `etcd="3.6,3.7"` attribute, mapped to the patch releases the lab builds
 * and the scenario tests run (`lab/versions.json`, the one place versions are written). The page header, each code
 * block's frame and the claim check after the runbook tests all read these functions, so they cannot disagree.
 */
import labVersions from '../../../lab/versions.json' with { type: 'json' };

export interface LabVersions {
  etcd: Readonly<Record<string, string | undefined>>;
  kubernetes: Readonly<Record<string, string | undefined>>;
}

export const LAB_VERSIONS: LabVersions = { etcd: labVersions.etcd, kubernetes: labVersions.kubernetes };

/** The products the lab runs, in the order captions name them. */
export const LAB_PRODUCTS = ['kubernetes', 'etcd'] as const;
export type LabProduct = (typeof LAB_PRODUCTS)[number];

const PRODUCT_NAMES: Readonly<Record<LabProduct, string>> = { kubernetes: 'Kubernetes', etcd: 'etcd' };

/** A minor the page claims, with the patch release the lab runs for it (`undefined`: the lab builds no such minor). */
export interface ClaimedVersion {
  product: LabProduct;
  minor: string;
  patch: string | undefined;
}

/** One product's minors as written in frontmatter: a list (`['3.5', '3.6']`) or one string (`'3.5'`, `'3.5, 3.6'`). */
export type MinorsClaim = string | readonly string[] | undefined;

/**
 * A page's `verified` frontmatter: etcd minors (etcd lab) and/or Kubernetes minors (kubeadm lab). A bare list or
 * string means etcd minors, as the etcd pages wrote it first.
 */
export type PageClaim = { etcd?: MinorsClaim; kubernetes?: MinorsClaim } | MinorsClaim;

/** A list of minors as written, deduplicated, in the page's order. */
export function claimedMinors(claim: MinorsClaim): string[] {
  if (claim === undefined) return [];
  const items = typeof claim === 'string' ? claim.split(',') : [...claim];
  return [...new Set(items.map((item) => String(item).trim()).filter((item) => item !== ''))];
}

/** The claimed minors of one product. */
export function claimedMinorsOf(claim: PageClaim, product: LabProduct): string[] {
  if (claim === undefined || typeof claim === 'string' || Array.isArray(claim)) return product === 'etcd' ? claimedMinors(claim as MinorsClaim) : [];
  return claimedMinors((claim as { etcd?: MinorsClaim; kubernetes?: MinorsClaim })[product]);
}

/**
 * The versions a block ran on: the page's claimed minors (Kubernetes first, then etcd), the etcd ones narrowed to
 * the block's `etcd="..."` list when it has one, each with its patch from `lab/versions.json`.
 */
export function versionsForBlock(pageClaim: PageClaim, etcdRestriction?: string, lab: LabVersions = LAB_VERSIONS): ClaimedVersion[] {
  const restriction = etcdRestriction === undefined ? undefined : new Set(claimedMinors(etcdRestriction));
  return LAB_PRODUCTS.flatMap((product) =>
    claimedMinorsOf(pageClaim, product)
      .filter((minor) => product !== 'etcd' || restriction === undefined || restriction.has(minor))
      .map((minor) => ({ product, minor, patch: lab[product][minor] })),
  );
}

/**
 * `etcd 3.5.35 · 3.6.16` or `Kubernetes 1.37.2 · etcd 3.7.3`; a minor the lab does not build shows as the bare minor,
 * which the claim check refuses.
 */
export function versionList(versions: readonly ClaimedVersion[]): string {
  return LAB_PRODUCTS.map((product) => versions.filter((version) => version.product === product))
    .filter((ofProduct) => ofProduct.length > 0)
    .map((ofProduct) => `${PRODUCT_NAMES[ofProduct[0]!.product]} ${ofProduct.map((version) => version.patch ?? version.minor).join(' · ')}`)
    .join(' · ');
}

/** The caption in a verified block's frame, e.g. "Ran in CI · etcd 3.5.35 · 3.6.16 · 3.7.3". */
export function ranCaption(versions: readonly ClaimedVersion[]): string {
  return versions.length === 0 ? 'Ran in CI' : `Ran in CI · ${versionList(versions)}`;
}

/** The caption of a `noverify` block: the page's reason, after a fixed prefix. */
export function notRunCaption(reason: string): string {
  return `Not run in CI: ${reason.trim()}`;
}

/** The caption of an `output` block. */
export const OUTPUT_CAPTION = 'Expected output';
