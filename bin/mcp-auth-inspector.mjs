#!/usr/bin/env node
// The CLI is TypeScript (the same engine as the web app, lib/flow), so the bin registers tsx's
// loader in this process and imports cli/main.ts. No build step, no second implementation.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../cli/main.ts');
const code = await main(process.argv.slice(2));
// Pooled keep-alive sockets must not hold the process open; flush stdout first, then leave.
process.stdout.write('', () => process.exit(code));
