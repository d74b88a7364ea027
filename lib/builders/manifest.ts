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

// The grammars the API server parses these with (resource.Quantity, RFC 3339 as metav1.Time, Prometheus durations).
const QUANTITY = /^[+-]?(\d+(\.\d*)?|\.\d+)(([KMGTPE]i)|[numkMGTPE]|[eE][+-]?(\d+(\.\d*)?|\.\d+))?$/;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const PROMETHEUS_DURATION = /^(0|(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?)$/;

/** Problem text when `value` is not a Kubernetes quantity such as "500m", "2Gi" or "1e3". */
export function quantityProblem(field: string, value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return undefined;
  if (typeof value === 'string' && QUANTITY.test(value)) return undefined;
  return `${field} ${JSON.stringify(value)} is not a quantity (e.g. "500m", "2Gi", "1")`;
}

const QUANTITY_SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
};

/** The value of a quantity ("1Gi" is 1073741824, "500m" is 0.5); NaN when it is not one. */
export function quantityValue(value: string | number): number {
  if (typeof value === 'number') return value;
  if (!QUANTITY.test(value)) return NaN;
  const [, number, suffix] = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)(.*)$/.exec(value)!;
  return Number(number) * (QUANTITY_SUFFIX[suffix!] ?? NaN);
}

/** Problems for every value of a quantity map such as resource requests, quota `hard` or pod overhead. */
export function quantityMapProblems(field: string, values: Record<string, unknown> | undefined): string[] {
  return Object.entries(values ?? {}).map(([key, value]) => quantityProblem(`${field}[${JSON.stringify(key)}]`, value)).filter((p): p is string => p !== undefined);
}

/** Problem text when a string `value` is not an RFC 3339 time such as "2030-01-02T15:04:05Z" (Dates are always fine). */
export function rfc3339Problem(field: string, value: string | Date | undefined): string | undefined {
  if (value === undefined || value instanceof Date) return value instanceof Date && Number.isNaN(value.getTime()) ? `${field} is an invalid Date` : undefined;
  if (RFC3339.test(value) && !Number.isNaN(Date.parse(value))) return undefined;
  return `${field} ${JSON.stringify(value)} is not an RFC 3339 time (e.g. "2030-01-02T15:04:05Z")`;
}

/** Problem text when `value` is not a Prometheus duration such as "30s" or "1m30s". */
export function prometheusDurationProblem(field: string, value: string | undefined): string | undefined {
  if (value === undefined || (value !== '' && PROMETHEUS_DURATION.test(value))) return undefined;
  return `${field} ${JSON.stringify(value)} is not a duration (e.g. "30s", "1m30s")`;
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
