import { createHash, createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { OcapError, type OcapSigner } from '@arc/core';
import { type Hash, hash, type Identity, type Signer, signers } from '@hyperledger/fabric-gateway';
import type { FabricIdentityConfig } from './config.ts';
import { certificateNames, pemBody } from './der.ts';

/** An account: hex(sha256(utf8(mspId) || 0x00 || issuer DER || subject DER)); the token chaincode computes the same. */
export const ACCOUNT_HEX = /^[0-9a-fA-F]{64}$/;
/** Largest identity text accepted (a certificate chain and a key are a few KiB). */
export const IDENTITY_TEXT_CHARS_MAX = 64 * 1024;
/** Files looked at in an MSP folder's keystore to find the certificate's key. */
const KEYSTORE_FILES_MAX = 64;

/** An X.509 identity in PEM: what a Fabric member signs with. */
export interface FabricIdentity {
  mspId: string;
  certificatePem: string;
  privateKeyPem: string;
}

/** The account of an MSP member, from its PEM certificate. */
export function accountOf(mspId: string, certificatePem: string): string {
  const der = pemBody(certificatePem, 'CERTIFICATE');
  if (!der) throw new OcapError('INVALID_ARGUMENT', 'The identity holds no PEM certificate.');
  let names: { issuer: Uint8Array; subject: Uint8Array };
  try {
    names = certificateNames(der);
  } catch (error) {
    throw new OcapError('INVALID_ARGUMENT', `The certificate does not decode: ${(error as Error).message}.`, { cause: error });
  }
  return createHash('sha256')
    .update(Buffer.from(mspId, 'utf8'))
    .update(Uint8Array.of(0))
    .update(names.issuer)
    .update(names.subject)
    .digest('hex');
}

/** The canonical (lowercase) form of an account, or undefined when `value` is not one. */
export function canonicalAccount(value: unknown): string | undefined {
  return typeof value === 'string' && ACCOUNT_HEX.test(value) ? value.toLowerCase() : undefined;
}

/** The canonical account, or INVALID_ADDRESS naming `what`. */
export function requireAccount(value: unknown, what = 'address'): string {
  const account = canonicalAccount(value);
  if (account === undefined) {
    throw new OcapError(
      'INVALID_ADDRESS',
      `The ${what} "${String(value)}" is not a Fabric account: 64 hex characters (token ClientAccountID).`,
    );
  }
  return account;
}

/** What signs for a FabricSigner; kept outside the object so neither logs nor JSON ever see the key. */
const signing = new WeakMap<FabricSigner, { sign: Signer; hash: Hash }>();

/** A Fabric member that can sign: its MSP, certificate and account. The private key stays inside the module. */
export class FabricSigner implements OcapSigner {
  readonly adapter = 'fabric';
  readonly address: string;

  private constructor(
    readonly mspId: string,
    readonly certificatePem: string,
  ) {
    this.address = accountOf(mspId, certificatePem);
  }

  /** Checks that the key belongs to the certificate and builds the signer (P-256 + SHA-256, P-384 + SHA-384, Ed25519). */
  static create(identity: { mspId: string; certificatePem: string; privateKey: KeyObject | string }): FabricSigner {
    if (!identity.mspId) throw new OcapError('INVALID_ARGUMENT', 'A Fabric identity needs its MSP id.');
    let certificate: X509Certificate;
    let key: KeyObject;
    try {
      certificate = new X509Certificate(identity.certificatePem);
    } catch (error) {
      throw new OcapError('INVALID_ARGUMENT', 'The identity certificate is not a PEM X.509 certificate.', { cause: error });
    }
    try {
      key = typeof identity.privateKey === 'string' ? createPrivateKey(identity.privateKey) : identity.privateKey;
    } catch (error) {
      // The key's text is never part of the message (nor of Node's decoder error kept as the cause).
      throw new OcapError('INVALID_ARGUMENT', 'The identity private key is not a PEM private key.', { cause: error });
    }
    const spki = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });
    if (key.type !== 'private' || !spki(createPublicKey(key)).equals(spki(certificate.publicKey))) {
      throw new OcapError(
        'INVALID_ARGUMENT',
        `The private key does not belong to the certificate of "${certificate.subject.replace(/\n/g, ', ')}".`,
      );
    }
    const signer = new FabricSigner(identity.mspId, certificate.toString());
    signing.set(signer, { sign: signers.newPrivateKeySigner(key), hash: hashFor(key) });
    return signer;
  }

  /** The identity as the gateway client takes it. */
  get identity(): Identity {
    return { mspId: this.mspId, credentials: Buffer.from(this.certificatePem, 'utf8') };
  }

  toJSON() {
    return { adapter: this.adapter, address: this.address, mspId: this.mspId };
  }
}

function hashFor(key: KeyObject): Hash {
  if (key.asymmetricKeyType === 'ed25519') return hash.none;
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return hash.sha256;
    if (curve === 'secp384r1') return hash.sha384;
  }
  throw new OcapError(
    'INVALID_ARGUMENT',
    `Fabric identities sign with P-256, P-384 or Ed25519; this key is ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ''}.`,
  );
}

