// CEL rules that refuse, at apply time, objects the controller could never turn into working children:
// names it derives (Services, PVCs, warm-pool members) that the API server would reject, pod fields no
// Pod can be created with, and NetworkPolicy rules the API server would refuse when the controller
// writes them (a template's policy would then silently never exist).
import type { SchemaNode } from './k8s-openapi';

/** One `x-kubernetes-validations` entry. */
export interface CelRule {
  readonly rule: string;
  readonly message: string;
  readonly fieldPath?: string;
  readonly reason?: 'FieldValueInvalid' | 'FieldValueForbidden' | 'FieldValueRequired' | 'FieldValueDuplicate';
}

// Regular expressions as Kubernetes' own validation writes them (apimachinery/pkg/util/validation), as
// schema patterns; CEL string literals need their backslashes doubled (celRegex).
const DNS1123_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS1123_SUBDOMAIN = `^${DNS1123_LABEL}(\\.${DNS1123_LABEL})*$`;
const DNS1035_LABEL = '^[a-z]([-a-z0-9]*[a-z0-9])?$';
const QUALIFIED_NAME_PART = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const LABEL_KEY = `^(${DNS1123_LABEL}(\\.${DNS1123_LABEL})*/)?${QUALIFIED_NAME_PART}$`;
const LABEL_VALUE = `^(${QUALIFIED_NAME_PART})?$`;
const IANA_SVC_NAME = '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$';
const celRegex = (pattern: string) => pattern.replace(/\\/g, '\\\\');

/** Longest object name (DNS-1123 subdomain) and label name part. */
const MAX_NAME = 253;
const MAX_LABEL = 63;
/** Label maps larger than this are refused, so the per-key rule has a bounded cost. */
const MAX_LABELS = 256;
/**
 * Bounds on network policy lists and strings, so the API server can bound the cost of their rules
 * (a template needing more rules or peers than this can use an Unmanaged policy of its own).
 */
const MAX_POLICY_ITEMS = 32;
const MAX_CIDR_LENGTH = 64;

function addRules(node: SchemaNode, rules: readonly CelRule[]): SchemaNode {
  node['x-kubernetes-validations'] = [...((node['x-kubernetes-validations'] as CelRule[] | undefined) ?? []), ...rules];
  return node;
}

const child = (node: SchemaNode, ...path: string[]): SchemaNode =>
  path.reduce((n, key) => (key === '[]' ? n.items : (n.properties as Record<string, SchemaNode>)[key]) as SchemaNode, node);

