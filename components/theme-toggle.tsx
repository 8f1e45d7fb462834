'use client';

import { useEffect, useState } from 'react';
import { setThemeAction } from '@/app/actions';

type Theme = 'system' | 'light' | 'dark';

/** Light, dark or the system's; remembered in a cookie so the server renders the right theme (no flash). */
export function ThemeToggle() {
  const [theme, setTheme] = useState<Theme>('system');
  useEffect(() => {
    const t = document.documentElement.dataset.theme;
    if (t === 'light' || t === 'dark') setTheme(t);
  }, []);
  function choose(next: Theme) {
    setTheme(next);
    if (next === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = next;
    void setThemeAction(next);
  }
  return (
    <label className="inline-flex items-center gap-2 text-sm">
      <span className="text-muted">Theme</span>
      <select
        value={theme}
        onChange={(e) => choose(e.target.value as Theme)}
        className="rounded-md border border-line bg-panel px-2 py-1"
      >
        <option value="system">System</option>
        <option value="light">Light</option>
        <option value="dark">Dark</option>
      </select>
    </label>
  );
}
