import { createHash, createPublicKey, type KeyObject, randomBytes, type X509Certificate } from 'node:crypto';
import {
  bitString,
  boolean,
  explicit,
  implicitPrimitive,
  integer,
  objectIdentifier,
  octetString,
  printableString,
  sequence,
  set,
  time,
  utf8String,
} from './der.ts';
import { ecPoint, signLowS } from './ecdsa.ts';

/**
 * X.509 certificates written by hand in DER: a P-256 key, ECDSA-with-SHA256, the extensions Fabric's MSP looks at
 * (basic constraints, key usage, subject and authority key identifiers). No openssl needed on the machine.
 */

/** How long a generated certificate lasts: a development peer's identities should never expire under a test. */
export const CERTIFICATE_LIFETIME_YEARS = 100;

export interface DistinguishedName {
  commonName: string;
  organization: string;
  /** Fabric's NodeOUs: `client`, `peer`, `admin`, `orderer`. */
  organizationalUnit?: string;
  country?: string;
}

const OID = {
  country: '2.5.4.6',
  organization: '2.5.4.10',
  organizationalUnit: '2.5.4.11',
  commonName: '2.5.4.3',
  ecPublicKey: '1.2.840.10045.2.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
} as const;

function attribute(oid: string, value: Buffer): Buffer {
  return set(sequence(objectIdentifier(oid), value));
}

/** The Name in the order Fabric CA writes it: C, O, OU, CN. */
export function encodeName(name: DistinguishedName): Buffer {
  const rdns: Buffer[] = [];
  if (name.country) rdns.push(attribute(OID.country, printableString(name.country)));
  rdns.push(attribute(OID.organization, utf8String(name.organization)));
  if (name.organizationalUnit) rdns.push(attribute(OID.organizationalUnit, utf8String(name.organizationalUnit)));
  rdns.push(attribute(OID.commonName, utf8String(name.commonName)));
  return sequence(...rdns);
}

/** SHA-256 of the public key's EC point, as Fabric CA and cryptogen compute a subject key identifier. */
export function subjectKeyIdentifier(key: KeyObject): Buffer {
  return createHash('sha256').update(ecPoint(key)).digest();
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(objectIdentifier(oid), boolean(true), octetString(value))
    : sequence(objectIdentifier(oid), octetString(value));
}

export interface CertificateIssuer {
  name: DistinguishedName;
  privateKey: KeyObject;
}

export interface IssueOptions {
  subject: DistinguishedName;
  /** The subject's key (public or private: only its public half is written). */
  subjectKey: KeyObject;
  /** Who signs; absent for a self-signed root, which then must be given the subject's private key as `subjectKey`. */
  issuer?: CertificateIssuer;
  isCertificateAuthority: boolean;
  notBefore?: Date;
  notAfter?: Date;
}

/** Issues a certificate and returns it as PEM. */
export function issueCertificate(options: IssueOptions): string {
  const subjectPublic = options.subjectKey.type === 'private' ? createPublicKey(options.subjectKey) : options.subjectKey;
  const signer = options.issuer ?? { name: options.subject, privateKey: options.subjectKey };
  if (signer.privateKey.type !== 'private') throw new Error('a self-signed certificate needs the private key as subjectKey');
  const notBefore = options.notBefore ?? new Date(Date.now() - 24 * 3600_000);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + CERTIFICATE_LIFETIME_YEARS * 365.25 * 24 * 3600_000);
  const serial = randomBytes(16);
  serial[0] = ((serial[0] as number) & 0x7f) | 0x01;

  const keyUsage = options.isCertificateAuthority
    ? bitString(Buffer.from([0x06]), 1) // keyCertSign | cRLSign
    : bitString(Buffer.from([0x80]), 7); // digitalSignature
  const extensions = [
    extension(OID.keyUsage, true, keyUsage),
    extension(OID.basicConstraints, true, options.isCertificateAuthority ? sequence(boolean(true)) : sequence()),
    extension(OID.subjectKeyIdentifier, false, octetString(subjectKeyIdentifier(subjectPublic))),
  ];
  if (options.issuer) {
    const authorityKeyId = subjectKeyIdentifier(createPublicKey(options.issuer.privateKey));
    extensions.push(extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, authorityKeyId))));
  }

  const algorithm = sequence(objectIdentifier(OID.ecdsaWithSha256));
  const tbs = sequence(
    explicit(0, integer(2n)),
    integer(serial),
    algorithm,
    encodeName(signer.name),
    sequence(time(notBefore), time(notAfter)),
    encodeName(options.subject),
    subjectPublic.export({ format: 'der', type: 'spki' }),
    explicit(3, sequence(...extensions)),
  );
  const der = sequence(tbs, algorithm, bitString(signLowS(signer.privateKey, tbs)));
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${body.trimEnd()}\n-----END CERTIFICATE-----\n`;
}

/** Whether `certificate` was signed by `authority` and is valid now. */
export function isIssuedBy(certificate: X509Certificate, authority: X509Certificate, now = new Date()): boolean {
  if (!certificate.checkIssued(authority) || !certificate.verify(authority.publicKey)) return false;
  return new Date(certificate.validFrom) <= now && now <= new Date(certificate.validTo);
}
