-- wrk script: each request creates a new service (a durable, journaled write) with a unique name per thread, on an
-- address and port of its own (services of one cluster may not claim the same port).
-- The cluster id and token come from the environment (MP_CLUSTER, MP_TOKEN).
local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  cluster = os.getenv("MP_CLUSTER")
  headers = {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. os.getenv("MP_TOKEN"),
  }
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"name":"w%d-%d","clusterId":"%s","address":"10.%d.%d.%d","port":%d,"protocol":"tcp",' ..
    '"backends":[{"address":"10.0.1.1","port":80}]}', tid, counter, cluster, tid % 256,
    math.floor(counter / 256) % 256, counter % 256, 8080 + math.floor(counter / 65536))
  return wrk.format("POST", "/api/v1/services", headers, body)
end

function response(status, headers, body)
  if status ~= 201 then
    io.stderr:write("unexpected status " .. status .. ": " .. body .. "\n")
  end
end
