// Drive code-server (real VS Code in a browser) with headless Debian Chromium through playwright-core, against
// the installed fastapi-lint .vsix and a copy of a project.
//
//   node drive.js spec.json
//
// spec.json (written by tests/editors/test_vscode.py):
//   baseUrl, folder              code-server and the workspace folder (a temp copy: the fix edits it)
//   file                         workspace-relative path of the file to open (e.g. app/routers/items.py)
//   expectCodes                  rule codes the Problems panel must show for that file
//   hover {line, column, expectText[]}          1-based position of a finding; texts its hover must show
//   fix {line, column, title, expectOnDisk}     Ctrl+. there must offer a quick fix whose title contains `title`;
//                                               applying it and saving must put `expectOnDisk` in the file
//   routes {expectLabels[], open {label, file}} labels the FastAPI Routes view must list; clicking `label`
//                                               must open `file`
//   fixAll {file}                               optional: "FastAPI Lint: Fix All" on that (active) file changes it
//   badInterpreter {value, expectText}          optional, last: set fastapi-lint.interpreter to a missing program
//                                               in the workspace settings; a notification must say so
//   artifacts                    directory for screenshots; result                path of the result JSON
// Exit code 0 when every step passed. The result JSON lists the steps with their times and what was seen.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');

const spec = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const T = Number(process.env.E2E_TIMEOUT_MS || 60000);
const norm = (s) => s.replace(/\s+/g, ' ').trim();

