-- Headless Neovim (0.7.2 .. 0.11) end-to-end test of fastapi-lint's language server.
-- Usage: nvim --headless --clean -c "luafile neovim_lsp_test.lua"
-- Env: LSP_CMD (JSON list: the server command), PY_FILE (file to open), EXPECT_CODE (a rule code with a quick
-- fix expected in PY_FILE), FIX_TEXT (text the quick fix inserts), OUT_JSON (result), LSP_TIMEOUT_MS.
-- On 0.11+ the client is set up exactly as docs/editors/neovim.md says (vim.lsp.config + vim.lsp.enable);
-- on 0.8-0.10 with vim.lsp.start; on 0.7 with vim.lsp.start_client + buf_attach_client.
local out_path = assert(os.getenv('OUT_JSON'))
local py_file = assert(os.getenv('PY_FILE'))
local cmd = vim.fn.json_decode(assert(os.getenv('LSP_CMD')))
local expect = assert(os.getenv('EXPECT_CODE'))
local fix_text = assert(os.getenv('FIX_TEXT'))
local timeout = tonumber(os.getenv('LSP_TIMEOUT_MS') or '20000')

local function finish(ok, result)
  local f = assert(io.open(out_path, 'w'))
  f:write(vim.fn.json_encode(result))
  f:close()
  if ok then vim.cmd('qall!') else
    io.stderr:write('FAIL: ' .. tostring(result.error) .. '\n')
    vim.cmd('cquit 1')
  end
end

local t0 = vim.loop.hrtime()
local function ms() return math.floor((vim.loop.hrtime() - t0) / 1e6) end

local function code_of(d)
  if d.code then return d.code end
  local lsp = d.user_data and d.user_data.lsp
  return lsp and lsp.code
end

local function find(bufnr, code)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if code_of(d) == code then table.insert(found, d) end
  end
  return found
end

local function run()
  local v = vim.version()
  local result = { timing = {}, nvim = v.major .. '.' .. v.minor .. '.' .. v.patch }
  local root = vim.fn.fnamemodify(py_file, ':p:h')
  while root ~= '/' and vim.fn.filereadable(root .. '/pyproject.toml') == 0 do
    root = vim.fn.fnamemodify(root, ':h')
  end
  local client_id
  if vim.lsp.config then
    result.setup = 'vim.lsp.config'
    vim.lsp.config('fastapi_lint', {
      cmd = cmd, filetypes = { 'python' }, root_markers = { 'pyproject.toml', '.git' },
    })
    vim.lsp.enable('fastapi_lint')
    vim.cmd('edit ' .. vim.fn.fnameescape(py_file))
  elseif vim.lsp.start then
    result.setup = 'vim.lsp.start'
    vim.cmd('edit ' .. vim.fn.fnameescape(py_file))
    client_id = vim.lsp.start({ name = 'fastapi_lint', cmd = cmd, root_dir = root })
  else
    result.setup = 'vim.lsp.start_client'
    vim.cmd('edit ' .. vim.fn.fnameescape(py_file))
    client_id = vim.lsp.start_client({ name = 'fastapi_lint', cmd = cmd, root_dir = root })
    vim.lsp.buf_attach_client(0, client_id)
  end
  local bufnr = vim.api.nvim_get_current_buf()

  if not vim.wait(timeout, function() return #find(bufnr, expect) > 0 end, 20) then
    error('no ' .. expect .. ' diagnostic within ' .. timeout .. ' ms; got ' .. vim.inspect(vim.diagnostic.get(bufnr)))
  end
  result.timing.diagnostics = ms()
  if not client_id then
    for _, c in pairs(vim.lsp.get_active_clients({ bufnr = bufnr })) do client_id = c.id end
  end
  local client = vim.lsp.get_client_by_id(client_id)
  result.encoding = client.offset_encoding
  result.diagnostics = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, { lnum = d.lnum, col = d.col, code = code_of(d), source = d.source, message = d.message })
  end
  local target = find(bufnr, expect)[1]

  local hres = vim.lsp.buf_request_sync(bufnr, 'textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = target.lnum, character = target.col + 1 },
  }, timeout)
  local hover = hres and hres[client_id] and hres[client_id].result
  if not (hover and hover.contents and hover.contents.value) then error('empty hover: ' .. vim.inspect(hres)) end
  result.hover = hover.contents.value
  result.timing.hover = ms()

  local range = { start = { line = target.lnum, character = target.col },
                  ['end'] = { line = target.end_lnum, character = target.end_col } }
  local cres = vim.lsp.buf_request_sync(bufnr, 'textDocument/codeAction', {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = range,
    context = { diagnostics = { { range = range, message = target.message, code = expect, source = target.source } } },
  }, timeout)
  local actions = cres and cres[client_id] and cres[client_id].result or {}
  result.code_actions = {}
  local quick_fix
  for _, a in ipairs(actions) do
    table.insert(result.code_actions, a.title)
    if not quick_fix and a.edit and a.title:find(expect, 1, true) and not a.title:find('Disable', 1, true) then
      quick_fix = a
    end
  end
  if not quick_fix then error('no quick fix among ' .. vim.inspect(result.code_actions)) end
  result.timing.code_action = ms()

  -- Apply the quick fix as the editor would; the diagnostic must go away.
  local before = #find(bufnr, expect)
  vim.lsp.util.apply_workspace_edit(quick_fix.edit, client.offset_encoding)
  local text = table.concat(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false), '\n')
  if not text:find(fix_text, 1, true) then error('the fix did not insert ' .. fix_text) end
  if not vim.wait(timeout, function() return #find(bufnr, expect) < before end, 20) then
    error(expect .. ' still reported after the fix: ' .. vim.inspect(vim.diagnostic.get(bufnr)))
  end
  result.timing.fixed = ms()
  vim.lsp.stop_client(client_id)
  vim.wait(3000, function() return vim.lsp.get_client_by_id(client_id) == nil end, 20)
  result.ok = true
  return result
end

local ok, res = xpcall(run, debug.traceback)
if ok then finish(true, res) else finish(false, { ok = false, error = res }) end
