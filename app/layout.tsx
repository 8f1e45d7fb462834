import type { Metadata } from 'next';
import { cookies, headers } from 'next/headers';
import type { ReactNode } from 'react';
import { PICTURE_CSS } from '@/lib/picture/svg';
import './globals.css';

export const metadata: Metadata = {
  title: 'MCP Auth Inspector',
  description: 'Walk through the OAuth flow of an MCP server, step by step, and see which rule fails.',
  referrer: 'no-referrer',
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  const theme = (await cookies()).get('inspector_theme')?.value;
  const dataTheme = theme === 'dark' || theme === 'light' ? theme : undefined;
  // The pictures' stylesheet is shared with the offline HTML report; inline, it needs the CSP nonce.
  const nonce = (await headers()).get('x-nonce') ?? undefined;
  return (
    <html lang="en" data-theme={dataTheme}>
      <head>
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant stylesheet from lib/picture */}
        <style nonce={nonce} suppressHydrationWarning dangerouslySetInnerHTML={{ __html: PICTURE_CSS }} />
      </head>
      <body className="min-h-screen bg-bg font-sans text-fg antialiased">{children}</body>
    </html>
  );
}