/** The gateway signer and hash of one of our signers; INVALID_ARGUMENT for anything else. */
export function signingOf(signer: OcapSigner): { signer: FabricSigner; sign: Signer; hash: Hash } {
  const entry = signer instanceof FabricSigner ? signing.get(signer) : undefined;
  if (!entry) throw new OcapError('INVALID_ARGUMENT', 'This signer was not made by a Fabric adapter; use adapter.signer(secret).');
  return { signer: signer as FabricSigner, ...entry };
}

/** The bytes `adapter.signer()` takes for an identity: JSON of its MSP id (optional), certificate and key. */
export function fabricSecretKey(identity: { mspId?: string; certificatePem: string; privateKeyPem: string }): Uint8Array {
  return Buffer.from(
    JSON.stringify({ mspId: identity.mspId, certificatePem: identity.certificatePem, privateKeyPem: identity.privateKeyPem }),
  );
}

/**
 * Reads a signer's secret: UTF-8 JSON {mspId?, certificatePem, privateKeyPem} (fabricSecretKey) or a PEM bundle
 * holding a certificate and a private key. The MSP id defaults to the adapter's.
 */
export function parseSecretKey(secret: Uint8Array, defaultMspId: string): FabricSigner {
  const refuse = (why: string) =>
    new OcapError(
      'INVALID_ARGUMENT',
      `A Fabric signer's secret is an X.509 identity, its certificate and private key in PEM (see fabricSecretKey): ${why}.`,
    );
  if (!(secret instanceof Uint8Array) || secret.length === 0 || secret.length > IDENTITY_TEXT_CHARS_MAX) throw refuse('wrong size');
  const text = Buffer.from(secret).toString('utf8');
  if (text.trimStart().startsWith('{')) {
    let parsed: { mspId?: unknown; certificatePem?: unknown; privateKeyPem?: unknown };
    try {
      parsed = JSON.parse(text);
    } catch {
      // The text may hold a key: only say that it is not JSON.
      throw refuse('it looks like JSON but does not parse');
    }
    if (typeof parsed.certificatePem !== 'string' || typeof parsed.privateKeyPem !== 'string')
      throw refuse('certificatePem or privateKeyPem missing');
    const mspId = typeof parsed.mspId === 'string' && parsed.mspId ? parsed.mspId : defaultMspId;
    return FabricSigner.create({ mspId, certificatePem: parsed.certificatePem, privateKey: parsed.privateKeyPem });
  }
  const certificate = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
  const key = /-----BEGIN (EC |ENCRYPTED )?PRIVATE KEY-----[\s\S]+?-----END (EC |ENCRYPTED )?PRIVATE KEY-----/.exec(text)?.[0];
  if (!certificate || !key) throw refuse('no PEM certificate and private key found in it');
  return FabricSigner.create({ mspId: defaultMspId, certificatePem: certificate, privateKey: key });
}

async function readText(path: string, what: string): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    if (text.length > IDENTITY_TEXT_CHARS_MAX)
      throw new OcapError('INVALID_ARGUMENT', `The ${what} file ${path} is larger than an identity file.`);
    return text;
  } catch (error) {
    if (error instanceof OcapError) throw error;
    throw new OcapError('INVALID_ARGUMENT', `Cannot read the ${what} file ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, {
      cause: error,
    });
  }
}

async function listFiles(dir: string, what: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile())
      .map((e) => e.name)
      .sort();
  } catch (error) {
    throw new OcapError(
      'INVALID_ARGUMENT',
      `Cannot read the ${what} folder ${dir} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`,
      {
        cause: error,
      },
    );
  }
}

/**
 * Loads a signer from an MSP folder (signcerts/ holds the certificate, keystore/ its key: the file that matches is
 * taken, so a keystore with old keys works), from a certificate and a key file, or from PEM text.
 */
export async function loadIdentity(config: FabricIdentityConfig, mspId: string): Promise<FabricSigner> {
  if ('certificatePem' in config)
    return FabricSigner.create({ mspId, certificatePem: config.certificatePem, privateKey: config.privateKeyPem });
  if ('certPath' in config) {
    const [certificatePem, privateKeyPem] = await Promise.all([
      readText(config.certPath, 'certificate'),
      readText(config.keyPath, 'private key'),
    ]);
    return FabricSigner.create({ mspId, certificatePem, privateKey: privateKeyPem });
  }
  const certDir = join(config.mspDir, 'signcerts');
  const certFile = (await listFiles(certDir, 'signcerts')).find((name) => name.endsWith('.pem'));
  if (!certFile) throw new OcapError('INVALID_ARGUMENT', `The MSP folder ${config.mspDir} has no signcerts/*.pem certificate.`);
  const certificatePem = await readText(join(certDir, certFile), 'certificate');
  const keyDir = join(config.mspDir, 'keystore');
  const keyFiles = (await listFiles(keyDir, 'keystore')).slice(0, KEYSTORE_FILES_MAX);
  for (const name of keyFiles) {
    const text = await readText(join(keyDir, name), 'private key');
    if (!text.includes('PRIVATE KEY-----')) continue;
    try {
      return FabricSigner.create({ mspId, certificatePem, privateKey: text });
    } catch (error) {
      // Another enrollment's key: try the next file.
      if (!(error instanceof OcapError) || !/does not belong/.test(error.message)) throw error;
    }
  }
  throw new OcapError('INVALID_ARGUMENT', `No key in ${keyDir} belongs to the certificate ${join(certDir, certFile)}.`);
}
