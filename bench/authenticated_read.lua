-- wrk: a director reading one institution (GET /api/v1/institutions/{id}): the token check's cost.
-- wrk -t2 -c32 -d30s -s bench/authenticated_read.lua http://127.0.0.1:8101 -- OUT.json  (OUT.json from bench.kiosk)
function init(args)
  local fh = assert(io.open(args[1], "r"))
  local text = fh:read("*a")
  fh:close()
  wrk.headers["Authorization"] = "Bearer " .. text:match('"director_token": "([^"]+)"')
  wrk.path = text:match('"read_path": "([^"]+)"')
end

function done(summary, latency, requests)
  io.write(string.format("p50 %.1f ms, p99 %.1f ms, timeouts %d, non-2xx/3xx %d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.timeout, summary.errors.status))
end
