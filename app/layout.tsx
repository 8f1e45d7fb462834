import type { Metadata } from 'next';
import { cookies } from 'next/headers';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: 'MCP Auth Inspector',
  description: 'Walk through the OAuth flow of an MCP server, step by step, and see which rule fails.',
  referrer: 'no-referrer',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const theme = (await cookies()).get('inspector_theme')?.value;
  const dataTheme = theme === 'dark' || theme === 'light' ? theme : undefined;
  return (
    <html lang="en" data-theme={dataTheme}>
      <body className="min-h-screen bg-bg font-sans text-fg antialiased">{children}</body>
    </html>
  );
}
