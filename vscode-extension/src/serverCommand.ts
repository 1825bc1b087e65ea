import * as path from 'node:path';
import { SERVER_MODULE, StartupError } from './interpreter';
import type { ExtensionSettings } from './settings';

export interface ServerLaunch {
  command: string;
  /** Arguments before the `--stdio` that vscode-languageclient appends. */
  args: string[];
  env: Record<string, string | undefined>;
  /** One line for the log: how the server is started. */
  description: string;
}

/** Where the bundled server and its dependencies live inside the extension. */
export function bundledLibs(extensionPath: string): string {
  return path.join(extensionPath, 'bundled', 'libs');
}

/**
 * The server's command line.
 * - `fastapi-lint.path` set: that command, then `fastapi-lint.args`.
 * - else `<interpreter> -m fastapi_lsp <args>`; with `useBundled` the bundled libraries come first on PYTHONPATH,
 *   with `fromEnvironment` the interpreter's environment provides the server.
 */
export function buildServerLaunch(
  settings: ExtensionSettings,
  interpreter: string | undefined,
  extensionPath: string,
  baseEnv: Record<string, string | undefined> = process.env,
  delimiter: string = path.delimiter,
): ServerLaunch {
  const env: Record<string, string | undefined> = { ...baseEnv, PYTHONUNBUFFERED: '1' };
  if (settings.path.length > 0) {
    const [command, ...rest] = settings.path;
    return {
      command,
      args: [...rest, ...settings.args],
      env,
      description: `custom server command (fastapi-lint.path): ${[command, ...rest, ...settings.args].join(' ')}`,
    };
  }
  if (interpreter === undefined || interpreter === '') {
    throw new StartupError('bad-setting', 'fastapi-lint: no Python interpreter to run the server with');
  }
  const args = ['-m', SERVER_MODULE, ...settings.args];
  if (settings.importStrategy === 'useBundled') {
    const libs = bundledLibs(extensionPath);
    const existing = baseEnv.PYTHONPATH;
    env.PYTHONPATH = existing !== undefined && existing !== '' ? `${libs}${delimiter}${existing}` : libs;
    return { command: interpreter, args, env, description: `bundled server: ${interpreter} ${args.join(' ')} (PYTHONPATH=${libs})` };
  }
  return { command: interpreter, args, env, description: `server from the environment: ${interpreter} ${args.join(' ')}` };
}

/** With `useBundled`, the bundled server must be inside the extension (a development build may lack it). */
export function checkBundle(extensionPath: string, exists: (p: string) => boolean): void {
  const main = path.join(bundledLibs(extensionPath), SERVER_MODULE, '__main__.py');
  if (!exists(main)) {
    throw new StartupError(
      'bundle-missing',
      `fastapi-lint: the bundled server is missing from this extension (${main}). ` +
        'Reinstall the extension, or set "fastapi-lint.importStrategy" to "fromEnvironment" and install fastapi-lint[lsp] in your environment.',
    );
  }
}
