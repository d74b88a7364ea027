// SandboxRuntimeClass: a node.k8s.io/v1 RuntimeClass for sandbox isolation, with gVisor and Kata presets.

import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import {
  buildRuntimeClass, gvisorRuntimeClass, KataHypervisor, kataRuntimeClass, RuntimeClassOverrides, RuntimeClassProps, runtimeClassProblems,
} from '../builders/runtime-class';
import { addApiObjects, buildWhenValid } from './api-objects';

export type { KataHypervisor, RuntimeClassOverrides, RuntimeClassProps } from '../builders/runtime-class';

export class SandboxRuntimeClass extends Construct {
  /** gVisor (handler `runsc`), scheduled onto nodes labelled and tainted `agent-sandbox-kit.dev/runtime=gvisor`. */
  public static gvisor(scope: Construct, id: string, overrides: RuntimeClassOverrides = {}): SandboxRuntimeClass {
    return new SandboxRuntimeClass(scope, id, gvisorRuntimeClass(overrides));
  }

  /** Kata Containers (`kata-qemu`, `kata-clh` or `kata-fc`), scheduled onto `agent-sandbox-kit.dev/runtime=kata` nodes. */
  public static kata(scope: Construct, id: string, hypervisor: KataHypervisor = 'qemu', overrides: RuntimeClassOverrides = {}): SandboxRuntimeClass {
    return new SandboxRuntimeClass(scope, id, kataRuntimeClass(hypervisor, overrides));
  }

  /** The RuntimeClass name to put in `runtimeClassName`. */
  public readonly name: string;
  /** The RuntimeClass object (undefined when the props are invalid). */
  public readonly apiObject?: ApiObject;

  constructor(scope: Construct, id: string, props: RuntimeClassProps) {
    super(scope, id);
    this.name = props.name;
    this.apiObject = buildWhenValid(this, runtimeClassProblems(props), () => addApiObjects(this, [buildRuntimeClass(props)])[0]);
  }
}
