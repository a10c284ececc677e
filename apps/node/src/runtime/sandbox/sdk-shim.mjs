/**
 * The SDK the blocklet sees. `sdkShim` is never called in the worker: its source text is evaluated inside each
 * isolate before the blocklet module (so it must not use anything from this file's scope). It captures the one
 * host bridge (an ivm.Reference, kept in this closure and never exposed), hardens the built-ins, and returns
 * `{ install, deliver, end }`: `install(namespace)` returns `dispatch`, the function the worker calls per
 * invocation; `deliver(callId, replyJson)` settles one host call; `end(token)` forgets an invocation the worker
 * ended before its handler returned.
 *
 * Everything crossing the boundary is a string: the input and env arrive as JSON, host answers arrive as JSON,
 * the output leaves as JSON. No object of the worker is ever reachable from the isolate.
 *
 * Host answers arrive as tasks of their own (`deliver`, started by the worker), never as the continuation of a
 * call out of the isolate: isolated-vm reports a promise rejection nobody handled at the end of the task in
 * which it happened, so every rejection is reported by a task that belongs to one invocation (its dispatch or a
 * delivery of its host call) and the worker attributes it to that invocation. A host call of an invocation that
 * has ended is never settled (its promise stays pending and is collected): none of its code runs again because
 * of a host answer, and a late answer cannot reach a later invocation.
 */
