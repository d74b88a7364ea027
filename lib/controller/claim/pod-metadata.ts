// Validation of a claim's additionalPodMetadata (label domain allow-list, reserved annotation domains, router
// spoofing) and the "no overrides" merge of claim metadata into template pod metadata.
import { readFileSync } from 'node:fs';
import { ANNOTATION, LABEL, ROUTER_APP_VALUE } from '../../api/metadata-keys';
import type { PodMetadata } from '../../api/types';
import { failures } from './failure';

/** Where the operator's ConfigMap `agent-sandbox-config` is mounted (optional). */
export const ALLOWED_LABEL_DOMAINS_FILE = '/etc/sandbox-config/allowed-label-domains';
export const DEFAULT_ALLOWED_LABEL_DOMAINS: readonly string[] = ['sandbox.users.io'];
const RESERVED_ANNOTATION_DOMAINS = ['kubernetes.io', 'k8s.io', 'agents.x-k8s.io'];

const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** Reads the allow-list (comma or newline separated); the default when the file is absent or empty. */
export function loadAllowedLabelDomains(file = ALLOWED_LABEL_DOMAINS_FILE): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [...DEFAULT_ALLOWED_LABEL_DOMAINS];
  }
  const domains = text.split(/[,\n]/).map((d) => d.trim().toLowerCase()).filter(Boolean);
  return domains.length > 0 ? domains : [...DEFAULT_ALLOWED_LABEL_DOMAINS];
}

/** Why `key` is not a Kubernetes qualified name, or undefined when it is one. */
export function qualifiedNameProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return 'prefix must be a DNS subdomain';
  }
  if (name.length === 0 || name.length > 63 || !NAME_PART.test(name)) {
    return 'name part must be 1-63 alphanumerics, "-", "_" or ".", starting and ending with an alphanumeric';
  }
  return undefined;
}

function prefixOf(key: string): string | undefined {
  const slash = key.indexOf('/');
  return slash < 0 ? undefined : key.slice(0, slash).toLowerCase();
}

function inDomain(prefix: string, domain: string): boolean {
  return prefix === domain || prefix.endsWith(`.${domain}`);
}

/** Throws InvalidMetadata naming the first offending key of `spec.additionalPodMetadata`. */
export function validateAdditionalPodMetadata(meta: PodMetadata | undefined, allowedLabelDomains: readonly string[]): void {
  for (const [key, value] of Object.entries(meta?.labels ?? {})) {
    const where = `spec.additionalPodMetadata.labels["${key}"]`;
    const problem = qualifiedNameProblem(key);
    if (problem) throw failures.invalidMetadata(`${where}: invalid key: ${problem}`);
    if (key.toLowerCase() === LABEL.routerApp && value.toLowerCase() === ROUTER_APP_VALUE) {
      throw failures.invalidMetadata(`${where}: "${value}" would impersonate the sandbox router`);
    }
    const prefix = prefixOf(key);
    if (!prefix || !allowedLabelDomains.some((d) => inDomain(prefix, d))) {
      throw failures.invalidMetadata(`${where}: label keys must be prefixed with an allowed domain (${allowedLabelDomains.join(', ')})`);
    }
    if (value.length > 63 || !LABEL_VALUE.test(value)) {
      throw failures.invalidMetadata(`${where}: invalid label value "${value}"`);
    }
  }
  for (const key of Object.keys(meta?.annotations ?? {})) {
    const where = `spec.additionalPodMetadata.annotations["${key}"]`;
    const problem = qualifiedNameProblem(key);
    if (problem) throw failures.invalidMetadata(`${where}: invalid key: ${problem}`);
    const prefix = prefixOf(key);
    if (key !== ANNOTATION.safeToEvict && prefix && RESERVED_ANNOTATION_DOMAINS.some((d) => inDomain(prefix, d))) {
      throw failures.invalidMetadata(`${where}: the ${prefix} domain is reserved`);
    }
  }
}

/**
 * `base` plus `extra`, where `extra` may add keys but never change a value `base` already has (that is a plain
 * error: the template author decided it). `what` names the map in the message.
 */
export function mergeWithoutOverrides(base: Record<string, string> | undefined, extra: Record<string, string> | undefined, what: string): Record<string, string> {
  const out = { ...(base ?? {}) };
  for (const [key, value] of Object.entries(extra ?? {})) {
    if (key in out && out[key] !== value) {
      throw new Error(`metadata override conflict: ${what}["${key}"] is "${out[key]}" in the template, the claim asks for "${value}"`);
    }
    out[key] = value;
  }
  return out;
}
