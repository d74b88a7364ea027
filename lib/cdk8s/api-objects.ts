// Turns builder output into cdk8s ApiObjects, and defers building until the props are known to be valid
// so bad input surfaces as a validation error that names the construct path instead of a bare throw.

import { ApiObject, Chart, Names } from 'cdk8s';
import { Construct } from 'constructs';
import type { Manifest } from '../builders/manifest';

/** One ApiObject per built object. A single object gets the id `Resource` (cdk8s-plus convention). */
export function addApiObjects(scope: Construct, objects: readonly Manifest[]): ApiObject[] {
  if (objects.length === 1) return [new ApiObject(scope, 'Resource', objects[0])];
  return objects.map((obj) => new ApiObject(scope, objectId(obj), obj));
}

/** A construct id unique per kind, namespace and name. */
export function objectId(obj: Manifest): string {
  return [obj.kind, obj.metadata.namespace, obj.metadata.name].filter((p) => p !== undefined).join('-');
}

/**
 * Registers `problems` as the construct's validation and calls `build` only when there are none: invalid
 * props then fail synth with "[<construct path>] <problem>" rather than throwing from the constructor.
 */
export function buildWhenValid<T>(scope: Construct, problems: readonly string[], build: () => T): T | undefined {
  scope.node.addValidation({ validate: () => [...problems] });
  return problems.length === 0 ? build() : undefined;
}

/** The namespace objects default to: the chart's, else "default". */
export function defaultNamespace(scope: Construct): string {
  return Chart.of(scope).namespace ?? 'default';
}

/** A DNS-compatible name derived from the construct path (stable across synths). */
export function defaultName(scope: Construct): string {
  return Names.toDnsLabel(scope);
}