export function sdkShim(bridge, bounds) {
  const { parse, stringify } = JSON;
  const { freeze, isFrozen, defineProperty, getOwnPropertyDescriptor, getPrototypeOf } = Object;
  const { apply, ownKeys } = Reflect;
  const ErrorCtor = Error;
  const StringCtor = String;

  hardenIntrinsics();

  /**
   * The running invocations by token (the worker's id of one invocation): log counters and the ids of their
   * host calls still waiting for an answer. A token leaves when its handler returns or the worker ends it.
   */
  const invocations = new Map();
  /** Host calls waiting for their answer: callId → { token, resolve, reject }. */
  const pendingCalls = new Map();
  let callSeq = 0;
  const never = () => new Promise(() => {});

  function hostCall(token, method, args) {
    const invocation = invocations.get(token);
    // The invocation has ended: nothing of it runs again because of a host answer (see the header).
    if (invocation === undefined) return never();
    let argsJson;
    try {
      argsJson = stringify(args);
    } catch (error) {
      return Promise.reject(error);
    }
    if (argsJson.length > bounds.maxHostArgsBytes)
      return Promise.reject(codedError('PAYLOAD_TOO_LARGE', `${method}: arguments exceed ${bounds.maxHostArgsBytes} bytes`));
    callSeq += 1;
    const callId = callSeq;
    return new Promise((resolve, reject) => {
      pendingCalls.set(callId, { token, resolve, reject });
      invocation.calls.add(callId);
      bridge.applyIgnored(undefined, [token, method, argsJson, callId]);
    });
  }

  /** Settles host call `callId` with the worker's answer (run by the worker as a task of its own). */
  function deliver(callId, replyJson) {
    const pending = pendingCalls.get(callId);
    if (pending === undefined) return;
    pendingCalls.delete(callId);
    invocations.get(pending.token)?.calls.delete(callId);
    const reply = parse(replyJson);
    if (reply.ok) pending.resolve(reply.value);
    else pending.reject(codedError(reply.code, reply.message, reply.retriable === true));
  }

  /** Forgets an invocation: its log lines are dropped and its waiting host calls are never settled. */
  function end(token) {
    const invocation = invocations.get(token);
    if (invocation === undefined) return;
    invocations.delete(token);
    for (const callId of invocation.calls) pendingCalls.delete(callId);
  }

  function codedError(code, message, retriable = false) {
    const error = new ErrorCtor(message);
    error.code = code;
    error.retriable = retriable;
    return error;
  }

  function formatArg(value) {
    if (typeof value === 'string') return value;
    if (value instanceof ErrorCtor) return `${value.name}: ${value.message}`;
    try {
      const json = stringify(value);
      return json === undefined ? StringCtor(value) : json;
    } catch {
      return StringCtor(value);
    }
  }

  function log(token, level, args) {
    const state = invocations.get(token);
    // Unknown token: the invocation ended (a background promise logging late); the line is dropped.
    if (state === undefined || state.truncated) return;
    let line = '';
    for (let i = 0; i < args.length; i++) line += (i === 0 ? '' : ' ') + formatArg(args[i]);
    if (line.length > bounds.maxLogLineChars) line = line.slice(0, bounds.maxLogLineChars) + '…';
    state.lines += 1;
    state.bytes += line.length;
    if (state.lines > bounds.maxLogLinesPerInvocation || state.bytes > bounds.maxLogBytesPerInvocation) {
      state.truncated = true;
      level = 'warn';
      line = `[log truncated: over ${bounds.maxLogLinesPerInvocation} lines or ${bounds.maxLogBytesPerInvocation} bytes]`;
    }
    bridge.applyIgnored(undefined, [token, 'log', stringify([level, line])]);
  }

  function makeCtx(token, env, invocationId) {
    const call =
      (method) =>
      (...args) =>
        hostCall(token, method, args);
    const logAt =
      (level) =>
      (...args) => {
        log(token, level, args);
        return Promise.resolve();
      };
    return freeze({
      invocationId,
      env,
      kv: freeze({ get: call('kv.get'), set: call('kv.set'), delete: call('kv.delete'), list: call('kv.list') }),
      publish: call('publish'),
      fetch: call('fetch'),
      ocap: freeze({ query: call('ocap.query'), send: call('ocap.send'), native: call('ocap.native') }),
      ledger: freeze({ did: call('ledger.did'), submit: call('ledger.submit') }),
      blocklets: freeze({ call: call('blocklets.call') }),
      keys: freeze({
        info: call('keys.info'),
        sign: call('keys.sign'),
        signTypedData: call('keys.signTypedData'),
        signEthereumTransaction: call('keys.signEthereumTransaction'),
        approve: call('keys.approve'),
        cosign: call('keys.cosign'),
      }),
      abi: freeze({ encode: call('abi.encode'), decode: call('abi.decode'), keccak256: call('abi.keccak256') }),
      log: freeze({ info: logAt('info'), warn: logAt('warn'), error: logAt('error') }),
    });
  }

  function describeThrown(thrown) {
    try {
      if (thrown instanceof ErrorCtor) return `${thrown.name}: ${thrown.message}`;
      return `uncaught ${typeof thrown}: ${StringCtor(thrown)}`;
    } catch {
      return 'uncaught value that cannot be described';
    }
  }

  /**
   * Freezes every built-in so one invocation cannot poison them for the next ones of the same deployment (the
   * context is reused): each global's constructor or namespace, its prototype and their prototype chains, the
   * namespaces' members (Intl.*), and the intrinsics no global names (%TypedArray%, the generator, async and
   * iterator prototypes and constructors). globalThis itself is frozen once the module has loaded (`install`).
   * What stays mutable: the function objects of built-in methods (`Array.prototype.map` cannot be replaced, but
   * a property added to the function itself persists) — walking and freezing those too costs ~3 ms per isolate,
   * more than the whole cold start; see README.
   * Properties that code commonly assigns on its own objects (`constructor`, `toString`, `name`, `message`…)
   * become accessors on the prototypes whose setter defines an own property on the receiver, so
   * `this.name = 'MyError'` keeps working (the "override mistake").
   */
  function hardenIntrinsics() {
    const overridable = ['constructor', 'toString', 'valueOf', 'toLocaleString', 'name', 'message', 'toJSON'];
    const tame = (object) => {
      for (const key of overridable) {
        const desc = getOwnPropertyDescriptor(object, key);
        // Only writable data properties: freezing a non-writable one (a function's `name`) changes nothing, so
        // there is no override mistake to tame and each accessor costs ~4 µs per isolate.
        if (desc === undefined || desc.writable !== true || !desc.configurable) continue;
        const value = desc.value;
        defineProperty(object, key, {
          get: () => value,
          set(next) {
            if (this === object) throw new TypeError(`Cannot assign to read only property '${key}' of a built-in`);
            defineProperty(this, key, { value: next, writable: true, enumerable: true, configurable: true });
          },
          enumerable: desc.enumerable,
          configurable: false,
        });
      }
    };
    const isObject = (value) => (typeof value === 'object' && value !== null) || typeof value === 'function';
    // Built-ins that are not needed and escape the memory limit or block the isolate thread.
    for (const name of ['WebAssembly', 'SharedArrayBuffer', 'Atomics']) delete globalThis[name];
    // Taming costs ~4 µs per property: only the prototypes code's own objects and classes commonly inherit from.
    const tamed = [Object, Function, Array, String, Number, Boolean, Symbol, BigInt, Promise, Error, TypeError, RangeError];
    tamed.push(SyntaxError, ReferenceError, EvalError, URIError, AggregateError, RegExp, Date, Map, Set, WeakMap, WeakSet);
    tamed.push(ArrayBuffer, DataView, getPrototypeOf(Int16Array));
    for (const ctor of tamed) tame(ctor.prototype);
    /** Freezes a built-in, its `prototype` and both prototype chains (being frozen marks it as done). */
    const add = (value) => {
      if (!isObject(value) || value === globalThis || isFrozen(value)) return;
      freeze(value);
      add(getPrototypeOf(value));
      if (typeof value !== 'function') return;
      const desc = getOwnPropertyDescriptor(value, 'prototype');
      if (desc !== undefined) add(desc.value);
    };
    const generator = function* () {};
    const asyncGenerator = async function* () {};
    const hidden = [
      getPrototypeOf(Int16Array), // %TypedArray%
      getPrototypeOf(generator), // %GeneratorFunction.prototype%, its constructor and %GeneratorPrototype%
      getPrototypeOf(generator).constructor,
      getPrototypeOf(asyncGenerator),
      getPrototypeOf(asyncGenerator).constructor,
      getPrototypeOf(async () => {}),
      getPrototypeOf(async () => {}).constructor,
      getPrototypeOf(generator()),
      getPrototypeOf(asyncGenerator()),
      getPrototypeOf([][Symbol.iterator]()), // %ArrayIteratorPrototype% → %IteratorPrototype%
      getPrototypeOf(new Map().entries()),
      getPrototypeOf(new Set().values()),
      getPrototypeOf(''[Symbol.iterator]()),
      getPrototypeOf(/./[Symbol.matchAll]('')),
    ];
    // The global object's own prototype chain (inherited globals).
    add(getPrototypeOf(globalThis));
    for (const value of hidden) add(value);
    for (const key of ownKeys(globalThis)) {
      const desc = getOwnPropertyDescriptor(globalThis, key);
      if (desc !== undefined) add(desc.value);
    }
    // The one namespace holding constructors (JSON, Math and Reflect hold only methods): Intl.DateTimeFormat…
    if (isObject(globalThis.Intl)) {
      for (const key of ownKeys(Intl)) {
        const desc = getOwnPropertyDescriptor(Intl, key);
        if (desc !== undefined) add(desc.value);
      }
    }
  }

  /** The handler: an own, enumerable function-valued data property of the default export, else undefined. */
  function handlerOf(blocklet, handler) {
    const desc = getOwnPropertyDescriptor(blocklet, handler);
    if (desc === undefined || desc.enumerable !== true || typeof desc.value !== 'function') return undefined;
    return desc.value;
  }

  return freeze({ install, deliver, end });

  function install(namespace) {
    const blocklet = namespace.default;
    // The module has run its top level: from now on no invocation can add or replace a global for the next one.
    freeze(globalThis);
    let lastEnvJson;
    let lastEnv;
    return async function dispatch(token, handler, inputJson, envJson, invocationId) {
      invocations.set(token, { lines: 0, bytes: 0, truncated: false, calls: new Set() });
      try {
        if (blocklet === null || (typeof blocklet !== 'object' && typeof blocklet !== 'function')) {
          return stringify({ ok: false, message: 'the module has no default export object' });
        }
        const fn = handlerOf(blocklet, handler);
        if (fn === undefined) {
          return stringify({
            ok: false,
            code: 'BLOCKLET_HANDLER_NOT_FOUND',
            message: `the blocklet has no '${handler}' handler (an own enumerable function of its default export)`,
          });
        }
        if (envJson !== lastEnvJson) {
          const env = parse(envJson);
          lastEnv = freeze(env);
          lastEnvJson = envJson;
        }
        const output = await apply(fn, blocklet, [parse(inputJson), makeCtx(token, lastEnv, invocationId)]);
        const json = stringify({ ok: true, output });
        if (json.length > bounds.maxOutputBytes)
          return stringify({ ok: false, message: `the output exceeds ${bounds.maxOutputBytes} bytes of JSON` });
        return json;
      } catch (thrown) {
        return stringify({ ok: false, message: describeThrown(thrown) });
      } finally {
        end(token);
      }
    };
  }
}
