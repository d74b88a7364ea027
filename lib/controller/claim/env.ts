// Env injection of a claim's spec.env into the pod spec of a cold-started sandbox, under the template's
// envVarsInjectionPolicy (Allowed: add new names only; Overrides: also replace; Disallowed: reject).
import type { Container, PodSpec } from 'kubernetes-types/core/v1';
import type { ClaimEnvVar, EnvVarsInjectionPolicy } from '../../api/types';
import { failures } from './failure';

/** Returns a copy of `podSpec` with `env` injected; throws EnvVarsInjectionRejected or a plain error. */
export function injectClaimEnv(podSpec: PodSpec, env: readonly ClaimEnvVar[], policy: EnvVarsInjectionPolicy | undefined, template: string): PodSpec {
  if (env.length === 0) return podSpec;
  const effective = policy ?? 'Disallowed';
  if (effective !== 'Allowed' && effective !== 'Overrides') {
    throw failures.envRejected(`spec.env: SandboxTemplate "${template}" has envVarsInjectionPolicy ${effective}; set Allowed or Overrides to inject env`);
  }
  const spec: PodSpec = {
    ...podSpec,
    containers: podSpec.containers.map(copyContainer),
    initContainers: podSpec.initContainers?.map(copyContainer),
  };
  const all = [...spec.containers, ...(spec.initContainers ?? [])];
  for (const [i, variable] of env.entries()) {
    const target = variable.containerName === undefined ? spec.containers[0] : all.find((c) => c.name === variable.containerName);
    if (!target) {
      throw new Error(`spec.env[${i}].containerName: container "${variable.containerName}" not found in SandboxTemplate "${template}"`);
    }
    if (effective === 'Allowed' && (target.envFrom?.length ?? 0) > 0) {
      throw failures.envRejected(`spec.env[${i}]: container "${target.name}" uses envFrom, which policy Allowed cannot check for collisions; use Overrides`);
    }
    const env = (target.env ??= []);
    const existing = env.findIndex((e) => e.name === variable.name);
    if (existing < 0) {
      env.push({ name: variable.name, value: variable.value });
    } else if (effective === 'Overrides') {
      env[existing] = { name: variable.name, value: variable.value };
    } else {
      throw new Error(`spec.env[${i}]: "${variable.name}" is already set in container "${target.name}" and policy Allowed does not permit overrides`);
    }
  }
  return spec;
}

function copyContainer(c: Container): Container {
  return c.env ? { ...c, env: [...c.env] } : { ...c };
}
