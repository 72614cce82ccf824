import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    environment: 'happy-dom',
    // happy-dom has no IndexedDB; this installs an in-memory one as the global `indexedDB`.
    setupFiles: ['fake-indexeddb/auto'],
    include: ['test/unit/**/*.test.ts', 'test/unit/**/*.test.tsx'],
  },
});
