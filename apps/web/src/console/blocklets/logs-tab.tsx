'use client';

import { Badge, Input, Select } from '@arc/ui';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { ErrorNotice } from '../../components/error-notice.tsx';
import { useRealtimeStatus, useTopic } from '../../realtime/provider.tsx';
import { type LogLine, useBlockletAdmin } from './use-blocklet-admin.ts';

/** Lines kept on screen: the newest, the oldest dropped. */
const LOG_LINES_MAX = 500;
/** Lines fetched when the tab opens. */
const LOG_PAGE = 100;

type Level = LogLine['level'];
const LEVELS: Level[] = ['info', 'warn', 'error'];

function asLogLine(payload: unknown, fallbackId: string): LogLine | null {
  if (typeof payload !== 'object' || payload === null) return null;
  const p = payload as Partial<LogLine>;
  if (typeof p.message !== 'string' || !LEVELS.includes(p.level as Level)) return null;
  return {
    id: fallbackId,
    version: String(p.version ?? ''),
    invocationId: String(p.invocationId ?? ''),
    level: p.level as Level,
    message: p.message,
    atMs: typeof p.atMs === 'number' ? p.atMs : Date.now(),
  };
}

const levelTone = { info: 'sky', warn: 'amber', error: 'red' } as const;

/**
 * The lines the gateway publishes for the blocklet, newest first, heard while the blocklet's page is open: the
 * workspace holds them, so a line that arrives while another tab is shown is there when Logs is opened again.
 */
export function useLogStream(name: string): LogLine[] {
  const [live, setLive] = useState<LogLine[]>([]);
  useTopic(`blocklet:${name}:logs`, (event) => {
    const line = asLogLine(event.payload, `live-${Date.now()}-${Math.random()}`);
    if (line) setLive((lines) => [line, ...lines].slice(0, LOG_LINES_MAX));
  });
  return live;
}

/** The Logs tab: the latest stored lines and those heard live (`useLogStream`), with level and text filters. */
export function LogsTab({ name, live }: { name: string; live: LogLine[] }) {
  const admin = useBlockletAdmin();
  const status = useRealtimeStatus();
  // Stored lines are read again each time the tab opens: lines written while it was closed are among them.
  const history = useQuery({
    queryKey: ['blocklet-logs', name],
    queryFn: () => admin.logs(name, { limit: LOG_PAGE }),
    refetchOnMount: 'always',
  });
  const [level, setLevel] = useState<'all' | Level>('all');
  const [text, setText] = useState('');

  const seen = new Set(live.map((l) => `${l.invocationId}|${l.message}|${l.atMs}`));
  const older = (history.data?.items ?? []).filter((l) => !seen.has(`${l.invocationId}|${l.message}|${l.atMs}`));
  const lines = [...live, ...older].filter(
    (l) => (level === 'all' || l.level === level) && (text === '' || l.message.toLowerCase().includes(text.toLowerCase())),
  );

  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center gap-3">
        <div className="w-36">
          <Select
            aria-label="Level"
            value={level}
            onValueChange={(v) => setLevel(v as 'all' | Level)}
            options={[{ value: 'all', label: 'All levels' }, ...LEVELS.map((l) => ({ value: l, label: l }))]}
          />
        </div>
        <Input
          aria-label="Filter lines"
          placeholder="Filter text…"
          value={text}
          onChange={(e) => setText(e.target.value)}
          className="max-w-xs"
        />
        <span role="status" className="text-xs text-slate-500 dark:text-slate-400">
          {status === 'live' ? (
            <>
              <span className="text-emerald-500">●</span> Live
            </>
          ) : status === 'connecting' ? (
            'Connecting…'
          ) : (
            'Offline: new lines appear when the node is back'
          )}
        </span>
      </div>
      {history.error ? <ErrorNotice error={history.error} onRetry={() => void history.refetch()} /> : null}
      <div
        role="log"
        aria-label="Log lines"
        aria-live="polite"
        className="max-h-[60vh] min-h-48 overflow-auto rounded-lg bg-slate-950 p-3 font-mono text-xs text-slate-100"
      >
        {history.isPending ? (
          <p className="text-slate-400">Loading lines…</p>
        ) : lines.length === 0 ? (
          <p className="text-slate-400">No lines yet. Call the blocklet (Call tab) and its ctx.log lines appear here as they happen.</p>
        ) : (
          <ul className="space-y-1">
            {lines.map((line) => (
              <li key={line.id} data-testid="log-line" className="flex gap-2">
                <time className="shrink-0 text-slate-400" dateTime={new Date(line.atMs).toISOString()}>
                  {new Date(line.atMs).toISOString().slice(11, 23)}
                </time>
                <Badge tone={levelTone[line.level]}>{line.level}</Badge>
                <span className="shrink-0 text-slate-400">{line.version}</span>
                <span className="break-all whitespace-pre-wrap">{line.message}</span>
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
