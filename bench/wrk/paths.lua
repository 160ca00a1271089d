-- GET a list of paths in turn (one per line in the file named by WRK_PATHS); each thread starts elsewhere.
-- WRK_HEADERS (optional) adds headers, "; "-separated, e.g. "Accept-Encoding: gzip; HX-Request: true".
dofile("bench/wrk/report.lua")

function init(args)
  paths = {}
  for line in io.lines(os.getenv("WRK_PATHS")) do
    if #line > 0 then table.insert(paths, line) end
  end
  headers = {}
  local extra = os.getenv("WRK_HEADERS")
  if extra and #extra > 0 then
    for name, value in string.gmatch(extra, "%s*([^:;]+):%s*([^;]+)") do headers[name] = value end
  end
  index = (id * 7919) % #paths
end

function request()
  index = index % #paths + 1
  return wrk.format("GET", paths[index], headers)
end