/** Keys must be label keys (qualified names, ASCII) and, for labels, values label values. */
export function labelMap(node: SchemaNode, kind: 'labels' | 'annotations'): SchemaNode {
  node.maxProperties = MAX_LABELS;
  if (kind === 'labels') node.additionalProperties = { type: 'string', maxLength: MAX_LABEL, pattern: LABEL_VALUE };
  return addRules(node, [{
    rule: `self.all(k, k.size() <= ${MAX_NAME + 1 + MAX_LABEL} && k.matches('${celRegex(LABEL_KEY)}'))`,
    message: `${kind} keys must be qualified names: an optional DNS subdomain prefix and '/', then at most 63 ASCII letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
  }]);
}

/** A pod spec the API server would accept on Pod create. */
export function creatablePodSpec(podSpec: SchemaNode): SchemaNode {
  return addRules(podSpec, [{
    rule: '!has(self.ephemeralContainers)',
    message: 'ephemeralContainers cannot be set when a Pod is created (only later, through its ephemeralcontainers subresource)',
    fieldPath: '.ephemeralContainers',
    reason: 'FieldValueForbidden',
  }]);
}

/** A volume claim template whose name can name both a pod volume and (with a sandbox name) a PVC. */
export function volumeClaimTemplateItem(item: SchemaNode): SchemaNode {
  item.required = [...((item.required as string[] | undefined) ?? []), 'metadata'];
  const metadata = child(item, 'metadata');
  metadata.required = ['name'];
  Object.assign(child(metadata, 'name'), { maxLength: MAX_LABEL, pattern: `^${DNS1123_LABEL}$` });
  return item;
}

/** Root rule: every PVC `<claim template>-<object name>` fits an object name. */
function pvcNamesFit(objectKind: string, templates: string): CelRule {
  return {
    rule: `!has(${templates}) || ${templates}.all(t, !has(t.metadata) || !has(t.metadata.name) || t.metadata.name.size() + 1 + self.metadata.name.size() <= ${MAX_NAME})`,
    message: `each PersistentVolumeClaim is named <volumeClaimTemplate name>-<${objectKind} name>, which must be at most ${MAX_NAME} characters: shorten the ${objectKind} or the template name`,
  };
}

/** Root rules of a Sandbox: its Service and PVC names. */
export const SANDBOX_NAME_RULES: readonly CelRule[] = [
  {
    rule: `!has(self.spec.service) || !self.spec.service || (self.metadata.name.size() <= ${MAX_LABEL} && self.metadata.name.matches('${celRegex(DNS1035_LABEL)}'))`,
    message: 'a Sandbox with spec.service: true names its Service after itself, so its name must be a DNS-1035 label: at most 63 lowercase letters, digits and \'-\', starting with a letter, no dots',
  },
  pvcNamesFit('Sandbox', 'self.spec.volumeClaimTemplates'),
];

/** Root rules of a SandboxClaim: a cold start creates a Sandbox named like the claim, with PVCs named after it. */
export const CLAIM_NAME_RULES: readonly CelRule[] = [pvcNamesFit('SandboxClaim', 'self.spec.volumeClaimTemplates')];

/** Members are named `<first 58 characters of "<pool>-">xxxxx` (see the warm-pool reconciler): that must be a valid name. */
export const WARM_POOL_NAME_RULES: readonly CelRule[] = [{
  rule: `((self.metadata.name.size() >= 58 ? self.metadata.name.substring(0, 58) : self.metadata.name + '-') + 'bbbbb').matches('${celRegex(DNS1123_SUBDOMAIN)}')`,
  message: 'members are named <the first 58 characters of "<pool name>-"> plus 5 random characters, which must be a DNS-1123 subdomain: the pool name must not have "." followed by "-" or "." around character 58',
}];

/** NetworkPolicy rule lists as the API server checks them: CIDRs, ports, protocols and selector operators. */
function networkPolicyRules(rules: SchemaNode, peers: 'from' | 'to'): SchemaNode {
  rules.maxItems = MAX_POLICY_ITEMS;
  const rule = child(rules, '[]');
  child(rule, peers).maxItems = MAX_POLICY_ITEMS;
  child(rule, 'ports').maxItems = MAX_POLICY_ITEMS;
  const ipBlock = child(rule, peers, '[]', 'ipBlock');
  const cidr = Object.assign(child(ipBlock, 'cidr'), { maxLength: MAX_CIDR_LENGTH });
  addRules(cidr, [{ rule: 'isCIDR(self)', message: 'must be a CIDR such as 203.0.113.0/24 or 2001:db8::/32' }]);
  child(ipBlock, 'except').maxItems = MAX_POLICY_ITEMS;
  const except = Object.assign(child(ipBlock, 'except', '[]'), { maxLength: MAX_CIDR_LENGTH });
  addRules(except, [{ rule: 'isCIDR(self)', message: 'must be a CIDR such as 203.0.113.128/25' }]);
  addRules(ipBlock, [{
    rule: '!has(self.except) || !isCIDR(self.cidr) || self.except.all(e, !isCIDR(e) || (cidr(self.cidr).containsCIDR(e) && cidr(e).prefixLength() > cidr(self.cidr).prefixLength()))',
    message: 'every except entry must be a strict subset of cidr',
    fieldPath: '.except',
  }]);
  for (const selector of ['namespaceSelector', 'podSelector']) {
    child(rule, peers, '[]', selector, 'matchExpressions', '[]', 'operator').enum = ['In', 'NotIn', 'Exists', 'DoesNotExist'];
  }
  const port = child(rule, 'ports', '[]');
  child(port, 'protocol').enum = ['TCP', 'UDP', 'SCTP'];
  // A named port: at most 15 characters (IANA service name); the pattern applies to the string form only.
  Object.assign(child(port, 'port'), { maxLength: 15, pattern: IANA_SVC_NAME });
  addRules(port, [
    {
      rule: '!has(self.port) || (type(self.port) == int ? self.port >= 1 && self.port <= 65535 : self.port.matches(\'[a-z]\') && !self.port.contains(\'--\'))',
      message: 'port must be a number from 1 to 65535 or a port name (at most 15 lowercase letters, digits and \'-\', with a letter)',
      fieldPath: '.port',
    },
    {
      rule: '!has(self.endPort) || (has(self.port) && type(self.port) == int && self.endPort >= self.port && self.endPort <= 65535)',
      message: 'endPort needs a numeric port and must be from port to 65535',
      fieldPath: '.endPort',
    },
  ]);
  return rules;
}

export const networkPolicyIngressRules = (rules: SchemaNode): SchemaNode => networkPolicyRules(rules, 'from');
export const networkPolicyEgressRules = (rules: SchemaNode): SchemaNode => networkPolicyRules(rules, 'to');
