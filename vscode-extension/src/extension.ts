import * as vscode from 'vscode';
import { createLanguageClient } from './client';
import { getPythonExtension, PYTHON_EXTENSION_ID, type PythonExtension } from './pythonExtension';
import { RoutesProvider, ROUTES_VIEW_ID, searchRoutes } from './routesView';
import { ServerManager } from './server';
import { needsRestart, SECTION } from './settings';

let manager: ServerManager | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('FastAPI Lint', { log: true });
  context.subscriptions.push(log);

  let python: Promise<PythonExtension | undefined> | undefined;
  let pythonListener: vscode.Disposable | undefined;
  const getPython = (): Promise<PythonExtension | undefined> => {
    python ??= getPythonExtension((m) => log.warn(m)).then((ext) => {
      pythonListener?.dispose();
      pythonListener = ext?.onDidChangeInterpreter(() => {
        if (currentInterpreterSettingEmpty()) {
          void server.restart('the Python extension selected another interpreter');
        }
      });
      return ext;
    });
    return python;
  };

  const server = new ServerManager({ extensionPath: context.extensionPath, log, createClient: createLanguageClient, python: getPython });
  manager = server;
  context.subscriptions.push(server, { dispose: () => pythonListener?.dispose() });

  const routes = new RoutesProvider(server, log);
  const view = vscode.window.createTreeView(ROUTES_VIEW_ID, { treeDataProvider: routes, showCollapseAll: true });
  routes.attach(view);
  context.subscriptions.push(routes, view);

  context.subscriptions.push(
    vscode.commands.registerCommand('fastapi-lint.restart', () => server.restart('restart command')),
    vscode.commands.registerCommand('fastapi-lint.showLogs', () => log.show()),
    vscode.commands.registerCommand('fastapi-lint.searchRoutes', () => searchRoutes(routes)),
    vscode.commands.registerCommand('fastapi-lint.refreshRoutes', () => routes.refresh()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (needsRestart((section) => e.affectsConfiguration(section))) {
        void server.restart('settings changed');
      }
    }),
    vscode.extensions.onDidChange(() => {
      // The Python extension was installed or removed: ask it again.
      const present = vscode.extensions.getExtension(PYTHON_EXTENSION_ID) !== undefined;
      void (python ?? Promise.resolve(undefined)).then((ext) => {
        if ((ext !== undefined) !== present) {
          python = undefined;
          if (currentInterpreterSettingEmpty()) {
            void server.restart(`${PYTHON_EXTENSION_ID} was ${present ? 'installed' : 'removed'}`);
          }
        }
      });
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      // The server also sends fastapiLint/routesChanged; a save is a cheap extra cue.
      if (doc.languageId === 'python') {
        routes.scheduleRefresh();
      }
    }),
  );

  await server.restart('activation');
}

function currentInterpreterSettingEmpty(): boolean {
  const value = vscode.workspace.getConfiguration(SECTION).get<unknown>('interpreter');
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

export async function deactivate(): Promise<void> {
  await manager?.stop();
  manager = undefined;
}
