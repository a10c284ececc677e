// An ERC-20-like token: one minter, balances per account, allowances, Transfer and Approval events.
// Functions return strings, numbers or booleans only: fabric-contract-api serializes objects with class-transformer,
// whose installed version here lacks the classToPlain it calls.
// Every refusal is an Error whose message starts with a stable code and a colon (INVALID_ARGUMENT, INVALID_ADDRESS,
// INSUFFICIENT_FUNDS, FORBIDDEN, NOT_FOUND), so clients can tell them apart; see README.md.
const { Contract } = require('fabric-contract-api');
const { callerAccount, isAccount } = require('./account.js');

/** Amounts are integers in the token's smallest unit, like an ERC-20 uint256: at most 2^256 - 1. */
const AMOUNT_MAX = 2n ** 256n - 1n;
const AMOUNT_DIGITS_MAX = 78;
const NAME_CHARS_MAX = 64;
const SYMBOL_CHARS_MAX = 16;
const SYMBOL = new RegExp(`^[A-Za-z0-9]{1,${SYMBOL_CHARS_MAX}}$`);
const DECIMALS_MAX = 36;
const META_KEY = 'meta';
const SUPPLY_KEY = 'totalSupply';

/** An Error whose message starts with its code, which the chaincode's response carries to the client. */
function refusal(code, sentence) {
  return new Error(`${code}: ${sentence}`);
}

/** Parses a decimal string amount; `positive` refuses zero (transfers and mints move something). */
function parseAmount(value, what, positive) {
  const text = String(value).trim();
  if (text.startsWith('-')) throw refusal('INVALID_ARGUMENT', `${what} "${text}" is negative; amounts are whole numbers of at least 0.`);
  if (!/^[0-9]+$/.test(text)) {
    throw refusal(
      'INVALID_ARGUMENT',
      `${what} "${text}" is not a whole number in decimal digits (e.g. "1000"); amounts count the token's smallest unit, so no fractions or exponents.`,
    );
  }
  if (text.length > AMOUNT_DIGITS_MAX || BigInt(text) > AMOUNT_MAX) throw refusal('INVALID_ARGUMENT', `${what} is above 2^256 - 1.`);
  const amount = BigInt(text);
  if (positive && amount === 0n) throw refusal('INVALID_ARGUMENT', `${what} must be above 0.`);
  return amount;
}

function parseAccount(value, what) {
  if (!isAccount(value)) {
    throw refusal('INVALID_ADDRESS', `${what} "${value}" is not an account: an account is 64 hex characters (see ClientAccountID).`);
  }
  return value.toLowerCase();
}

function balanceKey(ctx, account) {
  return ctx.stub.createCompositeKey('balance', [account]);
}

function allowanceKey(ctx, owner, spender) {
  return ctx.stub.createCompositeKey('allowance', [owner, spender]);
}

async function readAmount(ctx, key) {
  const bytes = await ctx.stub.getState(key);
  return bytes && bytes.length > 0 ? BigInt(Buffer.from(bytes).toString('utf8')) : 0n;
}

/** Writes an amount; zero deletes the key, so the world state holds only accounts with something. */
async function writeAmount(ctx, key, amount) {
  if (amount === 0n) await ctx.stub.deleteState(key);
  else await ctx.stub.putState(key, Buffer.from(amount.toString(), 'utf8'));
}

async function readMeta(ctx) {
  const bytes = await ctx.stub.getState(META_KEY);
  if (!bytes || bytes.length === 0) {
    throw refusal('NOT_FOUND', 'the token is not initialized yet; call Initialize(name, symbol, decimals) first.');
  }
  return JSON.parse(Buffer.from(bytes).toString('utf8'));
}

/** Moves `amount` from one account to another, refusing an overdraft. */
async function move(ctx, from, to, amount) {
  const fromKey = balanceKey(ctx, from);
  const fromBalance = await readAmount(ctx, fromKey);
  if (fromBalance < amount) {
    throw refusal('INSUFFICIENT_FUNDS', `account ${from} holds ${fromBalance}, ${amount} needed.`);
  }
  if (from === to) return;
  const toKey = balanceKey(ctx, to);
  const toBalance = await readAmount(ctx, toKey);
  await writeAmount(ctx, fromKey, fromBalance - amount);
  await writeAmount(ctx, toKey, toBalance + amount);
}

function emit(ctx, name, payload) {
  ctx.stub.setEvent(name, Buffer.from(JSON.stringify(payload), 'utf8'));
}

class TokenContract extends Contract {
  constructor() {
    super('token');
  }

