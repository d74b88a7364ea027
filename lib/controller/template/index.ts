// lib/controller/template: the SandboxTemplate controller — the secure-default NetworkPolicy of each template.
export { templateControllerModule } from './controller';
