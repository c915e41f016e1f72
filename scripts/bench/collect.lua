-- wrk script: storefront pixel events to POST /collect, each with its own event_id / event.id.
-- Usage: wrk -t2 -c256 -d15s -s scripts/bench/collect.lua http://127.0.0.1:PORT/collect -- <shop domain>
-- Pacing and ids: see common.lua (BENCH_RATE, BENCH_THREADS, BENCH_RUN_TAG).
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "common.lua")

-- wrk calls request() once in its main state, where init() never ran, to check the request.
local headers = {}
local template = '{"shop":"%s","event_id":"%s","event":{"id":"%s","href":"https://%s/"}}'
local shop_domain = "example.myshopify.com"

setup = common.setup
delay = common.delay
done = common.done

function init(args)
   local shop = args[1]
   assert(shop, "usage: -- <shop>")
   headers = {
      ["Content-Type"] = "text/plain",
      ["Origin"] = "https://" .. shop,
   }
   -- %s: shop, event id, event id, shop.
   template = '{"shop":"%s","event_id":"%s","click_id":"dj0yJnU9YmVuY2g",'
      .. '"cart_token":"Z2NwLXVzLWVhc3QxOjAxSkJFTkNIMDAwMDAwMDAwMDAwMDAwMDA","checkout_token":null,'
      .. '"consent":{"analytics":true,"marketing":true,"preferences":true,"sale_of_data":true},'
      .. '"event":{"id":"%s","name":"page_viewed","timestamp":"' .. os.date("!%Y-%m-%dT%H:%M:%S.000Z") .. '",'
      .. '"clientId":"b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d","context":{"document":{"location":'
      .. '{"href":"https://%s/?epik=dj0yJnU9YmVuY2g","search":"?epik=dj0yJnU9YmVuY2g"},"referrer":"","title":"Home"},'
      .. '"navigator":{"userAgent":"Mozilla/5.0 (X11; Linux x86_64) bench"}},"data":{}}}'
   shop_domain = shop
end

function request()
   local id = common.next_id()
   return wrk.format("POST", nil, headers, string.format(template, shop_domain, id, id, shop_domain))
end
