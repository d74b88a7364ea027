// Entry point of the in-sandbox runtime (`npm run sandbox-runtime -- --port 8888 --base-dir /app`).
import { parseRuntimeConfig } from './config';
import { createRuntimeServer } from './server';

async function main(): Promise<void> {
  const config = parseRuntimeConfig(process.argv.slice(2));
  const runtime = createRuntimeServer(config);
  const port = await runtime.listen();
  const sandboxd = config.sandboxdRestPort || config.sandboxdGrpcPort ? { sandboxdRestPort: config.sandboxdRestPort, sandboxdGrpcPort: config.sandboxdGrpcPort } : {};
  console.log(JSON.stringify({ msg: 'sandbox runtime listening', host: config.host, port, ...sandboxd, baseDir: config.baseDir }));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void runtime.close().then(() => process.exit(0)));
  }
}

main().catch((err: unknown) => {
  console.error(`sandbox-runtime: ${(err as Error).message}`);
  process.exit(1);
});
