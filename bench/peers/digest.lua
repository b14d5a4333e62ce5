-- wrk script: HTTP Digest (RFC 7616, MD5, qop=auth) computed for every request, so that a
-- server that refuses a replayed nonce count (as Atlas does) can be measured under wrk.
-- args: HA1 USERNAME REALM NONCE... ; the nonces (fetched beforehand from 401 challenges) are
-- used round-robin, each with its own rising nonce count. The same script is run against
-- servers that ignore the header, so every server gets the same client work.
-- Non-2xx answers are counted by wrk as usual.
local bit = require("bit")
local band, bor, bxor, bnot, rol, tobit = bit.band, bit.bor, bit.bxor, bit.bnot, bit.rol, bit.tobit

local K, S = {}, {7, 12, 17, 22, 5, 9, 14, 20, 4, 11, 16, 23, 6, 10, 15, 21}
for i = 0, 63 do
  K[i] = tobit(math.floor(math.abs(math.sin(i + 1)) * 4294967296))
end

local function md5(msg)
  local len = #msg
  msg = msg .. "\128" .. string.rep("\0", (55 - len) % 64)
  local bits = len * 8
  for _ = 1, 8 do
    msg = msg .. string.char(bits % 256)
    bits = math.floor(bits / 256)
  end
  local a0, b0, c0, d0 = tobit(0x67452301), tobit(0xefcdab89), tobit(0x98badcfe), tobit(0x10325476)
  local M = {}
  for chunk = 1, #msg, 64 do
    for j = 0, 15 do
      local p = chunk + j * 4
      local b1, b2, b3, b4 = msg:byte(p, p + 3)
      M[j] = tobit(b1 + b2 * 256 + b3 * 65536 + b4 * 16777216)
    end
    local a, b, c, d = a0, b0, c0, d0
    for i = 0, 63 do
      local f, g
      if i < 16 then
        f, g = bor(band(b, c), band(bnot(b), d)), i
      elseif i < 32 then
        f, g = bor(band(d, b), band(bnot(d), c)), (5 * i + 1) % 16
      elseif i < 48 then
        f, g = bxor(b, c, d), (3 * i + 5) % 16
      else
        f, g = bxor(c, bor(b, bnot(d))), (7 * i) % 16
      end
      local s = S[math.floor(i / 16) * 4 + i % 4 + 1]
      f = tobit(f + a + K[i] + M[g])
      a, d, c = d, c, b
      b = tobit(b + rol(f, s))
    end
    a0, b0, c0, d0 = tobit(a0 + a), tobit(b0 + b), tobit(c0 + c), tobit(d0 + d)
  end
  local out = {}
  for _, w in ipairs({a0, b0, c0, d0}) do
    for k = 0, 3 do
      out[#out + 1] = string.format("%02x", band(bit.rshift(w, 8 * k), 0xff))
    end
  end
  return table.concat(out)
end

local ha1, user, realm, ha2, uri
local nonces, counts, n = {}, {}, 0

function init(args)
  ha1, user, realm = args[1], args[2], args[3]
  for i = 4, #args do
    nonces[#nonces + 1] = args[i]
    counts[#counts + 1] = 0
  end
  uri = wrk.path
  ha2 = md5("GET:" .. uri)
  if md5("") ~= "d41d8cd98f00b204e9800998ecf8427e" then
    error("digest.lua: MD5 self-test failed")
  end
end

function request()
  n = n + 1
  local i = (n - 1) % #nonces + 1
  counts[i] = counts[i] + 1
  local nc = string.format("%08x", counts[i])
  local cnonce = string.format("%016x", n)
  local nonce = nonces[i]
  local resp = md5(ha1 .. ":" .. nonce .. ":" .. nc .. ":" .. cnonce .. ":auth:" .. ha2)
  local h = string.format('Digest username="%s", realm="%s", nonce="%s", uri="%s", '
    .. 'algorithm=MD5, qop=auth, nc=%s, cnonce="%s", response="%s"',
    user, realm, nonce, uri, nc, cnonce, resp)
  local headers = {}
  for k, v in pairs(wrk.headers) do
    headers[k] = v
  end
  headers["Authorization"] = h
  return wrk.format("GET", uri, headers)
end
