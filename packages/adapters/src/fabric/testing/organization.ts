import { createPrivateKey, generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { type DistinguishedName, isIssuedBy, issueCertificate, subjectKeyIdentifier } from './certificates.ts';
import { signLowS } from './ecdsa.ts';
import { serializeIdentity } from './membership.ts';

/** A name for a new identity: it becomes a folder name and a certificate's common name. */
export const IdentityName = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/,
    'an identity name is 1-64 letters, digits, ".", "_", "@" or "-", starting with a letter or digit',
  );

/** One identity in Fabric's MSP folder layout. */
export interface MspIdentity {
  /** The MSP folder: `signcerts/cert.pem`, `keystore/<ski>_sk`, `cacerts/ca.pem`, `config.yaml`. */
  dir: string;
  mspId: string;
  certificatePem: string;
  /** PKCS #8 PEM. */
  privateKeyPem: string;
}

/** An identity that can sign: the peer's own, for endorsements and block signatures. */
export interface SigningIdentity {
  mspId: string;
  certificatePem: string;
  /** `msp.SerializedIdentity` bytes. */
  serialized: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/** NodeOUs as cryptogen writes them, so the folder reads like a real MSP to any tool that looks. */
const NODE_OUS_CONFIG = `NodeOUs:
  Enable: true
  ClientOUIdentifier:
    Certificate: cacerts/ca.pem
    OrganizationalUnitIdentifier: client
  PeerOUIdentifier:
    Certificate: cacerts/ca.pem
    OrganizationalUnitIdentifier: peer
  AdminOUIdentifier:
    Certificate: cacerts/ca.pem
    OrganizationalUnitIdentifier: admin
  OrdererOUIdentifier:
    Certificate: cacerts/ca.pem
    OrganizationalUnitIdentifier: orderer
`;

/**
 * An organization's certificate authority, kept under `<dir>/ca` (`ca.pem`, `ca_sk`) so a peer restarted on the same
 * data folder keeps its identities. It issues the peer's and the clients' identities.
 */
export class Organization {
  private constructor(
    readonly mspId: string,
    readonly dir: string,
    readonly caName: DistinguishedName,
    readonly caCertificatePem: string,
    readonly caKey: KeyObject,
  ) {}

  readonly caCertificate = (): X509Certificate => new X509Certificate(this.caCertificatePem);

  /** Loads the CA under `dir`, or creates one. */
  static async open(dir: string, mspId: string): Promise<Organization> {
    const domain = `${mspId.replace(/MSP$/, '').toLowerCase() || 'org'}.example.com`;
    const caName: DistinguishedName = { commonName: `ca.${domain}`, organization: domain, country: 'US' };
    const caDir = join(dir, 'ca');
    const existing = await readIfExists(join(caDir, 'ca.pem'));
    if (existing) {
      const keyPem = await readFile(join(caDir, 'ca_sk'), 'utf8');
      return new Organization(mspId, dir, caName, existing, createPrivateKey(keyPem));
    }
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const caPem = issueCertificate({ subject: caName, subjectKey: privateKey, isCertificateAuthority: true });
    await mkdir(caDir, { recursive: true });
    await writeFile(join(caDir, 'ca.pem'), caPem);
    await writeFile(join(caDir, 'ca_sk'), privateKey.export({ format: 'pem', type: 'pkcs8' }) as string, { mode: 0o600 });
    return new Organization(mspId, dir, caName, caPem, privateKey);
  }

  /**
   * The identity `name` of this organization in `<dir>/<folder>/<name>/msp`, loaded if it is already there and was
   * issued by this CA, issued (with a fresh key) otherwise.
   */
  async identity(name: string, role: 'client' | 'peer' | 'admin', folder = role === 'peer' ? 'peers' : 'users'): Promise<MspIdentity> {
    const parsedName = IdentityName.parse(name);
    const mspDir = join(this.dir, folder, parsedName, 'msp');
    const loaded = await this.#load(mspDir);
    if (loaded) return loaded;
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const certificatePem = issueCertificate({
      subject: { commonName: parsedName, organization: this.caName.organization, organizationalUnit: role, country: 'US' },
      subjectKey: privateKey,
      issuer: { name: this.caName, privateKey: this.caKey },
      isCertificateAuthority: false,
    });
    const privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;
    await mkdir(join(mspDir, 'signcerts'), { recursive: true });
    await mkdir(join(mspDir, 'keystore'), { recursive: true });
    await mkdir(join(mspDir, 'cacerts'), { recursive: true });
    await writeFile(join(mspDir, 'signcerts', 'cert.pem'), certificatePem);
    await writeFile(join(mspDir, 'keystore', `${subjectKeyIdentifier(privateKey).toString('hex')}_sk`), privateKeyPem, { mode: 0o600 });
    await writeFile(join(mspDir, 'cacerts', 'ca.pem'), this.caCertificatePem);
    await writeFile(join(mspDir, 'config.yaml'), NODE_OUS_CONFIG);
    return { dir: mspDir, mspId: this.mspId, certificatePem, privateKeyPem };
  }

  async #load(mspDir: string): Promise<MspIdentity | undefined> {
    const certificatePem = await readIfExists(join(mspDir, 'signcerts', 'cert.pem'));
    if (!certificatePem) return undefined;
    const keys = (await readdir(join(mspDir, 'keystore'))).filter((file) => file.endsWith('_sk'));
    if (keys.length !== 1) throw new Error(`${mspDir}/keystore should hold exactly one *_sk key, found ${keys.length}`);
    const privateKeyPem = await readFile(join(mspDir, 'keystore', keys[0] as string), 'utf8');
    if (!isIssuedBy(new X509Certificate(certificatePem), this.caCertificate())) {
      throw new Error(`${mspDir} holds a certificate that this data folder's CA did not issue; remove the folder to start afresh`);
    }
    return { dir: mspDir, mspId: this.mspId, certificatePem, privateKeyPem };
  }
}

/** The signing side of an identity (the peer's own). */
export function signingIdentity(identity: MspIdentity): SigningIdentity {
  const key = createPrivateKey(identity.privateKeyPem);
  return {
    mspId: identity.mspId,
    certificatePem: identity.certificatePem,
    serialized: serializeIdentity(identity.mspId, identity.certificatePem),
    sign: (message) => signLowS(key, message),
  };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
