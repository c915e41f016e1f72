-- wrk script: signed Shopify orders/create webhooks, each with its own X-Shopify-Webhook-Id.
-- Usage: wrk -t2 -c256 -d15s -s scripts/bench/webhook.lua http://127.0.0.1:PORT/webhooks/shopify \
--          -- <shop domain> <base64 HMAC-SHA256 of the body> <body file>
-- The body is fixed, so the signature is computed once by the caller (see ingest.sh).
-- Pacing and ids: see common.lua (BENCH_RATE, BENCH_THREADS, BENCH_RUN_TAG).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

-- wrk calls request() once in its main state, where init() never ran, to check the request.
local headers = {}

setup = common.setup
delay = common.delay
done = common.done

function init(args)
   local shop, signature, body_file = args[1], args[2], args[3]
   assert(shop and signature and body_file, "usage: -- <shop> <signature> <body file>")
   wrk.body = common.read_file(body_file)
   headers = {
      ["Content-Type"] = "application/json",
      ["X-Shopify-Topic"] = "orders/create",
      ["X-Shopify-Shop-Domain"] = shop,
      ["X-Shopify-API-Version"] = "2026-07",
      ["X-Shopify-Hmac-Sha256"] = signature,
      ["X-Shopify-Triggered-At"] = common.utc_now(),
   }
end

function request()
   headers["X-Shopify-Webhook-Id"] = common.next_id()
   return wrk.format("POST", nil, headers, wrk.body)
end
