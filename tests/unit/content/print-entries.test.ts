import { describe, expect, it } from 'vitest';
import { printEntries } from '../../../src/lib/content/print-entries';

const DOCS = [
  { id: 'runbooks/index', data: { title: 'Runbooks' } },
  { id: 'runbooks/etcd-nospace', data: { title: 'Clear the etcd NOSPACE alarm' } },
  { id: 'runbooks/apiserver-load-balancing', data: { title: 'Load-balance the API servers' } },
  { id: 'alerts/etcdnoleader', data: { title: 'etcdNoLeader' } },
  { id: 'runbooks-old/x', data: { title: 'Not a runbook' } },
];

describe('printEntries', () => {
  it('lists a section without its index page, by title, with slug and address below the base path', () => {
    expect(printEntries(DOCS, 'runbooks', '/handbook/')).toEqual([
      { id: 'runbooks/etcd-nospace', slug: 'etcd-nospace', title: 'Clear the etcd NOSPACE alarm', path: '/handbook/runbooks/etcd-nospace/' },
      { id: 'runbooks/apiserver-load-balancing', slug: 'apiserver-load-balancing', title: 'Load-balance the API servers', path: '/handbook/runbooks/apiserver-load-balancing/' },
    ]);
    expect(printEntries(DOCS, 'alerts', '/').map((entry) => entry.path)).toEqual(['/alerts/etcdnoleader/']);
  });
});
