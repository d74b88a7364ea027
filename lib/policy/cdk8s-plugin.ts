// The guardrail engine as a cdk8s CLI validation plugin (`validations:` in cdk8s.yaml). It checks the
// synthesized manifests, so it also covers objects written without our constructs. The context types
// are declared structurally here to keep cdk8s-cli (a CLI, not a library) out of our dependencies.

import { checkObject, Violation } from './engine';
import { GuardrailPolicy, resolvePolicy } from './profiles';
import { RULES } from './rules';

interface ViolatingResource {
  readonly resourceName: string;
  readonly locations: readonly string[];
  readonly manifestPath: string;
}

/** The parts of cdk8s-cli's ValidationContext this plugin uses. */
export interface ValidationContextLike {
  readonly manifests: readonly string[];
  parseManifest(manifestPath: string): unknown[];
  readonly report: {
    addViolation(violation: { ruleName: string; recommendation: string; fix: string; violatingResources: readonly ViolatingResource[] }): void;
    submit(status: 'success' | 'failure', metadata?: Record<string, string>): void;
  };
}

export interface GuardrailPluginProperties extends GuardrailPolicy {
  /** Only check objects in these namespaces. @default - every namespace */
  readonly namespaces?: readonly string[];
}

export class AgentSandboxGuardrails {
  private readonly namespaces?: readonly string[];
  private readonly policy: GuardrailPolicy;

  constructor(properties: GuardrailPluginProperties = {}) {
    const { namespaces, ...policy } = properties;
    this.namespaces = namespaces;
    this.policy = policy;
    resolvePolicy(policy); // reject a bad configuration before any manifest is read
  }

  public async validate(context: ValidationContextLike): Promise<void> {
    const resolved = resolvePolicy(this.policy);
    const byRule = new Map<string, Array<{ violation: Violation; resource: ViolatingResource }>>();
    for (const manifestPath of context.manifests) {
      for (const doc of context.parseManifest(manifestPath)) {
        const obj = doc as Parameters<typeof checkObject>[0];
        if (!obj || (this.namespaces && !this.namespaces.includes(obj.metadata?.namespace ?? ''))) continue;
        for (const violation of checkObject(obj, resolved)) {
          const list = byRule.get(violation.rule) ?? [];
          list.push({ violation, resource: { resourceName: obj.metadata?.name ?? '', locations: [violation.path], manifestPath } });
          byRule.set(violation.rule, list);
        }
      }
    }
    for (const [rule, found] of byRule) {
      context.report.addViolation({
        ruleName: rule,
        recommendation: RULES.find((r) => r.id === rule)!.summary,
        fix: found.map(({ violation }) => `${violation.object}: ${violation.path}: ${violation.message}`).join('\n'),
        violatingResources: found.map((f) => f.resource),
      });
    }
    context.report.submit(byRule.size === 0 ? 'success' : 'failure', { profile: resolved.profile });
  }
}
