// Shared shapes and checks for builder output: every object a builder returns is a plain, named
// Kubernetes object that cdk8s, Pulumi and the guardrails can consume without conversion.

import type { ObjectMeta } from 'kubernetes-types/meta/v1';

/** Identity every built object carries (kubernetes-types leaves these optional; builders always set them). */
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: ObjectMeta & { name: string };
}

/** A kubernetes-types object with its identity filled in. */
export type Built<T> = T & Manifest;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Problem text when `value` is not a DNS-1123 label (namespace and Service names). */
export function dnsLabelProblem(field: string, value: string): string | undefined {
  if (value.length > 63 || !DNS_LABEL.test(value)) {
    return `${field} ${JSON.stringify(value)} must be a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters)`;
  }
  return undefined;
}

/** Problem text when `value` is not a DNS-1123 subdomain (names of most other objects). */
export function dnsSubdomainProblem(field: string, value: string): string | undefined {
  if (value.length > 253 || !DNS_SUBDOMAIN.test(value)) {
    return `${field} ${JSON.stringify(value)} must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', at most 253 characters)`;
  }
  return undefined;
}

/**
 * Throws one error listing every problem, prefixed by what was being built. Builders call this so a
 * direct (non-cdk8s) caller still gets the same message a construct's validation reports.
 */
export function assertNoProblems(what: string, problems: readonly (string | undefined)[]): void {
  const real = problems.filter((p): p is string => p !== undefined);
  if (real.length > 0) throw new Error(`${what}: ${real.join('; ')}`);
}

/** Returns `record` without undefined values, so optional props never emit `key: undefined`. */
export function compact<T extends object>(record: T): T {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as T;
}
