import type { NextConfig } from 'next';

const config: NextConfig = {
  // oidc-provider lives only in demo/ (its own process); keep protocol libs unbundled on the server.
  serverExternalPackages: ['oidc-provider', 'undici', 'redis', '@redis/client'],
  poweredByHeader: false,
  devIndicators: false,
};

export default config;
