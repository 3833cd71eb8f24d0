-- Drives a real Neovim LSP client against our language server and writes what the editor
-- received as JSON. Written for Neovim 0.7.2 (Debian 12): it has no vim.lsp.start, so the
-- client is started with vim.lsp.start_client and attached with vim.lsp.buf_attach_client.
--
-- Run: nvim --headless -u NONE -i NONE -n -c 'luafile nvim-check.lua'
-- with PYPI_PROVENANCE_NVIM_CONFIG set to a JSON file:
--   cmd          server command line, e.g. ["node", ".../server/out/server.js", "--stdio"]
--   rootDir      workspace folder
--   file         the document to open
--   languageId   languageId sent in didOpen
--   settings     the pypiProvenance settings (sent as init_options and answered on
--                workspace/configuration)
--   expectCodes  wait until diagnostics with all these codes have arrived
--   settleMs     then until the buffer's diagnostics have not changed for this long (a server
--                may publish again once settings or index answers arrive)
--   timeoutMs    upper bound for every wait
--   hover        optional { line, character } (zero-based, LSP): ask textDocument/hover there
--                after the diagnostics arrived; the answer's `result` is `hover` (null when the
--                server has nothing); a failure is logged as 'hover error: …', a server
--                without hoverProvider as 'hover unsupported: …'
--   hoverWaitFor optional text: ask the hover again (every 200 ms, within timeoutMs) until its
--                contents contain it — a server may answer with a "pending" card while it still
--                verifies in the background; a hover that never shows it is logged as
--                'hover timeout: …' (the last answer is still `hover`)
--   output       where the JSON result goes
-- The result: { ok, neovim, diagnostics = [...] (as vim.diagnostic holds them), published = [...]
-- (the last textDocument/publishDiagnostics the server sent for the file, as sent), hover,
-- logs = [...], error }.

local result = { ok = false, diagnostics = {}, published = {}, logs = {}, hover = vim.NIL, error = vim.NIL }
local config_path = os.getenv('PYPI_PROVENANCE_NVIM_CONFIG')

local output_path = nil

local function write_result()
  local text = vim.fn.json_encode(result)
  if output_path then
    vim.fn.writefile({ text }, output_path)
  else
    io.stdout:write(text .. '\n')
  end
end

local function snapshot(bufnr)
  local parts = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(parts, table.concat({ d.lnum, d.col, d.end_lnum or '', d.end_col or '', d.severity, tostring(d.code), d.message }, '\0'))
  end
  table.sort(parts)
  return table.concat(parts, '\n')
end

-- The text of a textDocument/hover result: MarkupContent, MarkedString or MarkedString[].
local function hover_text(hover)
  if type(hover) ~= 'table' or hover.contents == nil then return '' end
  local contents = hover.contents
  if type(contents) == 'string' then return contents end
  if contents.value ~= nil then return contents.value end
  local parts = {}
  for _, item in ipairs(contents) do
    table.insert(parts, type(item) == 'string' and item or (item.value or ''))
  end
  return table.concat(parts, '\n')
end

local function now_ms()
  return vim.loop.hrtime() / 1e6
end

local function has_all_codes(bufnr, codes)
  local seen = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if d.code ~= nil then seen[tostring(d.code)] = true end
  end
  for _, code in ipairs(codes) do
    if not seen[code] then return false end
  end
  return true
end

