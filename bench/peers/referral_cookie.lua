-- The scripting peer: what an OpenResty user would write for the module's capture in a
-- header_filter_by_lua_block. It does the module's per-request work for a capturing request
-- except the click event: read ?ref= and utm_source/utm_medium/utm_campaign, validate them,
-- draw a 16-byte click id, build the token v1 payload, HMAC-SHA256 it with OpenSSL, base64url
-- and add Set-Cookie and Cache-Control. Debian ships no lua-resty-string, so HMAC and random
-- bytes come from libcrypto through the FFI (already loaded by nginx), as resty.string,
-- resty.hmac and resty.random do. Random bytes are drawn 4 KiB at a time, like the module's
-- pool, so the comparison is about the rest of the work.
local ffi = require "ffi"
local C = ffi.C

ffi.cdef [[
typedef struct evp_md_st EVP_MD;
const EVP_MD *EVP_sha256(void);
unsigned char *HMAC(const EVP_MD *evp_md, const void *key, int key_len,
                    const unsigned char *data, size_t data_len,
                    unsigned char *md, unsigned int *md_len);
int RAND_bytes(unsigned char *buf, int num);
]]

local M = {}

local KID = "k1"
local MAX_AGE = 30 * 24 * 3600
local POOL_SIZE = 4096

local key, sha256
local digest = ffi.new("unsigned char[32]")
local digest_len = ffi.new("unsigned int[1]")
local pool = ffi.new("unsigned char[?]", POOL_SIZE)
local pool_used = POOL_SIZE

local function from_hex(hex)
    return (hex:gsub("..", function(h) return string.char(tonumber(h, 16)) end))
end

-- Reads "kid:hex" from the module's key file so both sign with the same key.
function M.init(key_file)
    local f = assert(io.open(key_file))
    local line = f:read("*l")
    f:close()
    local kid, hex = line:match("^([%w_-]+):(%x+)$")
    KID, key, sha256 = kid, from_hex(hex), C.EVP_sha256()
end

local function random16()
    if pool_used == POOL_SIZE then
        assert(C.RAND_bytes(pool, POOL_SIZE) == 1)
        pool_used = 0
    end
    local s = ffi.string(pool + pool_used, 16)
    pool_used = pool_used + 16
    return s
end

local function b64url(s)
    return (ngx.encode_base64(s, true):gsub("[+/]", { ["+"] = "-", ["/"] = "_" }))
end

local function hmac(msg)
    C.HMAC(sha256, key, #key, msg, #msg, digest, digest_len)
    return ffi.string(digest, 16)
end

local function valid_utm(v)
    return v ~= nil and #v >= 1 and #v <= 64 and not v:find("[^\32-\126]")
end

local function utm(name)
    local v = ngx.var["arg_" .. name]
    if v == nil then
        return ""
    end
    v = ngx.unescape_uri(v)  -- also turns '+' into a space
    return valid_utm(v) and v or ""
end

function M.header_filter()
    if ngx.status >= 500 then
        return
    end
    local code = ngx.var.arg_ref
    if code == nil then
        return
    end
    code = ngx.unescape_uri(code)
    if #code > 64 or not code:find("^[%w_.-]+$") then
        return
    end
    local now = ngx.time()
    local payload = table.concat({ code, now, b64url(random16()), utm("utm_source"),
                                   utm("utm_medium"), utm("utm_campaign") }, "\31")
    local signed = "1." .. KID .. "." .. b64url(payload)
    local token = signed .. "." .. b64url(hmac(signed))
    ngx.header["Set-Cookie"] = "ref=" .. token .. "; Path=/; Max-Age=" .. MAX_AGE ..
        "; Expires=" .. ngx.cookie_time(now + MAX_AGE) .. "; HttpOnly; SameSite=Lax"
    ngx.header["Cache-Control"] = "private, no-store"
end

return M
