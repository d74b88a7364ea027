// Images the real node imports into containerd before kubelet starts. Interim: the OCI archives the
// image builder leaves in the tools cache (pause and busybox), until the builder's API is merged.
import { readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { NodeImages } from './node';

export const sandboxImage = 'localhost/agent-sandbox-kit/pause:1';
export const busyboxImage = 'localhost/agent-sandbox-kit/busybox:1';

export function localImages(): NodeImages {
  const dir = join(process.env.TOOLS_DIR ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'agent-sandbox-kit'), 'images');
  const newest = (prefix: string) => {
    const files = readdirSync(dir).filter((f) => f.startsWith(`${prefix}-`) && f.endsWith('.oci.tar')).map((f) => join(dir, f));
    if (files.length === 0) throw new Error(`no ${prefix} image archive in ${dir}`);
    return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
  };
  return { sandbox: sandboxImage, archives: [newest('pause'), newest('busybox')] };
}
