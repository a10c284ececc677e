'use client';

import { Button, Field, Input, Select, Textarea } from '@arc/ui';
import { useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { buildRouteRequest, parseInvokeInput } from './request-builder.ts';
import { useBlockletAdmin } from './use-blocklet-admin.ts';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

interface Answer {
  status: number;
  ms: number;
  body: string;
}

/** The Call tab: an HTTP request to one of the blocklet's routes (through the node's gateway), and invoke with JSON input. */
export function CallTab({ name, nodeUrl, routes }: { name: string; nodeUrl: string; routes: { path: string; methods: string[] }[] }) {
  const admin = useBlockletAdmin();
  const [method, setMethod] = useState<string>(routes[0]?.methods[0] ?? 'GET');
  const [path, setPath] = useState(routes[0]?.path.replace(/\*$/, '') ?? '/');
  const [headersText, setHeadersText] = useState('');
  const [body, setBody] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [callError, setCallError] = useState<string | null>(null);
  const [calling, setCalling] = useState(false);

  const [handler, setHandler] = useState('call');
  const [input, setInput] = useState('');
  const [target, setTarget] = useState('live');
  const [invokeResult, setInvokeResult] = useState<string | null>(null);
  const [invokeError, setInvokeError] = useState<unknown>(null);
  const [invoking, setInvoking] = useState(false);

  async function send() {
    const built = buildRouteRequest(name, { method, path, headersText, body });
    if ('error' in built) {
      setProblem(built.error);
      return;
    }
    setProblem(null);
    setCallError(null);
    setCalling(true);
    const started = performance.now();
    try {
      const response = await fetch(`${nodeUrl}${built.url}`, built.init);
      const text = await response.text();
      let shown = text;
      try {
        shown = JSON.stringify(JSON.parse(text), null, 2);
      } catch {
        // Not JSON: shown as the text it is.
      }
      setAnswer({ status: response.status, ms: Math.round(performance.now() - started), body: shown });
    } catch (error) {
      setAnswer(null);
      setCallError(`The node at ${nodeUrl} did not answer (${(error as Error).message}). Check that it runs and lets this page call it.`);
    } finally {
      setCalling(false);
    }
  }

  async function invoke() {
    const parsed = parseInvokeInput(input);
    if ('error' in parsed) {
      setInvokeError(null);
      setInvokeResult(null);
      setProblem(parsed.error);
      return;
    }
    setProblem(null);
    setInvokeError(null);
    setInvoking(true);
    try {
      const result = await admin.invoke({ name, handler, target, ...(parsed.input === undefined ? {} : { input: parsed.input }) });
      setInvokeResult(JSON.stringify(result, null, 2));
    } catch (error) {
      setInvokeResult(null);
      setInvokeError(error);
    } finally {
      setInvoking(false);
    }
  }

  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <section aria-label="HTTP request" className="space-y-3">
        <h3 className="text-sm font-semibold text-slate-900 dark:text-slate-100">HTTP request</h3>
        {routes.length > 0 ? (
          <p className="text-xs text-slate-500 dark:text-slate-400">
            Routes: {routes.map((r) => `${r.methods.join('/')} ${r.path}`).join(' · ')}
          </p>
        ) : (
          <p className="text-xs text-slate-500 dark:text-slate-400">The live manifest declares no HTTP route.</p>
        )}
        <div className="flex gap-2">
          <div className="w-28">
            <Select aria-label="Method" value={method} onValueChange={setMethod} options={METHODS.map((m) => ({ value: m, label: m }))} />
          </div>
          <Input aria-label="Path" value={path} onChange={(e) => setPath(e.target.value)} className="font-mono" spellCheck={false} />
        </div>
        <Field label="Headers" hint="One Name: value per line.">
          <Textarea rows={2} value={headersText} onChange={(e) => setHeadersText(e.target.value)} className="font-mono" />
        </Field>
        {method !== 'GET' ? (
          <Field label="Body">
            <Textarea rows={4} value={body} onChange={(e) => setBody(e.target.value)} className="font-mono" />
          </Field>
        ) : null}
        <Button onClick={() => void send()} loading={calling}>
          Send
        </Button>
        {problem ? (
          <p role="alert" className="text-sm font-medium text-red-700 dark:text-red-400">
            {problem}
          </p>
        ) : null}
        {callError ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            {callError}
          </p>
        ) : null}
        {answer ? (
          <div className="space-y-1" data-testid="call-response">
            <p className="text-sm">
              <span
                className={`font-semibold ${answer.status < 400 ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-700 dark:text-red-400'}`}
              >
                {answer.status}
              </span>{' '}
              <span className="text-slate-500 dark:text-slate-400">in {answer.ms} ms</span>
            </p>
            <pre className="max-h-72 overflow-auto rounded-lg bg-slate-950 p-3 text-xs text-slate-100">{answer.body || '(empty body)'}</pre>
          </div>
        ) : null}
      </section>
      <section aria-label="Invoke" className="space-y-3">
        <h3 className="text-sm font-semibold text-slate-900 dark:text-slate-100">Invoke a handler</h3>
        <div className="flex gap-2">
          <Field label="Handler" className="flex-1">
            <Input value={handler} onChange={(e) => setHandler(e.target.value)} className="font-mono" spellCheck={false} />
          </Field>
          <Field label="Version or alias" className="flex-1">
            <Input value={target} onChange={(e) => setTarget(e.target.value)} className="font-mono" spellCheck={false} />
          </Field>
        </div>
        <Field label="Input (JSON)" hint="Empty for none.">
          <Textarea rows={4} value={input} onChange={(e) => setInput(e.target.value)} className="font-mono" spellCheck={false} />
        </Field>
        <Button variant="secondary" onClick={() => void invoke()} loading={invoking}>
          Invoke
        </Button>
        {invokeError ? <ErrorNotice error={invokeError} /> : null}
        {invokeResult ? (
          <pre data-testid="invoke-result" className="max-h-72 overflow-auto rounded-lg bg-slate-950 p-3 text-xs text-slate-100">
            {invokeResult}
          </pre>
        ) : null}
      </section>
    </div>
  );
}
