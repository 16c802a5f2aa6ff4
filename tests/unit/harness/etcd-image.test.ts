/**
 * The lab's kubelet stand-in runs `handbook-lab/etcd:<version>-<n>` from the lab cache's etcd-<version> binaries,
 * which is what makes the upgrade page's image-tag edit an etcd upgrade on the lab. An image the cache lacks must
 * not start (a real kubelet cannot pull it), and other images must keep running from the node's PATH.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { etcdImageBinDir } from '../../lab/standin';

describe('etcd image tag to lab binaries', () => {
  const cache = mkdtempSync(path.join(tmpdir(), 'etcd-image-'));
  mkdirSync(path.join(cache, 'etcd-3.6.16'));
  writeFileSync(path.join(cache, 'etcd-3.6.16', 'etcd'), '');
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  test('a tag the cache holds runs that version', () => {
    expect(etcdImageBinDir('handbook-lab/etcd:3.6.16-0', cache)).toEqual({ binDir: path.join(cache, 'etcd-3.6.16') });
  });

  test('a tag the cache lacks does not start, and says why', () => {
    const result = etcdImageBinDir('handbook-lab/etcd:3.6.99-0', cache);
    expect(result && 'error' in result ? result.error : '').toMatch(/handbook-lab\/etcd:3\.6\.99-0 is not in the lab .*ErrImagePull/);
  });

  test('other images, malformed tags and a stand-in without a cache keep the node PATH', () => {
    expect(etcdImageBinDir('kube-apiserver:lab-stand-in', cache)).toBeUndefined();
    expect(etcdImageBinDir('registry.k8s.io/etcd:3.6.16-0', cache)).toBeUndefined();
    expect(etcdImageBinDir('handbook-lab/etcd:3.6-0', cache)).toBeUndefined();
    expect(etcdImageBinDir('handbook-lab/etcd:3.6.16-0', undefined)).toBeUndefined();
  });
});
