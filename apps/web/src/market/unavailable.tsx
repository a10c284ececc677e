import { EmptyState, PlugOffIcon } from '@arc/ui';

/** In place of a section when the node did not answer the web server: what is wrong and how to fix it. */
export function MarketUnavailable({ message }: { message: string }) {
  return (
    <section role="alert" className="rounded-xl bg-white shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800">
      <EmptyState
        tone="danger"
        icon={<PlugOffIcon />}
        title="The marketplace could not be read from the node"
        description={
          <span>
            {message} Start the node with <code className="font-mono">npm start</code>, then reload this page.
          </span>
        }
      />
    </section>
  );
}

/** A short reason from whatever the node call threw. */
export function reasonOf(error: unknown): string {
  return error instanceof Error ? `${error.message.slice(0, 200)}.` : 'The node did not answer.';
}
