import { defineConfig, type Options } from 'tsup'

const library: Options = {
  // The HTTP service is its own entry (terminplan/http), so the library does not pull in Fastify.
  entry: { index: 'src/index.ts', http: 'src/adapters/http/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // import.meta.url in the CommonJS build (the LP back end finds its worker by it)
  shims: true,
}

// `npm start` builds only what the CLI runs (TERMINPLAN_BUILD=cli): the library's type
// declarations and CommonJS build take most of the build time and are not needed there.
const cliOnly = process.env.TERMINPLAN_BUILD === 'cli'

export default defineConfig([
  ...(cliOnly ? [] : [library]),
  {
    // The CLI and its simulation worker thread (found next to main.js by src/cli/sim-pool.ts).
    entry: { 'cli/main': 'src/cli/main.ts', 'cli/sim-worker': 'src/cli/sim-worker.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    // The LP worker thread, loaded by src/adapters/lp/backend.ts from next to the bundle.
    entry: { 'lp-worker': 'src/adapters/lp/worker.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node20',
  },
])
