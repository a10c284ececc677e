import { EmptyState, PlugOffIcon, RefreshIcon } from '@arc/ui';
import { refreshIntervalMs } from '../chain/live.ts';

interface NodeUnreachableProps {
  message: string;
  /** False when the node answered, with an error: then starting it is not the fix. */
  unreachable: boolean;
  onRetry: () => void;
  retrying: boolean;
}

const codeClass = 'rounded bg-slate-100 px-1.5 py-0.5 font-mono text-xs text-slate-800';

/** In place of the page when the node has not answered yet: what is wrong, how to fix it, a way to retry. */
export function NodeUnreachable({ message, unreachable, onRetry, retrying }: NodeUnreachableProps) {
  return (
    <section role="alert" className="rounded-xl bg-white shadow-sm ring-1 ring-slate-200">
      <EmptyState
        tone="danger"
        icon={<PlugOffIcon />}
        title={unreachable ? message : 'The node answered with an error'}
        description={
          <div className="space-y-3">
            {unreachable ? (
              <p>
                This page reads the chain from the node through this web server. Start both with{' '}
                <code className={codeClass}>npm start</code>, or point <code className={codeClass}>NODE_URL</code> at a running node.
              </p>
            ) : (
              <p>{message}</p>
            )}
            <p className="text-xs text-slate-400">Trying again every {refreshIntervalMs / 1000} s.</p>
          </div>
        }
        action={<RetryButton onRetry={onRetry} retrying={retrying} />}
      />
    </section>
  );
}

/** Above stale data when the node stops answering after it has answered before. */
export function StaleDataBanner({ message, sinceMs, onRetry }: { message: string; sinceMs: number; onRetry: () => void }) {
  return (
    <div
      role="alert"
      className="flex flex-wrap items-center justify-between gap-3 rounded-xl bg-amber-50 px-4 py-3 text-sm text-amber-900 ring-1 ring-amber-200"
    >
      <p>
        <span className="font-semibold">{message}</span>{' '}
        <span className="text-amber-800">Showing what it said at {new Date(sinceMs).toLocaleTimeString('en-GB')}.</span>
      </p>
      <button
        type="button"
        onClick={onRetry}
        className="rounded-md bg-white px-3 py-1.5 text-xs font-medium text-amber-900 ring-1 ring-amber-300 hover:bg-amber-100"
      >
        Retry now
      </button>
    </div>
  );
}

function RetryButton({ onRetry, retrying }: { onRetry: () => void; retrying: boolean }) {
  return (
    <button
      type="button"
      onClick={onRetry}
      disabled={retrying}
      className="inline-flex items-center gap-2 rounded-lg bg-slate-900 px-3.5 py-2 text-sm font-medium text-white shadow-sm transition hover:bg-slate-700 disabled:cursor-wait disabled:opacity-70 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-indigo-500"
    >
      <RefreshIcon className={`size-4 ${retrying ? 'motion-safe:animate-spin' : ''}`} />
      {retrying ? 'Retrying…' : 'Retry now'}
    </button>
  );
}
