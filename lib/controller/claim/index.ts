// lib/controller/claim: the SandboxClaim controller — binds each claim to exactly one Sandbox (a warm pool member
// or a cold one), mirrors its readiness into the claim, runs the claim's expiry.
export { claimControllerModule } from './controller';
