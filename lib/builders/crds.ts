// The CRDs on their own, for installations that keep them apart from the controller (a CRDs-only chart or
// stack, the release's crds.yaml): CRDs have a cluster-wide lifecycle and are often owned by a different team.

import type { CustomResourceDefinition } from 'kubernetes-types/apiextensions/v1';
import { allCrds, SANDBOX, SANDBOX_CLAIM, SANDBOX_TEMPLATE, SANDBOX_WARM_POOL, sandboxCrd } from '../api';
import type { Built } from './manifest';

export interface SandboxCrdsProps {
  /**
   * Include the extensions group (SandboxTemplate, SandboxWarmPool, SandboxClaim), which the controller serves
   * with `flags.extensions`. false installs only the core Sandbox CRD, as upstream's `manifest.yaml` does.
   * @default true
   */
  readonly extensions?: boolean;
}

/** The CustomResourceDefinitions, core group first. */
export function buildCrds(props: SandboxCrdsProps = {}): Built<CustomResourceDefinition>[] {
  return (props.extensions ?? true ? allCrds() : [sandboxCrd()]) as Built<CustomResourceDefinition>[];
}

/** The names of the CRDs `buildCrds(props)` makes, in the same order, without building their schemas. */
export function crdNames(props: SandboxCrdsProps = {}): string[] {
  return (props.extensions ?? true ? [SANDBOX, SANDBOX_TEMPLATE, SANDBOX_WARM_POOL, SANDBOX_CLAIM] : [SANDBOX]).map((kind) => kind.crdName);
}
