-- POST prepared JSON bodies: the file named by WRK_BODIES has one "token<TAB>path<TAB>json" per line.
-- Thread n takes every line i with i % threads == n, so no two threads ever send the same body;
-- when a thread runs out it starts over (repeats then count as conflicts, so prepare enough lines).
dofile("bench/wrk/report.lua")

function init(args)
  local nthreads = tonumber(os.getenv("WRK_THREADS") or "1")
  items = {}
  local i = 0
  for line in io.lines(os.getenv("WRK_BODIES")) do
    if i % nthreads == id then
      local token, path, body = string.match(line, "^([^\t]*)\t([^\t]+)\t(.*)$")
      if path then table.insert(items, {token = token, path = path, body = body}) end
    end
    i = i + 1
  end
  index = 0
  statuses = {}
end

function request()
  index = index % #items + 1
  local item = items[index]
  local headers = {["Content-Type"] = "application/json"}
  if #item.token > 0 then headers["Authorization"] = "Bearer " .. item.token end
  return wrk.format("POST", item.path, headers, item.body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
