// Entry point of the top-level Pulumi.yaml: `pulumi up -s dev` (or prod) deploys examples/pulumi/platform.ts.
import { platform } from './platform';

const outputs = platform();
export const systemNamespace = outputs.systemNamespace;
export const controllerService = outputs.controllerService;
export const runtimeClass = outputs.runtimeClass;
export const teamNamespace = outputs.teamNamespace;
export const templates = outputs.templates;
export const warmPools = outputs.warmPools;
