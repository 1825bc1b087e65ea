import { defineConfig } from 'vitest/config';
import * as path from 'node:path';

export default defineConfig({
  resolve: { alias: { vscode: path.resolve(import.meta.dirname, 'test/vscode-stub.ts') } },
  test: { include: ['test/**/*.test.ts'], testTimeout: 20000 },
});
