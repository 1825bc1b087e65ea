import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { ClientFactory, ServerClient } from './client';
import { FIX_ALL_COMMAND, FIX_ALL_KIND } from './constants';
import {
  checkInterpreter,
  formatVersion,
  probeInterpreter,
  resolveInterpreter,
  StartupError,
  type PythonInterpreterProvider,
  type RunFn,
} from './interpreter';
import { buildServerLaunch, checkBundle } from './serverCommand';
import { initializationOptions, readSettings, SECTION, SettingsError, shouldNotify, type ExtensionSettings } from './settings';

export type ServerStatus = 'starting' | 'running' | 'stopped' | 'error';

export interface ServerManagerDeps {
  extensionPath: string;
  log: vscode.LogOutputChannel;
  createClient: ClientFactory;
  /** The Python extension's interpreter API, if installed. */
  python: () => Promise<PythonInterpreterProvider | undefined>;
  run?: RunFn;
  exists?: (p: string) => boolean;
}

function workspaceFolder(): vscode.WorkspaceFolder | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  return (active !== undefined ? vscode.workspace.getWorkspaceFolder(active) : undefined) ?? vscode.workspace.workspaceFolders?.[0];
}

export function currentSettings(scope?: vscode.Uri): ExtensionSettings {
  const folder = scope !== undefined ? vscode.workspace.getWorkspaceFolder(scope) : workspaceFolder();
  return readSettings(vscode.workspace.getConfiguration(SECTION, folder?.uri ?? scope), { workspaceFolder: folder?.uri.fsPath });
}

/** Starts, stops and restarts the language server; reports every failure (never silently). */
export class ServerManager implements vscode.Disposable {
  private client: ServerClient | undefined;
  private queue: Promise<void> = Promise.resolve();
  private readonly status: vscode.StatusBarItem;
  private readonly stateEmitter = new vscode.EventEmitter<ServerStatus>();
  private readonly notificationHandlers = new Map<string, (params: unknown) => void>();
  private fixAllFallback: vscode.Disposable | undefined;
  private lastStatus: ServerStatus = 'stopped';
  /** Fires when the server is running (again) or stopped. */
  readonly onDidChangeStatus = this.stateEmitter.event;

  constructor(private readonly deps: ServerManagerDeps) {
    this.status = vscode.window.createStatusBarItem('fastapi-lint.status', vscode.StatusBarAlignment.Left, 0);
    this.status.name = 'FastAPI Lint';
    this.status.command = 'fastapi-lint.showLogs';
    this.setStatus('stopped');
    this.status.show();
  }

  get running(): boolean {
    return this.client?.isRunning() === true;
  }

  get currentStatus(): ServerStatus {
    return this.lastStatus;
  }

  /** Route a server notification to the handler, across restarts. */
  onNotification(method: string, handler: (params: unknown) => void): void {
    this.notificationHandlers.set(method, handler);
    this.client?.onNotification(method, handler);
  }

  async sendRequest<R>(method: string, params: unknown): Promise<R> {
    await this.queue; // a restart in progress finishes first
    if (this.client === undefined || !this.client.isRunning()) {
      throw new Error('the FastAPI Lint server is not running');
    }
    return this.client.sendRequest<R>(method, params);
  }

  /** Start (or restart) the server; calls are serialised, and the promise never rejects. */
  restart(reason: string): Promise<void> {
    this.queue = this.queue.then(() => this.doRestart(reason));
    return this.queue;
  }

  stop(): Promise<void> {
    this.queue = this.queue.then(() => this.doStop());
    return this.queue;
  }

  private setStatus(status: ServerStatus, detail?: string): void {
    this.lastStatus = status;
    const icon = { starting: '$(sync~spin)', running: '$(check)', stopped: '$(circle-slash)', error: '$(error)' }[status];
    this.status.text = `${icon} FastAPI Lint`;
    this.status.tooltip = detail ?? `FastAPI Lint server: ${status}. Click to show the logs.`;
    this.status.backgroundColor = status === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.stateEmitter.fire(status);
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.fixAllFallback?.dispose();
    this.fixAllFallback = undefined;
    if (client !== undefined) {
      try {
        await client.stop(5000);
      } catch (err) {
        this.deps.log.warn(`stopping the server: ${String(err)}`);
      }
    }
    this.setStatus('stopped');
  }

