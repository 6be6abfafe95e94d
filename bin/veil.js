#!/usr/bin/env node
// The `veil` command. It runs the TypeScript sources through tsx, so `npx veil` works straight after `npm install`.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
