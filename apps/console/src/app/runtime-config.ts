/** What the console's server says at run time (GET /config.json): the provider to sign in with. */
export interface RuntimeConfig {
  oidc: { issuer: string; clientId: string; scope: string };
}

export async function loadRuntimeConfig(): Promise<RuntimeConfig> {
  const res = await fetch('/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`/config.json: ${res.status}`);
  return (await res.json()) as RuntimeConfig;
}
