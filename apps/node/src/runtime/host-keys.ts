import {
  approvalDigest,
  attachSignatures,
  type BlockletKeyScheme,
  type BlockletManifest,
  type BridgeReleaseTx,
  bytesEqual,
  decodeTx,
  didFromPublicKey,
  encodeTx,
  fromHex,
  isValidDid,
  type KeyPair,
  keyPairFromSeed,
  signMessage,
  type Tx,
  toHex,
  txHash,
  txSigningBytes,
  verifySignature,
} from '@arc/core';
import { AbiCoder, keccak256, SigningKey, Transaction, toUtf8Bytes, Wallet } from 'ethers';
import { z } from 'zod';
import { toJson } from '../ocap/json.ts';
import { HostCallError } from './sandbox/types.ts';

/** Bounds of the key and ABI host calls. */
export const KEY_LIMITS = {
  /** An ed25519 message, an ABI blob, a keccak input (bytes). */
  bytesMax: 64 * 1024,
  /** Types (and values) of one ABI encode or decode. */
  abiTypesMax: 64,
  /** EIP-712 typed data as JSON. */
  typedDataBytesMax: 16 * 1024,
} as const;

/** What the key calls need of the node: the chain approvals bind to, and a key's secret (a secure env variable). */
export interface KeyHostDeps {
  chainId: string;
  keySecret(blocklet: string, key: string): Promise<string | null>;
}

type HeldKey = { scheme: 'ed25519'; pair: KeyPair; did: string } | { scheme: 'secp256k1'; signing: SigningKey; address: string };

const hexBytes = z
  .string()
  .max(2 + KEY_LIMITS.bytesMax * 2)
  .regex(/^0x([0-9a-fA-F]{2})*$/, 'is 0x and whole bytes of hex');
const digest32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'is a 32-byte digest: 0x and 64 hex digits');
const abiTypes = z.array(z.string().min(1).max(200)).max(KEY_LIMITS.abiTypesMax);
const uint = z.union([z.string().regex(/^\d{1,78}$/), z.number().int().nonnegative()]).transform((v) => BigInt(v));

/** The ledger transactions a threshold of keys approves (`ctx.keys.approve`), JSON form, without approvals. */
const ApprovableItx = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('bridgeRelease'),
    ethTxHash: digest32.transform((h) => fromHex(h.slice(2))),
    logIndex: z
      .number()
      .int()
      .min(0)
      .max(2 ** 31 - 1),
    to: z.string().refine(isValidDid, 'is not a valid DID'),
    amount: uint,
  }),
]);

/** An EIP-1559 transaction for `ctx.keys.signEthereumTransaction` (uint values as decimal strings or safe numbers). */
const EthereumTransaction = z.strictObject({
  chainId: uint,
  nonce: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  to: z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'is an Ethereum address: 0x and 40 hex digits'),
  data: hexBytes.default('0x'),
  value: uint.default(0n),
  gasLimit: uint,
  maxFeePerGas: uint,
  maxPriorityFeePerGas: uint,
});

const TypedData = z.strictObject({
  domain: z.record(z.string(), z.unknown()),
  types: z.record(z.string(), z.array(z.strictObject({ name: z.string().max(64), type: z.string().max(200) })).max(32)),
  message: z.record(z.string(), z.unknown()),
});

