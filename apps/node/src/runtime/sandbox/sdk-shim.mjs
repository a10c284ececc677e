/**
 * The SDK the blocklet sees. `sdkShim` is never called in the worker: its source text is evaluated inside each
 * isolate before the blocklet module (so it must not use anything from this file's scope). It captures the one
 * host bridge (an ivm.Reference, kept in this closure and never exposed), hardens the built-ins, and returns
 * `install(namespace)` which returns `dispatch`, the only function the worker calls per invocation.
 *
 * Everything crossing the boundary is a string: the input and env arrive as JSON, host answers arrive as JSON,
 * the output leaves as JSON. No object of the worker is ever reachable from the isolate.
 */
export function sdkShim(bridge, bounds) {
  const { parse, stringify } = JSON;
  const { freeze, defineProperty, getOwnPropertyDescriptor, getPrototypeOf } = Object;
  const { apply } = Reflect;
  const ErrorCtor = Error;
  const StringCtor = String;

  hardenIntrinsics();

  /** Per-token log counters; a token is the worker's id of one invocation. */
  const logState = new Map();

  async function hostCall(token, method, args) {
    const argsJson = stringify(args);
    if (argsJson.length > bounds.maxHostArgsBytes)
      throw codedError('PAYLOAD_TOO_LARGE', `${method}: arguments exceed ${bounds.maxHostArgsBytes} bytes`);
    const reply = parse(await bridge.apply(undefined, [token, method, argsJson], { result: { promise: true } }));
    if (reply.ok) return reply.value;
    throw codedError(reply.code, reply.message);
  }

  function codedError(code, message) {
    const error = new ErrorCtor(message);
    error.code = code;
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
    const state = logState.get(token);
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
      ocap: freeze({ query: call('ocap.query'), send: call('ocap.send') }),
      ledger: freeze({ did: call('ledger.did'), submit: call('ledger.submit') }),
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
   * Freezes the core built-ins so one invocation cannot poison them for the next ones of the same version (the
   * context is reused): the constructors and prototypes that prototype-pollution gadgets reach (`__proto__`,
   * `constructor.prototype`) and the namespaces the SDK and most code lean on. A full deep freeze of every
   * intrinsic costs ~6 ms per isolate (5x the bare cold start) and was measured out; see README.
   * Properties that code commonly assigns on its own objects (`constructor`, `toString`, `name`, `message`…)
   * become accessors whose setter defines an own property on the receiver, so `this.name = 'MyError'` keeps
   * working (the "override mistake").
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
    const harden = (object) => {
      tame(object);
      freeze(object);
    };
    // Built-ins that are not needed and escape the memory limit or block the isolate thread.
    for (const name of ['WebAssembly', 'SharedArrayBuffer', 'Atomics']) delete globalThis[name];
    const constructors = [
      Object,
      Function,
      Array,
      String,
      Number,
      Boolean,
      Symbol,
      BigInt,
      Promise,
      Error,
      TypeError,
      RangeError,
      SyntaxError,
      ReferenceError,
      EvalError,
      URIError,
      AggregateError,
      RegExp,
      Date,
      Map,
      Set,
      WeakMap,
      WeakSet,
      ArrayBuffer,
      DataView,
      Uint8Array,
    ];
    for (const ctor of constructors) {
      harden(ctor.prototype);
      harden(ctor);
    }
    const others = [
      JSON,
      Math,
      Reflect,
      getPrototypeOf(Uint8Array),
      getPrototypeOf(Uint8Array.prototype),
      getPrototypeOf(async () => {}),
      getPrototypeOf([][Symbol.iterator]()),
      getPrototypeOf(getPrototypeOf([][Symbol.iterator]())),
    ];
    for (const object of others) harden(object);
    for (const name of ['Object', 'Function', 'Array', 'Promise', 'JSON', 'Reflect', 'Math', 'Error']) {
      defineProperty(globalThis, name, { writable: false, configurable: false });
    }
  }

  return function install(namespace) {
    const blocklet = namespace.default;
    let lastEnvJson;
    let lastEnv;
    return async function dispatch(token, handler, inputJson, envJson, invocationId) {
      logState.set(token, { lines: 0, bytes: 0, truncated: false });
      try {
        if (blocklet === null || (typeof blocklet !== 'object' && typeof blocklet !== 'function')) {
          return stringify({ ok: false, message: 'the module has no default export object' });
        }
        const fn = blocklet[handler];
        if (typeof fn !== 'function') return stringify({ ok: false, message: `the blocklet has no '${handler}' handler` });
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
        logState.delete(token);
      }
    };
  };
}
