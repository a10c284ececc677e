import { access, constants } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FabricConfigSchema, type FabricSettings, fabricConfigFromEnv, loadIdentity } from '@arc/adapters';

/** The variables of the Fabric shortcut (the adapter's `fabricConfigFromEnv`), by the setting each one fills. */
export const FABRIC_ENV_VARIABLES: Record<string, string> = {
  endpoint: 'FABRIC_GATEWAY_URL',
  channel: 'FABRIC_CHANNEL',
  chaincode: 'FABRIC_CHAINCODE',
  mspId: 'FABRIC_MSP_ID',
  identity: 'FABRIC_CERT_PATH and FABRIC_KEY_PATH',
  'identity.mspDir': 'FABRIC_MSP_DIR',
  'identity.certPath': 'FABRIC_CERT_PATH',
  'identity.keyPath': 'FABRIC_KEY_PATH',
  tls: 'FABRIC_TLS_CA_PATH',
  'tls.caCertPath': 'FABRIC_TLS_CA_PATH',
  'tls.serverNameOverride': 'FABRIC_TLS_SERVER_NAME',
};

export interface FabricEnv {
  FABRIC_GATEWAY_URL?: string | undefined;
  FABRIC_CHANNEL?: string | undefined;
  FABRIC_CHAINCODE?: string | undefined;
  FABRIC_MSP_ID?: string | undefined;
  FABRIC_MSP_DIR?: string | undefined;
  FABRIC_CERT_PATH?: string | undefined;
  FABRIC_KEY_PATH?: string | undefined;
  FABRIC_TLS_CA_PATH?: string | undefined;
  FABRIC_TLS_SERVER_NAME?: string | undefined;
}

/**
 * The `fabric` chain of the FABRIC_* shortcut, or undefined when FABRIC_GATEWAY_URL is unset. A missing or bad
 * variable throws a sentence naming it (never its value: the paths are not secret, but the rule stays simple).
 */
export function fabricChainFromEnv(env: FabricEnv): (FabricSettings & { name: 'fabric'; adapter: 'fabric' }) | undefined {
  const settings = fabricConfigFromEnv({ ...env });
  if (!settings) return undefined;
  const parsed = FabricConfigSchema.safeParse(settings);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const field = issue.path.join('.');
      return `  ${FABRIC_ENV_VARIABLES[field] ?? (field || 'FABRIC_*')}: ${issue.message}`;
    });
    throw new Error(`The FABRIC_* variables do not make a valid Fabric chain; fix:\n${lines.join('\n')}`);
  }
  return { name: 'fabric', adapter: 'fabric', ...parsed.data };
}

/** The settings with relative identity and TLS paths made absolute against `baseDir` (the config file's folder). */
export function resolveFabricPaths<T extends FabricSettings>(settings: T, baseDir: string): T {
  const at = (path: string | undefined) => (path === undefined ? undefined : resolve(baseDir, path));
  const identity =
    'mspDir' in settings.identity
      ? { mspDir: resolve(baseDir, settings.identity.mspDir) }
      : 'certPath' in settings.identity
        ? { certPath: resolve(baseDir, settings.identity.certPath), keyPath: resolve(baseDir, settings.identity.keyPath) }
        : settings.identity;
  const tls = settings.tls && {
    ...settings.tls,
    ...(settings.tls.caCertPath ? { caCertPath: at(settings.tls.caCertPath) } : {}),
    ...(settings.tls.clientCertPath ? { clientCertPath: at(settings.tls.clientCertPath) } : {}),
    ...(settings.tls.clientKeyPath ? { clientKeyPath: at(settings.tls.clientKeyPath) } : {}),
  };
  return { ...settings, identity, ...(tls ? { tls } : {}) };
}

/**
 * Reads the chain's identity as the adapter will (the MSP folder's signcerts/ and the keystore file that matches it,
 * or the two files) and checks that its TLS files can be read, so a wrong path stops the node at start instead of
 * leaving the chain unavailable. `where(field)` names a setting for the sentence (a config path or a variable).
 */
export async function checkFabricFiles(settings: FabricSettings, where: (field: string) => string): Promise<void> {
  try {
    await loadIdentity(settings.identity, settings.mspId);
  } catch (error) {
    throw new Error(`${where('identity')}: ${(error as Error).message}`);
  }
  for (const field of ['caCertPath', 'clientCertPath', 'clientKeyPath'] as const) {
    const path = settings.tls?.[field];
    if (path === undefined) continue;
    try {
      await access(path, constants.R_OK);
    } catch (error) {
      throw new Error(`${where(`tls.${field}`)}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
    }
  }
}
