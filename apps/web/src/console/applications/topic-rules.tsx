'use client';

import { Button, Input, Panel, Select, Skeleton } from '@arc/ui';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { z } from 'zod';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { toast } from '../../components/toast.tsx';
import { useTRPC, useTRPCClient } from '../../trpc/react.tsx';
import { isCancelled, useAppAction } from './app-action.ts';
import { signRequest } from './signing.ts';

type Audience = 'owner' | 'authenticated' | 'anyone';
interface Rule {
  name: string;
  publish: Audience;
  subscribe: Audience;
}
/** A row being edited: a rule and a key that stays while its name is typed. */
type Row = Rule & { key: number };
let nextRowKey = 0;
const toRow = (rule: Rule): Row => ({ ...rule, key: nextRowKey++ });
const toRule = ({ name, publish, subscribe }: Row): Rule => ({ name, publish, subscribe });

/** The same rules as the gateway's TopicRuleSchema (apps/node/src/gateway/api-schemas.ts). */
const RuleName = z.string().regex(/^(\*|[A-Za-z0-9_.\-@/]{1,64})$/, 'a topic name without colons (1–64 characters), or * for the default');
const RULES_MAX = 100;

const audiences = [
  { value: 'owner', label: 'Only the application' },
  { value: 'authenticated', label: 'Signed-in users' },
  { value: 'anyone', label: 'Anyone' },
];

/** Who may publish and subscribe on `app:<appDid>:<name>`; saved as one request the application's key signs. */
export function TopicRules({ appDid, appName }: { appDid: string; appName: string }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const act = useAppAction(appDid, appName);
  const saved = useQuery(trpc.gateway.topicRules.queryOptions({ appDid }));
  const [rules, setRules] = useState<Row[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (saved.data && rules === null) setRules(saved.data.map(toRow));
  }, [saved.data, rules]);

  const nameErrors = (rules ?? []).map((rule) =>
    RuleName.safeParse(rule.name).success ? null : RuleName.safeParse(rule.name).error?.issues[0]?.message,
  );
  const dirty = rules !== null && JSON.stringify(rules.map(toRule)) !== JSON.stringify(saved.data ?? []);

  function change(index: number, patch: Partial<Rule>) {
    setRules((current) => (current ?? []).map((rule, i) => (i === index ? { ...rule, ...patch } : rule)));
  }

  async function save() {
    if (!rules || nameErrors.some(Boolean)) return;
    const edited = rules.map(toRule);
    setBusy(true);
    setError(null);
    try {
      await act(
        'Save topic rules',
        [
          {
            label: 'Rules',
            value: edited.map((r) => `${r.name}: publish ${r.publish}, subscribe ${r.subscribe}`).join('; ') || 'none (the defaults)',
          },
        ],
        (app) =>
          client.gateway.setTopicRules.mutate({
            appDid,
            rules: edited,
            auth: signRequest(app, 'gateway.setTopicRules', appDid, { rules: edited }),
          }),
      );
      await queryClient.invalidateQueries({ queryKey: trpc.gateway.topicRules.queryKey({ appDid }) });
      toast({ title: 'Topic rules saved', kind: 'success' });
    } catch (caught) {
      if (!isCancelled(caught)) setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Panel title="Topic rules">
      <div className="space-y-4 p-4">
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Live topics <code className="break-all">app:{appDid}:&lt;name&gt;</code>. Without a rule, only the application publishes and
          signed-in users subscribe. <code>*</code> sets the default for every name.
        </p>
        {saved.error ? <ErrorNotice error={saved.error} onRetry={() => saved.refetch()} /> : null}
        {rules === null ? (
          <Skeleton className="h-20 w-full" />
        ) : (
          <ul className="space-y-3">
            {rules.map((rule, index) => (
              <li
                key={rule.key}
                className="grid gap-2 rounded-lg border border-slate-200 p-3 sm:grid-cols-[1fr_1fr_1fr_auto] dark:border-slate-800"
              >
                <div>
                  <Input
                    aria-label={`Topic name ${index + 1}`}
                    value={rule.name}
                    onChange={(e) => change(index, { name: e.target.value })}
                    placeholder="chat"
                    aria-invalid={nameErrors[index] ? true : undefined}
                  />
                  {nameErrors[index] ? <p className="mt-1 text-xs text-red-700 dark:text-red-400">{nameErrors[index]}</p> : null}
                </div>
                <Select
                  aria-label={`Who publishes on topic ${index + 1}`}
                  options={audiences}
                  value={rule.publish}
                  onValueChange={(value) => change(index, { publish: value as Audience })}
                />
                <Select
                  aria-label={`Who subscribes to topic ${index + 1}`}
                  options={audiences}
                  value={rule.subscribe}
                  onValueChange={(value) => change(index, { subscribe: value as Audience })}
                />
                <Button variant="ghost" size="sm" onClick={() => setRules(rules.filter((_, i) => i !== index))}>
                  Remove
                </Button>
              </li>
            ))}
          </ul>
        )}
        <div className="flex flex-wrap gap-2">
          <Button
            variant="secondary"
            size="sm"
            disabled={rules === null || rules.length >= RULES_MAX}
            onClick={() => setRules([...(rules ?? []), toRow({ name: '', publish: 'owner', subscribe: 'authenticated' })])}
          >
            Add a rule
          </Button>
          <Button size="sm" onClick={save} loading={busy} disabled={!dirty || nameErrors.some(Boolean)}>
            Save rules
          </Button>
        </div>
        {error ? <ErrorNotice error={error} /> : null}
      </div>
    </Panel>
  );
}
