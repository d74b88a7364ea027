// The kit's own version, read once from package.json: it tags the default controller image so a
// release of the constructs always deploys the controller built from the same source.
import pkg from '../../package.json';

export const PACKAGE_VERSION: string = pkg.version;

/** Image used when a system does not name one. */
export const DEFAULT_CONTROLLER_IMAGE = `ghcr.io/agent-sandbox-kit/controller:${PACKAGE_VERSION}`;
