export type LabProduct = 'etcd' | 'kubernetes';
export interface LabVersions {
  etcd: Record<string, string>;
  kubernetes: Record<string, string>;
}
/** Absolute path of the lab/ directory. */
export const LAB_DIR: string;
/** ${HANDBOOK_LAB_CACHE:-~/.cache/handbook-lab}, absolute. */
export function labCacheDir(): string;
export function readLabVersions(): LabVersions;
/** The patch version for a minor, e.g. labVersion('etcd', '3.6') === '3.6.16'; throws if the minor is not listed. */
export function labVersion(name: LabProduct, minor: string): string;
/** The cache directory holding that version's binaries (it may not exist yet). */
export function labBinDir(name: LabProduct, minor: string): string;
/** Path of one binary; throws, naming the command that builds it, when it is missing. */
export function labBinary(name: LabProduct, minor: string, binary: string): string;
