import type { BrowserContext, Page } from '@playwright/test';

/**
 * The pages under test opened on localhost instead of 127.0.0.1: WebAuthn needs a host name as its relying party.
 */
export function localBase(baseURL: string | undefined): string {
  if (!baseURL) throw new Error('the live-node project sets baseURL');
  return baseURL.replace('127.0.0.1', 'localhost');
}

/** A platform authenticator with PRF that says yes without a person (FACTS.md: DevTools' virtual authenticator). */
export async function addAuthenticator(context: BrowserContext, page: Page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      ctap2Version: 'ctap2_1',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      hasPrf: true,
      automaticPresenceSimulation: true,
    },
  });
  return {
    /** The person refuses the prompt (fingerprint not recognised): the browser answers NotAllowedError. */
    setUserVerified: (isUserVerified: boolean) => cdp.send('WebAuthn.setUserVerified', { authenticatorId, isUserVerified }),
  };
}
