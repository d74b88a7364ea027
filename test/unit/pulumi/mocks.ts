// Pulumi mock monitor for unit tests: records every registration (components included) so tests can assert
// on the resource graph, parents, providers and inputs without the Pulumi CLI or any provider plugin.

import * as pulumi from '@pulumi/pulumi';

export interface Registration {
  type: string;
  name: string;
  inputs: Record<string, any>;
  /** `<provider urn>::<provider id>` when a provider was passed (explicitly or inherited). */
  provider?: string;
  /** URN of the parent resource (the stack's for top-level resources). */
  parent: string;
  /** URNs this resource waits for (dependsOn). */
  dependencies: string[];
}

export const registrations: Registration[] = [];

export async function installMocks(): Promise<void> {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const request = pending.get(`${args.type}::${args.name}`) ?? { parent: '', dependencies: [] };
        registrations.push({ type: args.type, name: args.name, inputs: args.inputs, provider: args.provider, ...request });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call(args) {
        return args.inputs;
      },
    },
    'project',
    'stack',
    false,
  );
  // The mock API does not show parents or dependencies; the monitor's requests carry both.
  const monitor = pulumi.runtime.getMonitor() as any;
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request: any, callback: unknown) => {
    pending.set(`${request.getType()}::${request.getName()}`, {
      parent: request.getParent(),
      dependencies: request.getDependenciesList(),
    });
    return register(request, callback);
  };
}

const pending = new Map<string, Pick<Registration, 'parent' | 'dependencies'>>();

/** Waits until every registration the program started has reached the mock monitor. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 50; i++) await new Promise((resolve) => setImmediate(resolve));
}

export function find(type: string, name: string): Registration {
  const found = registrations.find((r) => r.type === type && r.name === name);
  if (!found) throw new Error(`no ${type} ${name}; registered: ${registrations.map((r) => `${r.type} ${r.name}`).join(', ')}`);
  return found;
}

/** The URN the mock monitor gives a resource (its type part lists the parents' types). */
export function urnOf(type: string, name: string): string {
  const urns = [...(pulumi.runtime.getMonitor() as any).getRegisteredResources().keys()] as string[];
  const urn = urns.find((u) => u.endsWith(`::${name}`) && u.split('::')[2].split('$').pop() === type);
  if (!urn) throw new Error(`no URN for ${type} ${name}`);
  return urn;
}

export function ofType(type: string): Registration[] {
  return registrations.filter((r) => r.type === type);
}

export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}
