import * as os from 'node:os';
import * as path from 'node:path';

/** The configuration section of this extension (`fastapi-lint.*`). */
export const SECTION = 'fastapi-lint';

export type ImportStrategy = 'useBundled' | 'fromEnvironment';
export type NotificationLevel = 'off' | 'onError' | 'onWarning' | 'always';

export interface ExtensionSettings {
  /** Interpreter from `fastapi-lint.interpreter`, variables expanded; '' = not set (ask the Python extension). */
  interpreter: string;
  /** Custom server command (`fastapi-lint.path`); empty = run `<interpreter> -m fastapi_lsp`. */
  path: string[];
  importStrategy: ImportStrategy;
  args: string[];
  select: string[];
  ignore: string[];
  showNotifications: NotificationLevel;
}

/** What `vscode.WorkspaceConfiguration` offers that we use (stubbed in unit tests). */
export interface ConfigurationLike {
  get<T>(key: string): T | undefined;
}

export interface Variables {
  workspaceFolder?: string;
  home?: string;
  env?: Record<string, string | undefined>;
}

/** Settings that a running server cannot pick up: changing one restarts it. */
export const RESTART_KEYS = ['interpreter', 'path', 'importStrategy', 'args', 'select', 'ignore'] as const;

export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

const IMPORT_STRATEGIES: readonly ImportStrategy[] = ['useBundled', 'fromEnvironment'];
const NOTIFICATION_LEVELS: readonly NotificationLevel[] = ['off', 'onError', 'onWarning', 'always'];
const CODE_SELECTOR = /^[A-Z]{1,3}[0-9]{0,3}$/;

/** Expand `${workspaceFolder}`, `${userHome}`, `${env:NAME}` and a leading `~`. */
export function expandVariables(value: string, vars: Variables): string {
  const home = vars.home ?? os.homedir();
  let out = value.replace(/\$\{(workspaceFolder|userHome|env:([A-Za-z_][A-Za-z0-9_]*))\}/g, (whole, name: string, envName?: string) => {
    if (name === 'workspaceFolder') {
      if (vars.workspaceFolder === undefined) {
        throw new SettingsError(`${whole} is used in a setting but no folder is open`);
      }
      return vars.workspaceFolder;
    }
    if (name === 'userHome') {
      return home;
    }
    return (vars.env ?? process.env)[envName ?? ''] ?? '';
  });
  if (out === '~' || out.startsWith('~/')) {
    out = path.join(home, out.slice(1));
  }
  return out;
}

function stringList(cfg: ConfigurationLike, key: string): string[] {
  const value = cfg.get<unknown>(key);
  if (value === undefined || value === null) {
    return [];
  }
  if (typeof value === 'string') {
    // Tolerate a single string where a list is expected ("FPA1" instead of ["FPA1"]).
    return value.trim() === '' ? [] : [value];
  }
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new SettingsError(`${SECTION}.${key} must be a list of strings, got ${JSON.stringify(value)}`);
  }
  return value;
}

function codeList(cfg: ConfigurationLike, key: string): string[] {
  const codes = stringList(cfg, key).map((c) => c.trim().toUpperCase()).filter((c) => c !== '');
  const bad = codes.filter((c) => !CODE_SELECTOR.test(c));
  if (bad.length > 0) {
    throw new SettingsError(`${SECTION}.${key} has invalid rule codes: ${bad.join(', ')} (expected codes like FPA101 or prefixes like FPA1)`);
  }
  return codes;
}

function oneOf<T extends string>(cfg: ConfigurationLike, key: string, allowed: readonly T[], fallback: T): T {
  const value = cfg.get<unknown>(key);
  if (value === undefined || value === null || value === '') {
    return fallback;
  }
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) {
    return value as T;
  }
  throw new SettingsError(`${SECTION}.${key} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
}

/** Read and validate the settings; throws SettingsError with a message fit for the user. */
export function readSettings(cfg: ConfigurationLike, vars: Variables = {}): ExtensionSettings {
  const rawInterpreter = cfg.get<unknown>('interpreter');
  let interpreter = '';
  if (Array.isArray(rawInterpreter)) {
    // The Python tools template uses a list; accept its first element.
    interpreter = typeof rawInterpreter[0] === 'string' ? rawInterpreter[0] : '';
  } else if (typeof rawInterpreter === 'string') {
    interpreter = rawInterpreter;
  } else if (rawInterpreter !== undefined && rawInterpreter !== null) {
    throw new SettingsError(`${SECTION}.interpreter must be a path, got ${JSON.stringify(rawInterpreter)}`);
  }
  interpreter = interpreter.trim() === '' ? '' : expandVariables(interpreter.trim(), vars);
  return {
    interpreter,
    path: stringList(cfg, 'path').map((p) => expandVariables(p, vars)).filter((p) => p !== ''),
    importStrategy: oneOf(cfg, 'importStrategy', IMPORT_STRATEGIES, 'useBundled'),
    args: stringList(cfg, 'args').map((a) => expandVariables(a, vars)),
    select: codeList(cfg, 'select'),
    ignore: codeList(cfg, 'ignore'),
    showNotifications: oneOf(cfg, 'showNotifications', NOTIFICATION_LEVELS, 'onError'),
  };
}

/** The initializationOptions sent to the server (also its answer to workspace/configuration). */
export function initializationOptions(settings: ExtensionSettings): Record<string, unknown> {
  const options: Record<string, unknown> = {};
  if (settings.select.length > 0) {
    options.select = settings.select;
  }
  if (settings.ignore.length > 0) {
    options.ignore = settings.ignore;
  }
  return options;
}

/** Whether a configuration change needs a server restart. */
export function needsRestart(affects: (section: string) => boolean): boolean {
  return RESTART_KEYS.some((key) => affects(`${SECTION}.${key}`));
}

export type Severity = 'error' | 'warning' | 'info';

/** Whether a message of this severity pops up under `fastapi-lint.showNotifications`. */
export function shouldNotify(level: NotificationLevel, severity: Severity): boolean {
  switch (level) {
    case 'off':
      return false;
    case 'onError':
      return severity === 'error';
    case 'onWarning':
      return severity === 'error' || severity === 'warning';
    case 'always':
      return true;
  }
}
