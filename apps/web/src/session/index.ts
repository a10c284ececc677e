/** The signed-in session (owner N1): sign in with the wallet by the gateway's challenge; the tRPC link sends the token. */

export { SessionProvider, type SessionValue, useSession } from './session-provider.tsx';
export { applicationScope, CONSOLE_SCOPE, requestSession, type SessionGrant, type SignInScope } from './sign-in.ts';
export { sessionToken, setSessionToken, subscribeSessionToken } from './token.ts';
