// TeamSandboxes: a team's namespace, quota, limits, default-deny network policy, agent RBAC, in-cluster
// admission policy, templates and warm pools, checked against the team's own guardrail policy.

import * as pulumi from '@pulumi/pulumi';
import { buildTeam, teamPolicy, type TeamProps } from '../builders';
import { ManifestComponent } from './manifest-component';

export type TeamSandboxesArgs = TeamProps;

export class TeamSandboxes extends ManifestComponent {
  /** The team's namespace (same as the team name). */
  public readonly namespace: pulumi.Output<string>;
  /** Names of the team's SandboxTemplates. */
  public readonly templateNames: pulumi.Output<string[]>;
  /** Names of the team's SandboxWarmPools. */
  public readonly warmPoolNames: pulumi.Output<string[]>;

  constructor(name: string, args: TeamSandboxesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('TeamSandboxes', name, buildTeam(args), teamPolicy(args), opts);
    this.namespace = pulumi.output(args.name);
    this.templateNames = pulumi.output((args.templates ?? []).map((t) => t.name));
    this.warmPoolNames = pulumi.output((args.warmPools ?? []).map((p) => p.name));
    this.registerOutputs({ namespace: this.namespace, templateNames: this.templateNames, warmPoolNames: this.warmPoolNames });
  }
}
