/**
 * `npm run sandbox`: a standalone WeChat sandbox for the demo and browser e2e runs.
 *   WECHAT_SANDBOX_PORT        default 3100
 *   WECHAT_SANDBOX_HOST        default 127.0.0.1
 *   WECHAT_SANDBOX_SIGN_MODE   certificate | publicKey | mixed (default publicKey)
 *   WECHAT_SANDBOX_PROBE_RATE  0..1 share of notifications preceded by a mis-signed probe (default 0)
 *   WECHAT_SANDBOX_RETRY_SCALE multiplies WeChat's retry schedule (default 1; e.g. 0.01 for e2e)
 */
import { createSandbox, type SignMode } from './index';

const SIGN_MODES: readonly SignMode[] = ['certificate', 'publicKey', 'mixed'];

async function main(): Promise<void> {
  const port = Number(process.env['WECHAT_SANDBOX_PORT'] ?? 3100);
  const host = process.env['WECHAT_SANDBOX_HOST'] ?? '127.0.0.1';
  const requestedMode = process.env['WECHAT_SANDBOX_SIGN_MODE'] ?? 'publicKey';
  const signMode = SIGN_MODES.find((m) => m === requestedMode);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`WECHAT_SANDBOX_PORT is not a port: ${port}`);
  if (!signMode) throw new Error(`WECHAT_SANDBOX_SIGN_MODE must be one of ${SIGN_MODES.join(', ')}`);
  const probeRate = Number(process.env['WECHAT_SANDBOX_PROBE_RATE'] ?? 0);
  if (!(probeRate >= 0 && probeRate <= 1)) throw new Error('WECHAT_SANDBOX_PROBE_RATE must be within 0..1');
  const retryScale = Number(process.env['WECHAT_SANDBOX_RETRY_SCALE'] ?? 1);
  if (!(retryScale > 0)) throw new Error('WECHAT_SANDBOX_RETRY_SCALE must be a positive number');

  const sandbox = createSandbox({
    signMode,
    probeRate,
    retryScale,
    logger: {
      info: (message, data) => console.log(`[wechat-sandbox] ${message}`, data ?? ''),
      warn: (message, data) => console.warn(`[wechat-sandbox] ${message}`, data ?? ''),
    },
  });
  const url = await sandbox.listen(port, host);
  const lines: Array<[string, string]> = [
    ['base URL', url],
    ['sign mode', signMode],
    ['platform certificate serial', sandbox.platform.certificateSerial],
    ['WeChat Pay public key id', sandbox.platform.publicKeyId],
    ['keys and PEMs', `GET ${url}/__sim/keys`],
  ];
  console.log('WeChat sandbox');
  for (const [label, value] of lines) console.log(`  ${label.padEnd(29)} ${value}`);

  const shutdown = (): void => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
