// Optional name/namespace props shared by the sandbox-kind constructs (cdk8s-style defaults).

import type { Construct } from 'constructs';
import { defaultName, defaultNamespace } from './api-objects';

export interface NamingProps {
  /** Object name. @default - generated from the construct path (stable, DNS-compatible) */
  readonly name?: string;
  /** Namespace. @default - the chart's namespace, else "default" */
  readonly namespace?: string;
}

/** Resolves name and namespace against the scope. */
export function resolveNaming(scope: Construct, props: NamingProps): { name: string; namespace: string } {
  return { name: props.name ?? defaultName(scope), namespace: props.namespace ?? defaultNamespace(scope) };
}