function bad(message: string): never {
  throw new HostCallError('BAD_INPUT', message);
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) bad(`${what}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'value'} ${i.message}`).join('; ')}`);
  return parsed.data;
}

/** Runs an ethers call on guest input: its refusals are the guest's BAD_INPUT, with ethers' short reason. */
function viaEthers<T>(what: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    const { shortMessage, message } = error as { shortMessage?: string; message?: string };
    return bad(`${what}: ${shortMessage ?? message ?? String(error)}`);
  }
}

/** A key's secret as the operator stores it: an ed25519 seed or a secp256k1 private key, 32 bytes of hex. */
function holdKey(scheme: BlockletKeyScheme, secret: string, key: string): HeldKey {
  const hex = secret.trim().replace(/^0x/i, '');
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) {
    throw new HostCallError(
      'BLOCKLET_KEY_MISSING',
      `the key ${key} is not 32 bytes of hex (an ${scheme} ${scheme === 'ed25519' ? 'seed' : 'private key'})`,
    );
  }
  if (scheme === 'ed25519') {
    const pair = keyPairFromSeed(fromHex(hex.toLowerCase()));
    return { scheme, pair, did: didFromPublicKey(pair.publicKey) };
  }
  const signing = new SigningKey(`0x${hex}`);
  return { scheme, signing, address: new Wallet(signing).address };
}

/** What `ctx.keys.cosign` answers: the co-signed transaction and what a relayer's policy reads of it. */
export interface Cosigned {
  rawTx: string;
  hash: string;
  from: string;
  nonce: number;
  type: string;
  fee: string;
}

/**
 * Co-signs a ledger transaction as its fee payer (`ctx.keys.cosign`): one this chain's sender signed, naming this key
 * as fee payer, with any fee payer signature in it (zeros, as `encodeForSponsor` sends it) replaced. The sender's
 * signature must verify: a relayer never vouches for a transaction the ledger would refuse as forged.
 */
function cosignLedgerTx(key: { pair: KeyPair; did: string }, rawTx: string, chainId: string): Cosigned {
  let tx: Tx;
  try {
    tx = decodeTx(fromHex(rawTx.slice(2).toLowerCase()));
  } catch (error) {
    return bad(`ctx.keys.cosign: the transaction does not decode: ${(error as Error).message}`);
  }
  if (tx.chainId !== chainId) bad(`ctx.keys.cosign: the transaction is for chain ${tx.chainId}, not this node's ${chainId}`);
  const payer = tx.feePayer;
  if (payer === null) bad("ctx.keys.cosign: the transaction names no fee payer; set feePayer to this key's DID and public key");
  if (payer.did !== key.did || !bytesEqual(payer.publicKey, key.pair.publicKey)) {
    throw new HostCallError(
      'PERMISSION_DENIED',
      `ctx.keys.cosign: the transaction names fee payer ${payer.did}, not this key's ${key.did}`,
    );
  }
  // Signed alone: a batch proof in what came is dropped with the signature it went with.
  const unsigned = { ...tx, feePayer: { did: payer.did, publicKey: payer.publicKey } };
  const bytes = txSigningBytes(unsigned);
  if (!verifySignature(tx.publicKey, bytes, tx.signature)) bad("ctx.keys.cosign: the sender's signature does not verify");
  const signed = attachSignatures(unsigned, tx.signature, signMessage(key.pair.secretKey, bytes));
  const encoded = encodeTx(signed);
  return {
    rawTx: `0x${toHex(encoded)}`,
    hash: `0x${toHex(txHash(encoded))}`,
    from: tx.from,
    nonce: tx.nonce,
    type: tx.itx.type,
    fee: tx.fee.toString(),
  };
}

/**
 * `ctx.keys` and `ctx.abi` of one invocation. A key is one the manifest lists (permissions.keys); its secret is read
 * from the blocklet's secure environment when first used and never crosses into the sandbox: only public keys,
 * addresses and signatures do.
 */
