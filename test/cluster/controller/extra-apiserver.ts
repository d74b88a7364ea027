// A second kube-apiserver on the local plane's etcd, owned by one test file, so the test can stop and restart an API
// server without disturbing the shared plane (HA API servers share etcd the same way).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentSpecs, type PlanePorts } from '../plane/components';
import { isHealthy } from '../plane/http';
import { writeKubeconfig } from '../plane/kubeconfig';
import { ensurePki } from '../plane/pki';
import { clusterDir } from '../plane/plane';
import { freePorts } from '../plane/ports';
import { startDetached, stopProcess } from '../plane/processes';
import { controlPlaneBinaries } from '../plane/tools';
import { waitFor } from '../harness';

export class ExtraApiServer {
  readonly kubeconfig: string;
  private pid?: number;

  private constructor(private readonly bin: string, private readonly args: string[], private readonly dir: string, private readonly url: string, private readonly tls: { ca: Buffer; cert: Buffer; key: Buffer }) {
    this.kubeconfig = join(dir, 'kubeconfig');
  }

  static async create(): Promise<ExtraApiServer> {
    const state = JSON.parse(readFileSync(join(clusterDir, 'state.json'), 'utf8')) as { ports: PlanePorts; podCidr: string };
    const pki = ensurePki(join(clusterDir, 'pki'));
    const [port] = await freePorts(1);
    const dir = mkdtempSync(join(tmpdir(), 'ask-apiserver-'));
    const layout = { dir, kubeconfig: join(dir, 'unused'), pki, ports: { ...state.ports, apiserver: port }, podCidr: state.podCidr };
    const spec = componentSpecs(controlPlaneBinaries(), layout)['kube-apiserver'];
    const server = new ExtraApiServer(spec.bin, spec.args, dir, `https://127.0.0.1:${port}`,
      { ca: readFileSync(pki.caCert), cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey) });
    writeKubeconfig(server.kubeconfig, { server: server.url, caData: readFileSync(pki.caCert).toString('base64') }, 'admin',
      { clientCertFile: pki.adminCert, clientKeyFile: pki.adminKey });
    return server;
  }

  async start(): Promise<void> {
    this.pid = startDetached(this.bin, this.args, join(this.dir, 'apiserver.log'));
    await waitFor(`extra kube-apiserver ${this.url} ready`, () => isHealthy(`${this.url}/readyz`, this.tls), { timeoutMs: 90_000, intervalMs: 200 });
  }

  async stop(): Promise<void> {
    if (this.pid !== undefined) await stopProcess(this.pid, this.bin);
    this.pid = undefined;
  }
}
