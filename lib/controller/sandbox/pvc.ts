// The Sandbox's PersistentVolumeClaims: one per volumeClaimTemplate, named `<template name>-<sandbox name>`.
// The controller creates and adopts them but never deletes them (garbage collection does, with the Sandbox).
import type { PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import { LABEL } from '../../api/metadata-keys';
import { nameHash } from '../../api/name-hash';
import type { PersistentVolumeClaimTemplate, Sandbox } from '../../api/types';
import { controllerRefTo, sandboxOwner } from '../shared/ownership';

export function pvcName(sandbox: Sandbox, vct: PersistentVolumeClaimTemplate): string {
  return `${vct.metadata?.name ?? ''}-${sandbox.metadata.name}`;
}

export function buildPvc(sandbox: Sandbox, vct: PersistentVolumeClaimTemplate): PersistentVolumeClaim {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: {
      name: pvcName(sandbox, vct),
      namespace: sandbox.metadata.namespace,
      labels: { ...vct.metadata?.labels, [LABEL.sandboxNameHash]: nameHash(sandbox.metadata.name ?? '') },
      annotations: vct.metadata?.annotations,
      ownerReferences: [controllerRefTo(sandboxOwner(sandbox))],
    },
    spec: structuredClone(vct.spec),
  };
}
