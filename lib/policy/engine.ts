// The guardrail engine: finds the pod specs inside any object (our kinds and the built-in workloads),
// runs the profile's rules on them, skips recorded exemptions, and reports each violation with the
// object, the field path and the rule id.

import type { PodSpec } from 'kubernetes-types/core/v1';
import { readExemptions } from './exemptions';
import { GuardrailPolicy, ResolvedPolicy, resolvePolicy } from './profiles';
import type { RuleId } from './rule-ids';
import { RULES } from './rules';

/** Any Kubernetes object, as parsed from YAML or produced by a builder. */
export interface PlainObject {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
  readonly spec?: unknown;
}

export interface Violation {
  /** `Kind namespace/name` of the object. */
  readonly object: string;
  /** Field path inside the object, e.g. `spec.podTemplate.spec.runtimeClassName`. */
  readonly path: string;
  readonly rule: RuleId;
  readonly message: string;
}

/** Where each kind keeps its pod spec. */
const POD_SPEC_PATHS: Record<string, readonly string[]> = {
  Sandbox: ['spec', 'podTemplate', 'spec'],
  SandboxTemplate: ['spec', 'podTemplate', 'spec'],
  Pod: ['spec'],
  Deployment: ['spec', 'template', 'spec'],
  StatefulSet: ['spec', 'template', 'spec'],
  DaemonSet: ['spec', 'template', 'spec'],
  ReplicaSet: ['spec', 'template', 'spec'],
  Job: ['spec', 'template', 'spec'],
  CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
};

function dig(obj: unknown, path: readonly string[]): unknown {
  return path.reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), obj);
}

/** `Kind namespace/name` (or `Kind name` for cluster-scoped objects). */
export function describeObject(obj: PlainObject): string {
  const { name = '<unnamed>', namespace } = obj.metadata ?? {};
  return `${obj.kind ?? '<no kind>'} ${namespace ? `${namespace}/` : ''}${name}`;
}

/** The rule ids that apply to objects of `kind` (empty for kinds the guardrails do not cover). */
export function rulesFor(kind: string | undefined, policy: ResolvedPolicy): RuleId[] {
  const target = kind === 'SandboxWarmPool' ? 'warmPool' : kind !== undefined && kind in POD_SPEC_PATHS ? 'pod' : undefined;
  return RULES.filter((r) => r.target === target && policy.rules.includes(r.id)).map((r) => r.id);
}

/** Violations of one object. A malformed exemption annotation is reported as an error. */
export function checkObject(obj: PlainObject, policy: GuardrailPolicy | ResolvedPolicy = {}): Violation[] {
  const resolved = 'rules' in policy ? policy : resolvePolicy(policy);
  const applicable = rulesFor(obj.kind, resolved);
  if (applicable.length === 0) return [];
  const exempt = readExemptions(obj.metadata?.annotations);
  const object = describeObject(obj);
  const violations: Violation[] = [];
  for (const rule of RULES) {
    if (!applicable.includes(rule.id) || exempt[rule.id] !== undefined) continue;
    if (rule.target === 'warmPool') {
      for (const f of rule.check((obj.spec ?? {}) as { replicas?: number }, resolved)) violations.push({ object, path: f.path, rule: rule.id, message: f.message });
      continue;
    }
    const specPath = POD_SPEC_PATHS[obj.kind!];
    const podSpec = dig(obj, specPath) as PodSpec | undefined;
    if (!podSpec) continue;
    for (const f of rule.check(podSpec, resolved)) violations.push({ object, path: `${specPath.join('.')}.${f.path}`, rule: rule.id, message: f.message });
  }
  return violations;
}

export function checkObjects(objects: readonly PlainObject[], policy: GuardrailPolicy = {}): Violation[] {
  const resolved = resolvePolicy(policy);
  return objects.flatMap((obj) => checkObject(obj, resolved));
}

/** One line per violation: `<object>: <path>: <message> [rule <id>]`. */
export function formatViolation(v: Violation): string {
  return `${v.object}: ${v.path}: ${v.message} [rule ${v.rule}]`;
}
