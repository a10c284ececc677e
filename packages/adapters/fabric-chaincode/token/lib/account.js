// Accounts: who a caller is, as a fixed-width id any client can compute from its own certificate.
//
// account = hex(sha256(utf8(mspId) || 0x00 || issuer DER || subject DER)), 64 lowercase hex characters.
// The issuer and subject are the certificate's Name fields byte for byte, so a renewed certificate with the same
// subject from the same CA keeps its account (as Fabric's own "x509::subject::issuer" id does), and two MSPs never
// share one. The Fabric adapter computes the same id (packages/adapters/src/fabric/identity.ts).
const { createHash } = require('node:crypto');

const ACCOUNT = /^[0-9a-fA-F]{64}$/;
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/;
/** DER lengths above this many bytes are not a certificate we accept. */
const DER_LENGTH_BYTES_MAX = 4;

/** One DER element at `offset`: its tag, where its header starts, where its content starts and ends. */
function readTlv(der, offset) {
  if (offset + 2 > der.length) throw new Error('truncated DER');
  const tag = der[offset];
  let length = der[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > DER_LENGTH_BYTES_MAX) throw new Error('unsupported DER length');
    length = 0;
    for (let i = 0; i < bytes; i += 1) length = length * 256 + der[start + i];
    start += bytes;
  }
  const end = start + length;
  if (end > der.length) throw new Error('truncated DER');
  return { tag, offset, start, end };
}

/** The issuer and subject Name fields of a DER certificate, each with its tag and length. */
function issuerAndSubject(der) {
  const certificate = readTlv(der, 0);
  const tbs = readTlv(der, certificate.start);
  let field = readTlv(der, tbs.start);
  if (field.tag === 0xa0) field = readTlv(der, field.end); // [0] version
  const signature = readTlv(der, field.end); // after serialNumber
  const issuer = readTlv(der, signature.end);
  const validity = readTlv(der, issuer.end);
  const subject = readTlv(der, validity.end);
  if (issuer.tag !== 0x30 || subject.tag !== 0x30) throw new Error('issuer or subject is not a Name');
  return { issuer: der.subarray(issuer.offset, issuer.end), subject: der.subarray(subject.offset, subject.end) };
}

/** The account of an MSP member given its PEM certificate. */
function accountOf(mspId, certificatePem) {
  const match = PEM_CERTIFICATE.exec(certificatePem);
  if (!match) throw new Error('the identity is not an X.509 certificate in PEM form');
  const der = Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
  const { issuer, subject } = issuerAndSubject(der);
  return createHash('sha256')
    .update(Buffer.from(mspId, 'utf8'))
    .update(Buffer.from([0]))
    .update(issuer)
    .update(subject)
    .digest('hex');
}

/** The caller's account, from the transaction's creator. */
function callerAccount(ctx) {
  const identity = ctx.clientIdentity;
  return accountOf(identity.getMSPID(), Buffer.from(identity.getIDBytes()).toString('utf8'));
}

/** True when `value` has the form of an account (any case). */
function isAccount(value) {
  return typeof value === 'string' && ACCOUNT.test(value);
}

module.exports = { accountOf, callerAccount, isAccount, issuerAndSubject };
