import type { NextConfig } from 'next';

const config: NextConfig = {
  // oidc-provider lives only in demo/ (its own process); keep protocol libs unbundled on the server.
  serverExternalPackages: ['oidc-provider', 'undici', 'redis', '@redis/client'],
  poweredByHeader: false,
  // Read when `next start` starts: a local inspector answers a browser on the same machine, where
  // compressing every answer only costs CPU; hosted, answers cross the network.
  compress: process.env.INSPECTOR_MODE === 'hosted',
  devIndicators: false,
};

export default config;