(async () => {
  const result = { ok: false, steps: [], problems: [], hover: '', codeActions: [], routes: [], quickPick: [] };
  const t0 = Date.now();
  const step = (name) => {
    result.steps.push({ name, ms: Date.now() - t0 });
    console.log(`[${Date.now() - t0}ms] ${name}`);
  };
  const shot = (name) => path.join(spec.artifacts, name);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--disable-quic', '--no-first-run', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  page.on('pageerror', (e) => console.log('pageerror:', e.message));

  const runCommand = async (title) => {
    await page.keyboard.press('F1');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: T });
    await input.fill(`>${title}`);
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ timeout: T });
    await page.keyboard.press('Enter');
  };
  const goTo = async (line, column) => {
    await page.keyboard.press('Control+g');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible', timeout: T });
    await input.fill(`:${line}:${column}`);
    await page.keyboard.press('Enter');
    await page.waitForFunction(
      (want) => [...document.querySelectorAll('.statusbar-item')].some((e) => e.textContent.includes(want)),
      `Ln ${line}, Col ${column}`,
      { timeout: T },
    );
  };

  try {
    await page.goto(`${spec.baseUrl}/?folder=${encodeURIComponent(spec.folder)}`, { timeout: T });
    await page.waitForSelector('.monaco-workbench', { timeout: T });
    step('workbench loaded');

    // Open the file with Quick Open (Ctrl+P), which finds nested paths without expanding the Explorer.
    const fileName = path.basename(spec.file);
    await page.locator('.monaco-workbench').click({ position: { x: 700, y: 400 } });
    await page.keyboard.press('Control+p');
    const qo = page.locator('.quick-input-widget input');
    await qo.waitFor({ state: 'visible', timeout: T });
    await qo.fill(spec.file);
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: fileName }).first().waitFor({ timeout: T });
    await page.keyboard.press('Enter');
    await page.waitForSelector(`.tab[data-resource-name="${fileName}"]`, { timeout: T });
    await page.waitForSelector('.monaco-editor .view-lines .view-line', { timeout: T });
    step(`opened ${spec.file}`);

    // Diagnostics: squiggles in the editor, then every expected code in the Problems panel.
    await page.waitForSelector('.monaco-editor .squiggly-warning, .monaco-editor .squiggly-error, .monaco-editor .squiggly-info', { timeout: T });
    step('squiggle shown');
    await page.keyboard.press('Control+Shift+M');
    await page.waitForSelector('.markers-panel .monaco-list-row', { timeout: T });
    const deadline = Date.now() + T;
    let missing = spec.expectCodes;
    while (Date.now() < deadline) {
      result.problems = (await page.locator('.markers-panel .monaco-list-row').allInnerTexts()).map(norm);
      const text = result.problems.join('\n');
      missing = spec.expectCodes.filter((code) => !text.includes(code));
      if (missing.length === 0) break;
      await page.waitForTimeout(250);
    }
    if (missing.length > 0) throw new Error(`Problems panel lacks ${missing.join(', ')}; rows: ${JSON.stringify(result.problems)}`);
    step(`problems panel shows ${spec.expectCodes.join(', ')}`);

    // Hover on a finding: the rule's documentation.
    await page.locator('.monaco-editor .view-lines').first().click();
    await goTo(spec.hover.line, spec.hover.column);
    await page.keyboard.press('Control+k');
    await page.keyboard.press('Control+i');
    // The marker (diagnostic) part of the hover comes first; the server's part follows.
    const hoverDeadline = Date.now() + T;
    let hoverMissing = spec.hover.expectText;
    while (Date.now() < hoverDeadline) {
      result.hover = norm((await page.locator('.monaco-hover-content').allInnerTexts()).join(' '));
      hoverMissing = spec.hover.expectText.filter((t) => !result.hover.includes(t));
      if (hoverMissing.length === 0) break;
      await page.waitForTimeout(250);
    }
    if (hoverMissing.length > 0) throw new Error(`hover lacks ${JSON.stringify(hoverMissing)}: ${result.hover.slice(0, 500)}`);
    step('hover shows the rule documentation');
    await page.screenshot({ path: shot('vscode-hover.png') });
    await page.keyboard.press('Escape');

    // Ctrl+. on the finding offers the quick fix; applying it changes the file.
    await goTo(spec.fix.line, spec.fix.column);
    await page.keyboard.press('Control+.');
    const actions = page.locator('.action-widget .monaco-list-row');
    await actions.first().waitFor({ timeout: T });
    const fixRow = page.locator('.action-widget .monaco-list-row', { hasText: spec.fix.title }).first();
    try {
      await fixRow.waitFor({ timeout: 10000 });
    } finally {
      result.codeActions = (await actions.allInnerTexts()).map(norm).filter((s) => s !== '');
    }
    step(`Ctrl+. offers "${norm(await fixRow.innerText())}"`);
    await page.screenshot({ path: shot('vscode-quickfix.png') });
    // Select it with the keyboard (a pointer-block overlay swallows clicks in the action widget).
    for (let i = 0; i < 20; i++) {
      const focused = page.locator('.action-widget .monaco-list-row.focused');
      const label = (await focused.count()) ? (await focused.first().getAttribute('aria-label')) || '' : '';
      if (label.includes(spec.fix.title)) break;
      await page.keyboard.press('ArrowDown');
    }
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector('.action-widget .monaco-list-row'), null, { timeout: T });
    await page.keyboard.press('Control+s');
    const onDisk = path.join(spec.folder, spec.file);
    const fixDeadline = Date.now() + T;
    while (!fs.readFileSync(onDisk, 'utf8').includes(spec.fix.expectOnDisk)) {
      if (Date.now() > fixDeadline) throw new Error(`after the fix, ${spec.file} lacks ${JSON.stringify(spec.fix.expectOnDisk)}`);
      await page.waitForTimeout(200);
    }
    result.fixedFile = fs.readFileSync(onDisk, 'utf8');
    step('quick fix applied and saved');

    // FastAPI Routes view (Explorer): the example's routes; a click opens the handler.
    await runCommand('Focus on FastAPI Routes View');
    const pane = page.locator('.pane', { has: page.locator('.pane-header', { hasText: 'FastAPI Routes' }) });
    await pane.locator('.monaco-list-row').first().waitFor({ timeout: T });
    // Give the view room: collapse the file tree pane above it.
    const folders = page.locator('.pane-header[aria-expanded="true"]', { hasText: path.basename(spec.folder) });
    if (await folders.count()) await folders.first().click();
    const routeDeadline = Date.now() + T;
    let routesMissing = spec.routes.expectLabels;
    while (Date.now() < routeDeadline) {
      result.routes = (await pane.locator('.monaco-list-row').allInnerTexts()).map(norm);
      routesMissing = spec.routes.expectLabels.filter((l) => !result.routes.some((r) => r.includes(l)));
      if (routesMissing.length === 0) break;
      await page.waitForTimeout(250);
    }
    if (routesMissing.length > 0) throw new Error(`routes view lacks ${JSON.stringify(routesMissing)}; rows: ${JSON.stringify(result.routes)}`);
    step('routes view lists the routes');
    await page.screenshot({ path: shot('vscode.png') });
    await pane.locator('.monaco-list-row', { hasText: spec.routes.open.label }).first().click();
    const openedName = path.basename(spec.routes.open.file);
    await page.waitForSelector(`.tab.active[data-resource-name="${openedName}"]`, { timeout: T });
    step(`clicking "${spec.routes.open.label}" opened ${openedName}`);

    // "Fix All" from the command palette (no argument: the extension passes the active editor's URI).
    if (spec.fixAll) {
      const target = path.join(spec.folder, spec.fixAll.file);
      const before = fs.readFileSync(target, 'utf8');
      await runCommand('FastAPI Lint: Fix All Auto-fixable Problems');
      await page.waitForSelector(`.tab.dirty[data-resource-name="${path.basename(target)}"]`, { timeout: T });
      await page.keyboard.press('Control+s');
      const d = Date.now() + T;
      while (fs.readFileSync(target, 'utf8') === before) {
        if (Date.now() > d) throw new Error(`Fix All did not change ${spec.fixAll.file}`);
        await page.waitForTimeout(200);
      }
      result.fixAllFile = fs.readFileSync(target, 'utf8');
      step(`Fix All changed ${spec.fixAll.file}`);
    }

    // The quick pick searches all routes.
    await runCommand('FastAPI Lint: Search Routes');
    const pickRows = page.locator('.quick-input-widget .monaco-list-row');
    await pickRows.first().waitFor({ timeout: T });
    result.quickPick = (await pickRows.allInnerTexts()).map(norm);
    await page.keyboard.press('Escape');
    step(`search routes quick pick: ${result.quickPick.length} entries`);

    // Settings change -> restart; a missing interpreter is reported, not silently ignored.
    if (spec.badInterpreter) {
      // Workspace settings (.vscode/settings.json): VS Code watches them like any workspace file.
      const dir = path.join(spec.folder, '.vscode');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify({ 'fastapi-lint.interpreter': spec.badInterpreter.value }, null, 2));
      const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: spec.badInterpreter.expectText }).first();
      await toast.waitFor({ timeout: T });
      result.badInterpreterMessage = norm(await toast.innerText());
      await page.screenshot({ path: shot('vscode-bad-interpreter.png') });
      step('a missing interpreter is reported after the settings change');
    }
    result.ok = true;
  } catch (e) {
    result.error = String((e && e.stack) || e);
    try {
      await page.screenshot({ path: shot('vscode-failure.png') });
    } catch {
      // ignore
    }
  } finally {
    result.totalMs = Date.now() - t0;
    fs.writeFileSync(spec.result, JSON.stringify(result, null, 2));
    await browser.close();
  }
  console.log(result.ok ? 'OK' : `FAILED: ${result.error}`);
  process.exit(result.ok ? 0 : 1);
})();
