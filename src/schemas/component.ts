import { z } from 'astro/zod';

/**
 * The control-plane parts a page is about. The list is closed so that a typo ("kube-apiserve") fails the build
 * instead of silently creating a new category; add a name here when a page needs one.
 */
export const ControlPlaneComponentSchema = z.enum([
  'etcd',
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'load-balancer',
  'kubelet',
  'kubeadm',
  'certificates',
  'node',
]);

export type ControlPlaneComponent = z.infer<typeof ControlPlaneComponentSchema>;
