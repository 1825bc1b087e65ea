import { describe, expect, it } from 'vitest';
import {
  expandVariables,
  initializationOptions,
  needsRestart,
  readSettings,
  SettingsError,
  shouldNotify,
  type ConfigurationLike,
  type NotificationLevel,
} from '../src/settings';

const cfg = (values: Record<string, unknown>): ConfigurationLike => ({ get: <T>(k: string) => values[k] as T | undefined });

describe('readSettings', () => {
  it('has the documented defaults', () => {
    expect(readSettings(cfg({}))).toEqual({
      interpreter: '',
      path: [],
      importStrategy: 'useBundled',
      args: [],
      select: [],
      ignore: [],
      showNotifications: 'onError',
    });
  });

  it('expands variables in interpreter, path and args', () => {
    const s = readSettings(
      cfg({
        interpreter: '${workspaceFolder}/.venv/bin/python',
        path: ['~/bin/server', '--root=${workspaceFolder}'],
        args: ['--log=${env:LOGDIR}/x'],
      }),
      { workspaceFolder: '/ws', home: '/home/u', env: { LOGDIR: '/tmp' } },
    );
    expect(s.interpreter).toBe('/ws/.venv/bin/python');
    expect(s.path).toEqual(['/home/u/bin/server', '--root=/ws']);
    expect(s.args).toEqual(['--log=/tmp/x']);
  });

  it('refuses ${workspaceFolder} when no folder is open', () => {
    expect(() => expandVariables('${workspaceFolder}/py', {})).toThrow(/no folder is open/);
  });

  it('accepts the list form of interpreter used by the Python tools template', () => {
    expect(readSettings(cfg({ interpreter: ['/usr/bin/python3.12'] })).interpreter).toBe('/usr/bin/python3.12');
  });

  it('normalises rule codes and rejects invalid ones', () => {
    expect(readSettings(cfg({ select: ['fpa1', ' FPA306 '], ignore: 'FPA201' })).select).toEqual(['FPA1', 'FPA306']);
    expect(readSettings(cfg({ ignore: 'FPA201' })).ignore).toEqual(['FPA201']);
    expect(() => readSettings(cfg({ select: ['FPA-101'] }))).toThrow(SettingsError);
    expect(() => readSettings(cfg({ ignore: [1, 2] }))).toThrow(/must be a list of strings/);
  });

  it('rejects unknown enum values', () => {
    expect(() => readSettings(cfg({ importStrategy: 'bundled' }))).toThrow(/importStrategy must be one of useBundled, fromEnvironment/);
    expect(() => readSettings(cfg({ showNotifications: 'sometimes' }))).toThrow(/showNotifications/);
  });
});

describe('initializationOptions', () => {
  it('leaves out empty lists (an empty list means "unset", not "select nothing")', () => {
    expect(initializationOptions(readSettings(cfg({})))).toEqual({});
    expect(initializationOptions(readSettings(cfg({ select: ['FPA1'], ignore: ['FPA104'] })))).toEqual({
      select: ['FPA1'],
      ignore: ['FPA104'],
    });
  });
});

describe('needsRestart', () => {
  it('restarts for server settings, not for notifications or trace', () => {
    const affects = (changed: string) => (section: string) => section === changed;
    for (const key of ['interpreter', 'path', 'importStrategy', 'args', 'select', 'ignore']) {
      expect(needsRestart(affects(`fastapi-lint.${key}`))).toBe(true);
    }
    expect(needsRestart(affects('fastapi-lint.showNotifications'))).toBe(false);
    expect(needsRestart(affects('fastapi-lint.trace.server'))).toBe(false);
    expect(needsRestart(affects('python.defaultInterpreterPath'))).toBe(false);
  });
});

describe('shouldNotify', () => {
  it('follows the level', () => {
    const table: Record<NotificationLevel, boolean[]> = {
      off: [false, false, false],
      onError: [true, false, false],
      onWarning: [true, true, false],
      always: [true, true, true],
    };
    for (const [level, expected] of Object.entries(table)) {
      const got = (['error', 'warning', 'info'] as const).map((s) => shouldNotify(level as NotificationLevel, s));
      expect(got, level).toEqual(expected);
    }
  });
});
