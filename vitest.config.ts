import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: process.env.TERMINPLAN_LONG ? [] : ['test/long/**'],
    testTimeout: 60_000,
  },
})