export function keyCalls(deps: KeyHostDeps, name: string, manifest: BlockletManifest) {
  const held = new Map<string, HeldKey>();

  async function key(nameArg: unknown, scheme?: BlockletKeyScheme): Promise<HeldKey> {
    if (typeof nameArg !== 'string') bad('a key is named by a string (its name in permissions.keys)');
    const declared = manifest.permissions.keys.find((k) => k.name === nameArg);
    if (!declared) throw new HostCallError('PERMISSION_DENIED', `this blocklet's manifest lists no key "${nameArg}" (permissions.keys)`);
    if (scheme && declared.scheme !== scheme) bad(`the key ${nameArg} is ${declared.scheme}; this call needs a ${scheme} key`);
    const cached = held.get(nameArg);
    if (cached) return cached;
    const secret = await deps.keySecret(name, nameArg).catch((error: { code?: unknown; message?: string }) => {
      throw new HostCallError(typeof error.code === 'string' ? error.code : 'HOST_ERROR', error.message ?? String(error));
    });
    if (secret === null) {
      throw new HostCallError(
        'BLOCKLET_KEY_MISSING',
        `${name} signs with the key ${nameArg}, which is not set: set the environment variable ${nameArg} with secure: true`,
      );
    }
    const value = holdKey(declared.scheme, secret, nameArg);
    held.set(nameArg, value);
    return value;
  }

  async function call(method: string, a: unknown[]): Promise<unknown> {
    switch (method) {
      case 'keys.info': {
        const k = await key(a[0]);
        return k.scheme === 'ed25519'
          ? { scheme: k.scheme, publicKey: `0x${toHex(k.pair.publicKey)}`, address: k.did }
          : { scheme: k.scheme, publicKey: k.signing.compressedPublicKey, address: k.address };
      }
      case 'keys.sign': {
        const k = await key(a[0]);
        if (k.scheme === 'ed25519') {
          const message = parse(hexBytes, a[1], 'ctx.keys.sign: the message');
          return `0x${toHex(signMessage(k.pair.secretKey, fromHex(message.slice(2).toLowerCase())))}`;
        }
        const digest = parse(digest32, a[1], 'ctx.keys.sign: a secp256k1 key signs a digest, which');
        return k.signing.sign(digest).serialized;
      }
      case 'keys.signTypedData': {
        const k = await key(a[0], 'secp256k1');
        if (JSON.stringify(a[1] ?? null).length > KEY_LIMITS.typedDataBytesMax)
          throw new HostCallError('LIMIT_EXCEEDED', `typed data is at most ${KEY_LIMITS.typedDataBytesMax} bytes of JSON`);
        const typed = parse(TypedData, a[1], 'ctx.keys.signTypedData');
        if (k.scheme !== 'secp256k1') bad('not a secp256k1 key');
        const wallet = new Wallet(k.signing);
        const pending = viaEthers('ctx.keys.signTypedData', () => wallet.signTypedData(typed.domain, typed.types, typed.message));
        return pending.catch((error: { shortMessage?: string; message?: string }) =>
          bad(`ctx.keys.signTypedData: ${error.shortMessage ?? error.message}`),
        );
      }
      case 'keys.signEthereumTransaction': {
        const k = await key(a[0], 'secp256k1');
        if (k.scheme !== 'secp256k1') bad('not a secp256k1 key');
        const fields = parse(EthereumTransaction, a[1], 'ctx.keys.signEthereumTransaction: the transaction');
        const tx = viaEthers('ctx.keys.signEthereumTransaction', () => Transaction.from({ type: 2, ...fields }));
        tx.signature = k.signing.sign(tx.unsignedHash);
        return { rawTx: tx.serialized, hash: tx.hash, from: k.address };
      }
      case 'keys.approve': {
        const k = await key(a[0], 'ed25519');
        if (k.scheme !== 'ed25519') bad('not an ed25519 key');
        const itx: BridgeReleaseTx = { ...parse(ApprovableItx, a[1], 'ctx.keys.approve: the transaction'), approvals: [] };
        const signature = signMessage(k.pair.secretKey, approvalDigest(deps.chainId, itx));
        return { did: k.did, publicKey: `0x${toHex(k.pair.publicKey)}`, signature: `0x${toHex(signature)}` };
      }
      case 'keys.cosign': {
        const k = await key(a[0], 'ed25519');
        if (k.scheme !== 'ed25519') bad('not an ed25519 key');
        return cosignLedgerTx(k, parse(hexBytes, a[1], 'ctx.keys.cosign: the transaction'), deps.chainId);
      }
      case 'abi.encode': {
        const types = parse(abiTypes, a[0], 'ctx.abi.encode: the types');
        if (!Array.isArray(a[1]) || a[1].length !== types.length) bad('ctx.abi.encode: give one value per type');
        const encoded = viaEthers('ctx.abi.encode', () => AbiCoder.defaultAbiCoder().encode(types, a[1] as unknown[]));
        if (encoded.length > 2 + KEY_LIMITS.bytesMax * 2)
          throw new HostCallError('LIMIT_EXCEEDED', `an encoding is at most ${KEY_LIMITS.bytesMax} bytes`);
        return encoded;
      }
      case 'abi.decode': {
        const types = parse(abiTypes, a[0], 'ctx.abi.decode: the types');
        const data = parse(hexBytes, a[1], 'ctx.abi.decode: the data');
        return toJson(viaEthers('ctx.abi.decode', () => AbiCoder.defaultAbiCoder().decode(types, data).toArray(true)));
      }
      case 'abi.keccak256': {
        if (typeof a[0] !== 'string' || a[0].length > KEY_LIMITS.bytesMax * 2)
          bad(`ctx.abi.keccak256 takes 0x hex or a text of at most ${KEY_LIMITS.bytesMax} bytes`);
        return /^0x([0-9a-fA-F]{2})*$/.test(a[0]) ? keccak256(a[0]) : keccak256(toUtf8Bytes(a[0]));
      }
      default:
        return bad(`there is no ctx call "${method}"`);
    }
  }

  return { call };
}
