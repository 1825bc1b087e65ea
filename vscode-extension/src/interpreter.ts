import { execFile } from 'node:child_process';
import * as os from 'node:os';
import type { ExtensionSettings, ImportStrategy } from './settings';

export const MIN_PYTHON: readonly [number, number] = [3, 10];
export const DEFAULT_INTERPRETER = 'python3';
export const SERVER_MODULE = 'fastapi_lsp';

export type InterpreterSource = 'setting' | 'python-extension' | 'default';

export interface ResolvedInterpreter {
  command: string;
  source: InterpreterSource;
}

/** The part of the Python extension (ms-python.python) we use; undefined when it is not installed. */
export interface PythonInterpreterProvider {
  /** The selected interpreter's executable for a folder, or undefined when none is selected. */
  activeInterpreter(resource?: string): Promise<string | undefined>;
}

/** `fastapi-lint.interpreter`, else the Python extension's interpreter, else `python3`. */
export async function resolveInterpreter(
  settings: Pick<ExtensionSettings, 'interpreter'>,
  python: PythonInterpreterProvider | undefined,
  resource?: string,
): Promise<ResolvedInterpreter> {
  if (settings.interpreter !== '') {
    return { command: settings.interpreter, source: 'setting' };
  }
  if (python !== undefined) {
    try {
      const selected = await python.activeInterpreter(resource);
      if (selected !== undefined && selected.trim() !== '') {
        return { command: selected, source: 'python-extension' };
      }
    } catch {
      // The Python extension failed to answer: fall back to python3 (and say so in the log).
    }
  }
  return { command: DEFAULT_INTERPRETER, source: 'default' };
}

export type StartupErrorKind =
  | 'interpreter-not-found'
  | 'interpreter-too-old'
  | 'interpreter-failed'
  | 'server-not-installed'
  | 'bundle-missing'
  | 'bad-setting'
  | 'server-failed';

/** A reason the server cannot start, worded for the user. */
export class StartupError extends Error {
  constructor(
    readonly kind: StartupErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

export interface RunResult {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs a program; rejects with a NodeJS.ErrnoException (code ENOENT, EACCES, ...) when it cannot be started. */
export type RunFn = (command: string, args: string[], timeoutMs: number) => Promise<RunResult>;

/** Runs in the temp dir: `python -c` puts its cwd first on sys.path, which would distort the probe. */
export const runProcess: RunFn = (command, args, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, windowsHide: true, encoding: 'utf8', cwd: os.tmpdir() }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code === 'string') {
        reject(error); // could not start it at all (ENOENT, EACCES, ...)
        return;
      }
      if (error !== null && error.killed) {
        reject(Object.assign(new Error(`timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
        return;
      }
      resolve({ stdout, stderr, code: error === null ? 0 : typeof error.code === 'number' ? error.code : 1 });
    });
  });

export interface InterpreterInfo {
  executable: string;
  version: [number, number, number];
  /** Whether `fastapi_lsp` is importable from the interpreter's own environment. */
  hasServer: boolean;
}

const PROBE = [
  'import importlib.util, json, sys',
  `spec = importlib.util.find_spec(${JSON.stringify(SERVER_MODULE)})`,
  'print("FASTAPI_LINT_PROBE" + json.dumps({"executable": sys.executable, "version": list(sys.version_info[:3]), "hasServer": spec is not None}))',
].join('\n');

function interpreterHelp(source: InterpreterSource): string {
  return source === 'setting'
    ? 'Fix the "fastapi-lint.interpreter" setting'
    : 'Select a Python 3.10+ interpreter ("Python: Select Interpreter") or set "fastapi-lint.interpreter"';
}

/** Run the interpreter once to learn its version (and whether the server is installed in it). */
export async function probeInterpreter(
  interp: ResolvedInterpreter,
  run: RunFn = runProcess,
  timeoutMs = 20000,
): Promise<InterpreterInfo> {
  let result: RunResult;
  try {
    result = await run(interp.command, ['-c', PROBE], timeoutMs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR') {
      throw new StartupError(
        'interpreter-not-found',
        `fastapi-lint: the Python interpreter "${interp.command}" was not found (${code}). ${interpreterHelp(interp.source)}.`,
      );
    }
    throw new StartupError(
      'interpreter-failed',
      `fastapi-lint: could not run the Python interpreter "${interp.command}": ${String((err as Error).message ?? err)}. ${interpreterHelp(interp.source)}.`,
    );
  }
  const line = result.stdout.split(/\r?\n/).find((l) => l.startsWith('FASTAPI_LINT_PROBE'));
  if (line === undefined) {
    const detail = (result.stderr.trim().split(/\r?\n/).pop() ?? '').trim() || `exit code ${String(result.code)}`;
    // Python 2 and other programs fail on the probe (a SyntaxError, an unknown option ...).
    throw new StartupError(
      'interpreter-failed',
      `fastapi-lint: "${interp.command}" is not a working Python 3.10+ interpreter (${detail}). ${interpreterHelp(interp.source)}.`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(line.slice('FASTAPI_LINT_PROBE'.length));
  } catch {
    throw new StartupError('interpreter-failed', `fastapi-lint: unexpected answer from "${interp.command}": ${line}`);
  }
  const info = parsed as Partial<InterpreterInfo>;
  const version = info.version;
  if (!Array.isArray(version) || version.length < 2 || !version.every((n) => typeof n === 'number')) {
    throw new StartupError('interpreter-failed', `fastapi-lint: unexpected answer from "${interp.command}": ${line}`);
  }
  return {
    executable: typeof info.executable === 'string' && info.executable !== '' ? info.executable : interp.command,
    version: [version[0], version[1], version[2] ?? 0],
    hasServer: info.hasServer === true,
  };
}

export function formatVersion(v: readonly number[]): string {
  return v.join('.');
}

/** Throws the StartupError that explains why this interpreter cannot run the server, if any. */
export function checkInterpreter(interp: ResolvedInterpreter, info: InterpreterInfo, strategy: ImportStrategy): void {
  const [major, minor] = info.version;
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    throw new StartupError(
      'interpreter-too-old',
      `fastapi-lint needs Python ${formatVersion(MIN_PYTHON)} or newer, but "${interp.command}" is Python ${formatVersion(info.version)}. ${interpreterHelp(interp.source)}.`,
    );
  }
  if (strategy === 'fromEnvironment' && !info.hasServer) {
    throw new StartupError(
      'server-not-installed',
      `fastapi-lint: the language server is not installed in ${info.executable} ("fastapi-lint.importStrategy" is "fromEnvironment"). ` +
        `Install it with \`${info.executable} -m pip install "fastapi-lint[lsp]"\`, or set "fastapi-lint.importStrategy" to "useBundled".`,
    );
  }
}
