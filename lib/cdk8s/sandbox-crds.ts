// SandboxCrds: the four CustomResourceDefinitions alone, so they can live in their own chart (applied and
// Established before the charts that create our objects). Pair with `AgentSandboxSystem({ installCrds: false })`.

import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { buildCrds, type SandboxCrdsProps } from '../builders/crds';
import { addApiObjects } from './api-objects';

export type { SandboxCrdsProps } from '../builders/crds';

export class SandboxCrds extends Construct {
  /** Names of the CustomResourceDefinitions, e.g. `sandboxes.agents.x-k8s.io`. */
  public readonly crdNames: readonly string[];
  /** The emitted CustomResourceDefinitions, core group first. */
  public readonly apiObjects: readonly ApiObject[];

  constructor(scope: Construct, id: string, props: SandboxCrdsProps = {}) {
    super(scope, id);
    const crds = buildCrds(props);
    this.crdNames = crds.map((crd) => crd.metadata.name);
    this.apiObjects = addApiObjects(this, crds);
  }
}
