import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  LanguageClient,
  LogMessageNotification,
  MessageType,
  ShowMessageNotification,
  State,
  TransportKind,
  type CloseHandlerResult,
  type ErrorHandlerResult,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { CLIENT_ID, CLIENT_NAME, FIX_ALL_COMMAND } from './constants';
import type { ServerLaunch } from './serverCommand';
import { SECTION, shouldNotify, type NotificationLevel, type Severity } from './settings';


/** What the extension needs from a running language client (a LanguageClient, or a stub in unit tests). */
export interface ServerClient {
  start(): Promise<void>;
  stop(timeoutMs?: number): Promise<void>;
  sendRequest<R>(method: string, params: unknown): Promise<R>;
  onNotification(method: string, handler: (params: unknown) => void): vscode.Disposable;
  isRunning(): boolean;
  /** Commands the server offers through workspace/executeCommand. */
  serverCommands(): string[];
}

export interface ClientHooks {
  /** The initializationOptions, also the answer to workspace/configuration for our section. */
  serverSettings(scope?: vscode.Uri): Record<string, unknown>;
  notificationLevel(): NotificationLevel;
  /** The server died for good (crashed too often, or failed to initialize): say so. */
  onFatal(message: string): void;
  /** The server stopped or (re)started. */
  onState(running: boolean): void;
}

export type ClientFactory = (launch: ServerLaunch, hooks: ClientHooks, outputChannel: vscode.LogOutputChannel) => ServerClient;

const SEVERITY: Record<number, Severity> = {
  [MessageType.Error]: 'error',
  [MessageType.Warning]: 'warning',
  [MessageType.Info]: 'info',
  [MessageType.Log]: 'info',
};

/** Restart a crashed server at most this many times within the window, then give up with a message. */
const MAX_RESTARTS = 4;
const RESTART_WINDOW_MS = 3 * 60 * 1000;

function popup(severity: Severity, message: string): void {
  const show =
    severity === 'error' ? vscode.window.showErrorMessage : severity === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  void show(message, 'Show Logs').then((choice) => {
    if (choice === 'Show Logs') {
      void vscode.commands.executeCommand('fastapi-lint.showLogs');
    }
  });
}

let traceChannel: vscode.LogOutputChannel | undefined;

export const createLanguageClient: ClientFactory = (launch, hooks, outputChannel) => {
  traceChannel ??= vscode.window.createOutputChannel(`${CLIENT_NAME} Trace`, { log: true });
  const serverOptions: ServerOptions = {
    command: launch.command,
    args: launch.args,
    transport: TransportKind.stdio,
    options: { env: launch.env },
  };
  const crashes: number[] = [];
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'python' },
      { scheme: 'untitled', language: 'python' },
    ],
    outputChannel,
    traceOutputChannel: traceChannel,
    revealOutputChannelOn: 4 /* RevealOutputChannelOn.Never: we decide what pops up */,
    initializationOptions: hooks.serverSettings(vscode.workspace.workspaceFolders?.[0]?.uri),
    // No static file watchers: the server registers workspace/didChangeWatchedFiles itself (dynamic
    // registration), and watches on its own when a client cannot.
    initializationFailedHandler: (error) => {
      hooks.onFatal(`fastapi-lint: the language server failed to initialize: ${error instanceof Error ? error.message : String(error)}`);
      return false;
    },
    errorHandler: {
      error: (): ErrorHandlerResult => ({ action: ErrorAction.Continue, handled: true }),
      closed: (): CloseHandlerResult => {
        const now = Date.now();
        crashes.push(now);
        while (crashes.length > 0 && now - crashes[0] > RESTART_WINDOW_MS) {
          crashes.shift();
        }
        if (crashes.length <= MAX_RESTARTS) {
          outputChannel.warn(`The server stopped unexpectedly; restarting it (${crashes.length}/${MAX_RESTARTS}).`);
          return { action: CloseAction.Restart, handled: true };
        }
        hooks.onFatal(
          `fastapi-lint: the language server stopped ${crashes.length} times in ${RESTART_WINDOW_MS / 60000} minutes and will not be restarted. ` +
            'See the log ("FastAPI Lint: Show Logs"), then run "FastAPI Lint: Restart Server".',
        );
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    },
    middleware: {
      workspace: {
        // Answer workspace/configuration for our section with the settings the server understands, not the raw
        // section (which also holds the client-only interpreter/path/... keys and empty lists meaning "unset").
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (!Array.isArray(result)) {
            return result;
          }
          return params.items.map((item, i) =>
            item.section === SECTION ? hooks.serverSettings(item.scopeUri !== undefined ? vscode.Uri.parse(item.scopeUri) : undefined) : result[i],
          );
        },
      },
      // `fastapi-lint.fixAll` from the palette or a keybinding comes without arguments: fix the active editor.
      executeCommand: async (command, args, next) => {
        if (command === FIX_ALL_COMMAND && args.length === 0) {
          const editor = vscode.window.activeTextEditor;
          if (editor === undefined || editor.document.languageId !== 'python') {
            void vscode.window.showInformationMessage('FastAPI Lint: open a Python file to fix.');
            return undefined;
          }
          return next(command, [editor.document.uri.toString()]);
        }
        return next(command, args);
      },
    },
  };
  const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);

  // The server's messages go to the log; they pop up according to fastapi-lint.showNotifications.
  client.onNotification(ShowMessageNotification.type, (params) => {
    const severity = SEVERITY[params.type] ?? 'info';
    outputChannel[severity === 'error' ? 'error' : severity === 'warning' ? 'warn' : 'info'](params.message);
    if (shouldNotify(hooks.notificationLevel(), severity)) {
      popup(severity, params.message);
    }
  });
  client.onNotification(LogMessageNotification.type, (params) => {
    switch (params.type) {
      case MessageType.Error:
        outputChannel.error(params.message);
        if (shouldNotify(hooks.notificationLevel(), 'error')) {
          popup('error', params.message);
        }
        break;
      case MessageType.Warning:
        outputChannel.warn(params.message);
        if (shouldNotify(hooks.notificationLevel(), 'warning')) {
          popup('warning', params.message);
        }
        break;
      case MessageType.Info:
        outputChannel.info(params.message);
        break;
      default:
        outputChannel.debug(params.message);
    }
  });
  client.onDidChangeState((e) => hooks.onState(e.newState === State.Running));

  return {
    start: () => client.start(),
    stop: (timeoutMs?: number) => client.stop(timeoutMs),
    sendRequest: <R>(method: string, params: unknown) => client.sendRequest<R>(method, params),
    onNotification: (method, handler) => client.onNotification(method, handler),
    isRunning: () => client.isRunning(),
    serverCommands: () => client.initializeResult?.capabilities.executeCommandProvider?.commands ?? [],
  };
};
