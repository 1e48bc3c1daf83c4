-- wrk: kiosks submitting survey responses, each with a fresh client_response_id.
-- wrk -t2 -c64 -d30s -s bench/kiosk_submit.lua http://127.0.0.1:8101 -- OUT.json  (OUT.json from bench.kiosk)
local cfg = nil

local function read_config(path)
  local fh = assert(io.open(path, "r"))
  local text = fh:read("*a")
  fh:close()
  local function field(name) return text:match('"' .. name .. '": "([^"]+)"') end
  return {token = field("device_token"), path = field("submit_path")}
end

function setup(thread)
  thread:set("id", tostring(math.random(1, 2 ^ 30)))
end

function init(args)
  cfg = read_config(args[1])
  math.randomseed(os.time() + tonumber(id))
  wrk.method = "POST"
  wrk.headers["Authorization"] = "Bearer " .. cfg.token
  wrk.headers["Content-Type"] = "application/json"
end

local function uuid4()
  return (string.gsub("xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx", "[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%x", v)
  end))
end

function request()
  local answers = {}
  for k = 1, 10 do
    answers[k] = string.format('{"concept_code": "SAT_%02d", "value": %d}', k, math.random(1, 5))
  end
  local body = '{"client_response_id": "' .. uuid4() .. '", "answers": [' .. table.concat(answers, ", ") .. ']}'
  return wrk.format(nil, cfg.path, nil, body)
end

function done(summary, latency, requests)
  io.write(string.format("p50 %.1f ms, p99 %.1f ms, timeouts %d, non-2xx/3xx %d\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, summary.errors.timeout, summary.errors.status))
end