  private async doRestart(reason: string): Promise<void> {
    await this.doStop();
    this.deps.log.info(`Starting the server (${reason})`);
    this.setStatus('starting');
    let settings: ExtensionSettings;
    try {
      settings = currentSettings();
      const folder = workspaceFolder();
      let interpreterCommand: string | undefined;
      if (settings.path.length === 0) {
        const interp = await resolveInterpreter(settings, await this.deps.python(), folder?.uri.toString());
        this.deps.log.info(`Interpreter: ${interp.command} (from ${interp.source})`);
        const info = await probeInterpreter(interp, this.deps.run);
        this.deps.log.info(`Python ${formatVersion(info.version)} at ${info.executable}; server installed in it: ${info.hasServer}`);
        checkInterpreter(interp, info, settings.importStrategy);
        if (settings.importStrategy === 'useBundled') {
          checkBundle(this.deps.extensionPath, this.deps.exists ?? fs.existsSync);
        }
        interpreterCommand = info.executable;
      }
      const launch = buildServerLaunch(settings, interpreterCommand, this.deps.extensionPath);
      this.deps.log.info(`Server: ${launch.description}`);
      const client = this.deps.createClient(
        launch,
        {
          serverSettings: (scope) => initializationOptions(currentSettings(scope)),
          notificationLevel: () => {
            try {
              return currentSettings().showNotifications;
            } catch {
              return 'onError';
            }
          },
          onFatal: (message) => this.fail(new StartupError('server-failed', message)),
          onState: (running) => {
            if (running) {
              this.setStatus('running', `FastAPI Lint server running: ${launch.description}`);
            } else if (this.client === client && this.lastStatus === 'running') {
              this.setStatus('starting', 'FastAPI Lint server restarting');
            }
          },
        },
        this.deps.log,
      );
      for (const [method, handler] of this.notificationHandlers) {
        client.onNotification(method, handler);
      }
      this.client = client;
      await client.start();
      this.installFixAllFallback(client);
      this.deps.log.info('Server started');
    } catch (err) {
      this.fail(err);
    }
  }

  /** When the server does not offer fastapi-lint.fixAll, the command still answers (the source action). */
  private installFixAllFallback(client: ServerClient): void {
    if (client.serverCommands().includes(FIX_ALL_COMMAND)) {
      return;
    }
    this.deps.log.warn(`The server does not offer ${FIX_ALL_COMMAND}; the command applies the source.fixAll.fastapi-lint code action instead.`);
    this.fixAllFallback = vscode.commands.registerCommand(FIX_ALL_COMMAND, () =>
      vscode.commands.executeCommand('editor.action.sourceAction', { kind: FIX_ALL_KIND, apply: 'first' }),
    );
  }

  private fail(err: unknown): void {
    const message =
      err instanceof StartupError
        ? err.message
        : err instanceof SettingsError
          ? `fastapi-lint: invalid setting: ${err.message}`
          : `fastapi-lint: the language server could not be started: ${err instanceof Error ? err.message : String(err)}`;
    this.deps.log.error(message);
    this.setStatus('error', message);
    if (this.fixAllFallback === undefined && !this.running) {
      this.fixAllFallback = vscode.commands.registerCommand(FIX_ALL_COMMAND, () => {
        void vscode.window.showErrorMessage(`FastAPI Lint: the server is not running. ${message}`, 'Show Logs').then((choice) => {
          if (choice === 'Show Logs') {
            this.deps.log.show();
          }
        });
      });
    }
    let level: ReturnType<typeof currentSettings>['showNotifications'] = 'onError';
    try {
      level = currentSettings().showNotifications;
    } catch {
      // invalid settings are exactly what we report
    }
    // A server that cannot start is always an error worth showing; "off" keeps it in the status bar and the log.
    if (shouldNotify(level, 'error')) {
      void vscode.window.showErrorMessage(message, 'Show Logs', 'Open Settings').then((choice) => {
        if (choice === 'Show Logs') {
          this.deps.log.show();
        } else if (choice === 'Open Settings') {
          void vscode.commands.executeCommand('workbench.action.openSettings', SECTION);
        }
      });
    }
  }

  dispose(): void {
    void this.stop();
    this.status.dispose();
    this.stateEmitter.dispose();
  }
}
