// The agent-sandbox platform as one Pulumi program: controller, gVisor runtime class and one team with a
// template and a warm pool. Environments differ only in stack config (Pulumi.dev.yaml, Pulumi.prod.yaml).

import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import type { ControllerFlagValues } from '../../lib/api';
import { AgentSandboxSystem, SandboxRuntimeClass, TeamSandboxes } from '../../lib/pulumi';

/** Stack outputs: what an operator or a CI job needs to find the platform. */
export interface PlatformOutputs {
  systemNamespace: pulumi.Output<string>;
  controllerService: pulumi.Output<string>;
  runtimeClass: pulumi.Output<string>;
  teamNamespace: pulumi.Output<string>;
  templates: pulumi.Output<string[]>;
  warmPools: pulumi.Output<string[]>;
}

export function platform(): PlatformOutputs {
  const config = new pulumi.Config();
  if (config.getBoolean('skipServiceAwait')) skipServiceAwait();
  // The provider reads KUBECONFIG (or the `kubernetes:kubeconfig` config) like kubectl does.
  const provider = new k8s.Provider('cluster', {});
  const system = new AgentSandboxSystem(
    'agent-sandbox',
    {
      image: config.get('controllerImage'),
      replicas: config.getNumber('controllerReplicas'),
      flags: config.getObject<ControllerFlagValues>('controllerFlags'),
    },
    { provider },
  );
  const gvisor = new SandboxRuntimeClass('gvisor', { name: 'gvisor', handler: 'runsc' }, { provider });
  const team = new TeamSandboxes(
    'research',
    {
      name: config.get('teamName') ?? 'research',
      agents: { groups: ['research-agents'] },
      maxWarmPoolReplicas: config.getNumber('maxWarmPoolReplicas'),
      templates: [{ name: 'python', podTemplate: { spec: { runtimeClassName: 'gvisor', containers: [agentContainer(config)] } } }],
      warmPools: [{ name: 'python', templateName: 'python', replicas: config.requireNumber('warmPoolSize') }],
    },
    { provider, dependsOn: [system, gvisor] },
  );
  return {
    systemNamespace: system.namespace,
    controllerService: system.controllerServiceName,
    runtimeClass: gvisor.runtimeClassName,
    teamNamespace: team.namespace,
    templates: team.templateNames,
    warmPools: team.warmPoolNames,
  };
}

/**
 * Services are created without waiting for their endpoints (the Deployments' own wait still proves the pods
 * Ready). For clusters whose pod IPs Endpoints reject: the local kwok plane hands out loopback addresses, so
 * its Services never get endpoints and the provider would wait for its timeout.
 */
function skipServiceAwait(): void {
  pulumi.runtime.registerStackTransformation(({ type, props, opts }) => {
    if (type !== 'kubernetes:core/v1:Service') return undefined;
    const metadata = props.metadata ?? {};
    return { props: { ...props, metadata: { ...metadata, annotations: { ...metadata.annotations, 'pulumi.com/skipAwait': 'true' } } }, opts };
  });
}

function agentContainer(config: pulumi.Config) {
  return {
    name: 'agent',
    image: config.get('agentImage') ?? 'ghcr.io/agent-sandbox-kit/python-runtime:3.12',
    ports: [{ name: 'runtime', containerPort: 8888 }],
    // A warm member is claimable only once the in-sandbox runtime answers.
    readinessProbe: { httpGet: { path: '/', port: 'runtime' }, periodSeconds: 2 },
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '1', memory: '1Gi' } },
    securityContext: {
      runAsNonRoot: true,
      runAsUser: 65532, // a high uid that maps to no user on the node
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' as const },
    },
  };
}
