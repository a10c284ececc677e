import type { Metadata } from 'next';
import { SignInRequest } from './sign-in-request.tsx';

export const metadata: Metadata = { title: 'Sign in with your wallet' };

/** `/wallet/sign-in?app=<name>&return=<url>`: an application asks the user to sign in with their wallet. */
export default async function Page({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const params = await searchParams;
  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) ?? null;
  return <SignInRequest app={first(params.app)} returnUrl={first(params.return)} />;
}
