// TeamSandboxes: a team's namespace, quota, limits, default-deny network policy, agent RBAC, in-cluster
// admission policy, templates and warm pools, checked against the team's own guardrail policy.

import * as pulumi from '@pulumi/pulumi';
import type { PodTemplate } from '../api';
import { buildTeam, teamPolicy, type SandboxTemplateProps, type SandboxWarmPoolProps, type TeamProps } from '../builders';
import type { DeepInput } from './deferred-inputs';
import { ManifestComponent } from './manifest-component';

/** A team template whose pod's free-form strings (images above all) may be Outputs. */
export interface TeamTemplateArgs extends Omit<SandboxTemplateProps, 'namespace' | 'podTemplate'> {
  readonly podTemplate: DeepInput<PodTemplate>;
}

/** A team warm pool whose size may be an Output (checked against maxWarmPoolReplicas once known). */
export interface TeamWarmPoolArgs extends Omit<SandboxWarmPoolProps, 'namespace' | 'replicas'> {
  /** @default 1 */
  readonly replicas?: pulumi.Input<number>;
}

export interface TeamSandboxesArgs extends Omit<TeamProps, 'systemNamespace' | 'templates' | 'warmPools'> {
  /** Namespace of the controller (and router) allowed in by the team's policies; may be an Output. @default "agent-sandbox-system" */
  readonly systemNamespace?: pulumi.Input<string>;
  /** @default - none */
  readonly templates?: readonly TeamTemplateArgs[];
  /** @default - none */
  readonly warmPools?: readonly TeamWarmPoolArgs[];
}

export class TeamSandboxes extends ManifestComponent {
  /** The team's namespace (same as the team name). */
  public readonly namespace: pulumi.Output<string>;
  /** Names of the team's SandboxTemplates. */
  public readonly templateNames: pulumi.Output<string[]>;
  /** Names of the team's SandboxWarmPools. */
  public readonly warmPoolNames: pulumi.Output<string[]>;

  constructor(name: string, args: TeamSandboxesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('TeamSandboxes', name, args, {
      build: buildTeam,
      guardrails: teamPolicy,
      numbers: (args.warmPools ?? []).map((pool, i) => ({
        arg: ['warmPools', i, 'replicas'], standIn: 0, target: { kind: 'SandboxWarmPool', name: pool.name, field: ['spec', 'replicas'] },
      })),
    }, opts);
    this.namespace = pulumi.output(args.name);
    this.templateNames = pulumi.output((args.templates ?? []).map((t) => t.name));
    this.warmPoolNames = pulumi.output((args.warmPools ?? []).map((p) => p.name));
    this.registerOutputs({ namespace: this.namespace, templateNames: this.templateNames, warmPoolNames: this.warmPoolNames });
  }
}
