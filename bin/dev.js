#!/usr/bin/env -S node --import tsx
// Runs the TypeScript sources directly (needs `npm install -D tsx`); oclif ignores the manifest in dev mode.
import {execute} from '@oclif/core'

await execute({development: true, dir: import.meta.url})
