'use client';

import { CopyButton, Skeleton } from '@arc/ui';
import QRCode from 'qrcode';
import { useEffect, useState } from 'react';
import { useWallet } from '../wallet-provider.tsx';
import { RequireUnlocked, WalletFrame } from './wallet-frame.tsx';

/** /wallet/receive: the active account's DID as text, a QR code and a copy button. */
export function WalletReceive() {
  return (
    <WalletFrame title="Receive" description="Share this DID to receive ABT, tokens or assets.">
      <RequireUnlocked>
        <ReceiveCard />
      </RequireUnlocked>
    </WalletFrame>
  );
}

function ReceiveCard() {
  const { active } = useWallet();
  const did = active?.did ?? '';
  const [svg, setSvg] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    if (!did) return;
    QRCode.toDataURL(did, { errorCorrectionLevel: 'M', margin: 1, width: 416, color: { dark: '#0f172a', light: '#ffffff' } }).then(
      (text) => live && setSvg(text),
      (error: unknown) => console.error('QR code:', error),
    );
    return () => {
      live = false;
    };
  }, [did]);

  return (
    <section
      aria-label="Your address"
      className="mx-auto flex max-w-md flex-col items-center gap-5 rounded-xl bg-white p-6 text-center shadow-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-800"
    >
      <p className="text-sm font-medium text-slate-700 dark:text-slate-300">{active?.label}</p>
      <div className="size-56 overflow-hidden rounded-lg bg-white p-2 ring-1 ring-slate-200">
        {svg ? (
          // biome-ignore lint/performance/noImgElement: a data URL made in the page; next/image adds nothing here
          <img src={svg} alt={`QR code of ${did}`} width={208} height={208} className="size-full" />
        ) : (
          <Skeleton className="size-full" />
        )}
      </div>
      <p data-testid="receive-did" className="w-full font-mono text-sm break-all text-slate-900 dark:text-slate-100">
        {did}
      </p>
      <CopyButton value={did} label="DID" showText />
    </section>
  );
}
