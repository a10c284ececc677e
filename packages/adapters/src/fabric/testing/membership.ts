import { type KeyObject, X509Certificate } from 'node:crypto';
import { msp } from '@hyperledger/fabric-protos';
import { isIssuedBy } from './certificates.ts';
import { verifyLowS } from './ecdsa.ts';

/** Deserialized creators kept so a stream of requests from one client parses its certificate once. */
export const CREATOR_CACHE_ENTRIES_MAX = 1_024;

/** Why an identity or a signature was refused; the callers turn these into Fabric's own sentences. */
export type MembershipProblem = 'malformed' | 'invalid-certificate' | 'bad-signature';

export type MembershipCheck =
  | { ok: true; mspId: string; certificate: X509Certificate; publicKey: KeyObject }
  | { ok: false; problem: MembershipProblem; mspId?: string };

/**
 * The channel's one organization, as Fabric's channel MSP sees it: a creator (a serialized `msp.SerializedIdentity`)
 * belongs if its MSP id is the channel's and its certificate was issued by the organization's CA and is valid now;
 * a signature counts if it is a low-S ECDSA P-256 signature over SHA-256 of the signed bytes by that certificate.
 */
export class ChannelMembership {
  readonly #cache = new Map<string, MembershipCheck>();

  constructor(
    readonly mspId: string,
    readonly caCertificate: X509Certificate,
  ) {}

  /** Checks who the creator is, without a signature. */
  deserialize(creator: Uint8Array): MembershipCheck {
    const cacheKey = Buffer.from(creator).toString('base64');
    const cached = this.#cache.get(cacheKey);
    if (cached) return cached;
    const result = this.#deserialize(creator);
    if (this.#cache.size >= CREATOR_CACHE_ENTRIES_MAX) this.#cache.clear();
    this.#cache.set(cacheKey, result);
    return result;
  }

  /** Checks the creator, then its signature over `signedBytes`. */
  verify(creator: Uint8Array, signedBytes: Uint8Array, signature: Uint8Array): MembershipCheck {
    const identity = this.deserialize(creator);
    if (!identity.ok) return identity;
    if (!verifyLowS(identity.publicKey, signedBytes, signature)) return { ok: false, problem: 'bad-signature', mspId: identity.mspId };
    return identity;
  }

  #deserialize(creator: Uint8Array): MembershipCheck {
    let serialized: msp.SerializedIdentity;
    try {
      serialized = msp.SerializedIdentity.deserializeBinary(creator);
    } catch {
      // Bytes that are not a SerializedIdentity are Fabric's "creator is malformed", not a peer error.
      return { ok: false, problem: 'malformed' };
    }
    const mspId = serialized.getMspid();
    // Fabric's channel MSP manager knows only the channel's organizations: any other MSP id fails to deserialize.
    if (mspId !== this.mspId) return { ok: false, problem: 'malformed' };
    let certificate: X509Certificate;
    try {
      certificate = new X509Certificate(Buffer.from(serialized.getIdBytes_asU8()));
    } catch {
      return { ok: false, problem: 'malformed' };
    }
    if (!isIssuedBy(certificate, this.caCertificate)) return { ok: false, problem: 'invalid-certificate', mspId };
    return { ok: true, mspId, certificate, publicKey: certificate.publicKey };
  }
}

/** `msp.SerializedIdentity` bytes: what a creator or an endorser is on the wire. */
export function serializeIdentity(mspId: string, certificatePem: string): Uint8Array {
  const identity = new msp.SerializedIdentity();
  identity.setMspid(mspId);
  identity.setIdBytes(Buffer.from(certificatePem));
  return identity.serializeBinary();
}
