// Wire-format types of the v1alpha1 versions we serve for compatibility (upstream's v1alpha1 shapes).
// Only what differs from v1beta1 is spelled out; everything else is the v1beta1 type.

import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import type {
  SandboxClaimSpec, SandboxClaimStatus, SandboxSpec, SandboxStatus, SandboxTemplateSpec, SandboxWarmPoolSpec,
  SandboxWarmPoolStatus,
} from '../types';

export interface SandboxSpecV1alpha1 extends Omit<SandboxSpec, 'operatingMode'> {
  /** 0 suspends the sandbox, 1 runs it (v1beta1 `operatingMode`). @default 1 */
  replicas?: number;
}

export interface SandboxStatusV1alpha1 extends Omit<SandboxStatus, 'nodeName'> {
  /** 1 when the sandbox is meant to run, 0 when suspended. */
  replicas?: number;
}

export interface SandboxV1alpha1 {
  apiVersion: 'agents.x-k8s.io/v1alpha1';
  kind: 'Sandbox';
  metadata: ObjectMeta;
  spec: SandboxSpecV1alpha1;
  status?: SandboxStatusV1alpha1;
}

export interface SandboxTemplateV1alpha1 {
  apiVersion: 'extensions.agents.x-k8s.io/v1alpha1';
  kind: 'SandboxTemplate';
  metadata: ObjectMeta;
  spec: Omit<SandboxTemplateSpec, 'volumeClaimTemplatesPolicy'>;
}

export interface SandboxWarmPoolV1alpha1 {
  apiVersion: 'extensions.agents.x-k8s.io/v1alpha1';
  kind: 'SandboxWarmPool';
  metadata: ObjectMeta;
  spec: SandboxWarmPoolSpec;
  status?: Omit<SandboxWarmPoolStatus, 'observedGeneration'>;
}

/** `none` and `default` (the default) let the controller choose; any other value names one SandboxWarmPool. */
export type WarmPoolPolicyV1alpha1 = string;

export interface SandboxClaimSpecV1alpha1 extends Omit<SandboxClaimSpec, 'warmPoolRef' | 'volumeClaimTemplates'> {
  sandboxTemplateRef?: { name?: string };
  warmpool?: WarmPoolPolicyV1alpha1;
}

export interface SandboxClaimV1alpha1 {
  apiVersion: 'extensions.agents.x-k8s.io/v1alpha1';
  kind: 'SandboxClaim';
  metadata: ObjectMeta;
  spec: SandboxClaimSpecV1alpha1;
  status?: SandboxClaimStatus;
}

export type AnyV1alpha1Object = SandboxV1alpha1 | SandboxTemplateV1alpha1 | SandboxWarmPoolV1alpha1 | SandboxClaimV1alpha1;