  /** Sets name, symbol and decimals once; the caller becomes the minter. */
  async Initialize(ctx, name, symbol, decimals) {
    const existing = await ctx.stub.getState(META_KEY);
    if (existing && existing.length > 0) {
      throw refusal(
        'FORBIDDEN',
        `the token is already initialized (${JSON.parse(Buffer.from(existing).toString('utf8')).symbol}); Initialize runs once.`,
      );
    }
    if (name.length === 0 || name.length > NAME_CHARS_MAX)
      throw refusal('INVALID_ARGUMENT', `the name must have 1 to ${NAME_CHARS_MAX} characters.`);
    if (!SYMBOL.test(symbol)) {
      throw refusal('INVALID_ARGUMENT', `the symbol must be 1 to ${SYMBOL_CHARS_MAX} letters or digits.`);
    }
    if (!/^[0-9]{1,2}$/.test(decimals) || Number(decimals) > DECIMALS_MAX) {
      throw refusal('INVALID_ARGUMENT', `decimals must be a whole number from 0 to ${DECIMALS_MAX}.`);
    }
    const meta = { name, symbol, decimals: Number(decimals), minter: callerAccount(ctx) };
    await ctx.stub.putState(META_KEY, Buffer.from(JSON.stringify(meta), 'utf8'));
    await ctx.stub.putState(SUPPLY_KEY, Buffer.from('0', 'utf8'));
    return true;
  }

  async TokenName(ctx) {
    return (await readMeta(ctx)).name;
  }

  async Symbol(ctx) {
    return (await readMeta(ctx)).symbol;
  }

  async Decimals(ctx) {
    return (await readMeta(ctx)).decimals;
  }

  /** The account allowed to mint: the one that called Initialize. */
  async Minter(ctx) {
    return (await readMeta(ctx)).minter;
  }

  async TotalSupply(ctx) {
    await readMeta(ctx);
    return (await readAmount(ctx, SUPPLY_KEY)).toString();
  }

  async BalanceOf(ctx, account) {
    return (await readAmount(ctx, balanceKey(ctx, parseAccount(account, 'the account')))).toString();
  }

  /** The caller's own account id. */
  async ClientAccountID(ctx) {
    return callerAccount(ctx);
  }

  /** Creates `amount` new tokens in the minter's account. Event: Transfer {from: null, to: minter, value}. */
  async Mint(ctx, amount) {
    const meta = await readMeta(ctx);
    const caller = callerAccount(ctx);
    if (caller !== meta.minter) throw refusal('FORBIDDEN', `only the minter (${meta.minter}) may mint; the caller is ${caller}.`);
    const value = parseAmount(amount, 'the amount', true);
    const supply = await readAmount(ctx, SUPPLY_KEY);
    if (supply + value > AMOUNT_MAX) throw refusal('INVALID_ARGUMENT', 'minting this would raise the total supply above 2^256 - 1.');
    const key = balanceKey(ctx, caller);
    await writeAmount(ctx, key, (await readAmount(ctx, key)) + value);
    await ctx.stub.putState(SUPPLY_KEY, Buffer.from((supply + value).toString(), 'utf8'));
    emit(ctx, 'Transfer', { from: null, to: caller, value: value.toString() });
    return true;
  }

  /** Moves `amount` from the caller to `to`. Event: Transfer {from, to, value}. */
  async Transfer(ctx, to, amount) {
    const from = callerAccount(ctx);
    const receiver = parseAccount(to, 'the receiver');
    const value = parseAmount(amount, 'the amount', true);
    await move(ctx, from, receiver, value);
    emit(ctx, 'Transfer', { from, to: receiver, value: value.toString() });
    return true;
  }

  /** Lets `spender` move up to `amount` of the caller's tokens (replacing any earlier allowance). Event: Approval {owner, spender, value}. */
  async Approve(ctx, spender, amount) {
    const owner = callerAccount(ctx);
    const allowed = parseAccount(spender, 'the spender');
    const value = parseAmount(amount, 'the allowance', false);
    await writeAmount(ctx, allowanceKey(ctx, owner, allowed), value);
    emit(ctx, 'Approval', { owner, spender: allowed, value: value.toString() });
    return true;
  }

  async Allowance(ctx, owner, spender) {
    return (await readAmount(ctx, allowanceKey(ctx, parseAccount(owner, 'the owner'), parseAccount(spender, 'the spender')))).toString();
  }

  /** The caller, as spender, moves `amount` from `from` to `to` within its allowance. Event: Transfer {from, to, value}. */
  async TransferFrom(ctx, from, to, amount) {
    const spender = callerAccount(ctx);
    const owner = parseAccount(from, 'the owner');
    const receiver = parseAccount(to, 'the receiver');
    const value = parseAmount(amount, 'the amount', true);
    const key = allowanceKey(ctx, owner, spender);
    const allowance = await readAmount(ctx, key);
    if (allowance < value) {
      throw refusal('FORBIDDEN', `account ${spender} may move ${allowance} of ${owner}'s tokens, ${value} requested.`);
    }
    await move(ctx, owner, receiver, value);
    await writeAmount(ctx, key, allowance - value);
    emit(ctx, 'Transfer', { from: owner, to: receiver, value: value.toString() });
    return true;
  }
}

module.exports = { AMOUNT_MAX, TokenContract };