local function run()
  assert(config_path, 'PYPI_PROVENANCE_NVIM_CONFIG is not set')
  local config = vim.fn.json_decode(table.concat(vim.fn.readfile(config_path), '\n'))
  output_path = config.output
  local timeout = config.timeoutMs or 15000
  local version = vim.version()
  result.neovim = string.format('%d.%d.%d', version.major, version.minor, version.patch)

  vim.cmd('edit ' .. vim.fn.fnameescape(config.file))
  local bufnr = vim.api.nvim_get_current_buf()

  local exited = false
  local published_by_uri = {}
  local client_id = vim.lsp.start_client({
    name = 'pypi-provenance',
    cmd = config.cmd,
    root_dir = config.rootDir,
    workspace_folders = { { uri = vim.uri_from_fname(config.rootDir), name = 'workspace' } },
    init_options = { settings = { pypiProvenance = config.settings } },
    -- Neovim's own workspace/configuration handler answers from here.
    settings = { pypiProvenance = config.settings },
    get_language_id = function()
      return config.languageId or 'pip-requirements'
    end,
    handlers = {
      -- Keep the raw LSP diagnostics (0.7.2's vim.diagnostic drops their ranges), then let
      -- Neovim's own handler do what it always does.
      ['textDocument/publishDiagnostics'] = function(err, params, ctx, handler_config)
        if params and params.uri then published_by_uri[params.uri] = params.diagnostics end
        return vim.lsp.handlers['textDocument/publishDiagnostics'](err, params, ctx, handler_config)
      end,
      ['window/logMessage'] = function(_, params)
        table.insert(result.logs, params.message)
      end,
      ['window/showMessage'] = function(_, params)
        table.insert(result.logs, params.message)
      end,
    },
    on_exit = function(code, signal)
      exited = true
      table.insert(result.logs, string.format('server exited: code %s, signal %s', code, signal))
    end,
  })
  assert(client_id, 'vim.lsp.start_client returned nil')
  assert(vim.lsp.buf_attach_client(bufnr, client_id), 'vim.lsp.buf_attach_client failed')

  local codes = config.expectCodes or {}
  local arrived = vim.wait(timeout, function()
    return exited or (#vim.diagnostic.get(bufnr) > 0 and has_all_codes(bufnr, codes))
  end, 20)

  local settle = config.settleMs or 0
  if arrived and not exited and settle > 0 then
    local last, stable_since = snapshot(bufnr), now_ms()
    vim.wait(timeout, function()
      local current = snapshot(bufnr)
      if current ~= last then
        last, stable_since = current, now_ms()
      end
      return exited or now_ms() - stable_since >= settle
    end, 20)
  end

  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(result.diagnostics, {
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      severity = d.severity,
      code = d.code ~= nil and tostring(d.code) or vim.NIL,
      source = d.source or vim.NIL,
      message = d.message,
    })
  end
  result.published = published_by_uri[vim.uri_from_bufnr(bufnr)] or {}

  if arrived and not exited and config.hover and config.hover ~= vim.NIL then
    local client = vim.lsp.get_client_by_id(client_id)
    local capabilities = client and client.server_capabilities or {}
    if not capabilities.hoverProvider then
      table.insert(result.logs, 'hover unsupported: the server does not advertise hoverProvider')
    else
      local want = config.hoverWaitFor
      if want == vim.NIL then want = nil end
      local deadline = now_ms() + timeout
      while true do
        local response, err = client.request_sync('textDocument/hover', {
          textDocument = { uri = vim.uri_from_bufnr(bufnr) },
          position = { line = config.hover.line, character = config.hover.character },
        }, math.max(1, deadline - now_ms()), bufnr)
        if not response then
          table.insert(result.logs, 'hover error: ' .. tostring(err))
          break
        elseif response.err then
          table.insert(result.logs, 'hover error: ' .. vim.inspect(response.err))
          break
        end
        result.hover = response.result == nil and vim.NIL or response.result
        if want == nil or hover_text(response.result):find(want, 1, true) then break end
        if now_ms() >= deadline then
          table.insert(result.logs, 'hover timeout: the hover did not show ' .. want .. ' within ' .. timeout .. ' ms')
          break
        end
        vim.wait(200, function() return exited end, 20)
        if exited then break end
      end
    end
  end

  if not arrived then
    result.error = exited and 'the server exited before the expected diagnostics arrived'
      or ('timed out after ' .. timeout .. ' ms waiting for diagnostics with codes ' .. table.concat(codes, ', '))
  else
    result.ok = true
  end

  vim.lsp.stop_client(client_id)
  vim.wait(2000, function() return exited end, 20)
end

local ok, err = pcall(run)
if not ok then
  result.ok = false
  result.error = tostring(err)
end
local wrote, write_err = pcall(write_result)
if not wrote then io.stderr:write('could not write the result: ' .. tostring(write_err) .. '\n') end
vim.cmd(result.ok and 'qall!' or 'cquit! 1')
