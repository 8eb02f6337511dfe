-- Wireshark dissector for the SocketKit / "Socket Programming in Python" application protocol
-- (docs/PROTOCOL.md): a 2-byte big-endian JSON header length, a JSON header with byteorder,
-- content-type, content-encoding and content-length, then content-length bytes of content.
-- Registered on TCP port 65432; for other ports use Analyze > Decode As... > SOCKETKIT.
-- Lua 5.2 (Wireshark 3.x/4.x): no // operator, no string.pack, no utf8 library.

local proto = Proto("socketkit", "SocketKit application protocol")

local f_header_length = ProtoField.uint16("socketkit.header_length", "JSON header length", base.DEC)
local f_header = ProtoField.string("socketkit.header", "JSON header")
local f_byteorder = ProtoField.string("socketkit.byteorder", "byteorder")
local f_content_type = ProtoField.string("socketkit.content_type", "content-type")
local f_content_encoding = ProtoField.string("socketkit.content_encoding", "content-encoding")
local f_content_length = ProtoField.uint32("socketkit.content_length", "content-length", base.DEC)
local f_keep_alive = ProtoField.bool("socketkit.keep_alive", "keep-alive")
local f_content = ProtoField.bytes("socketkit.content", "Content")
local f_content_text = ProtoField.string("socketkit.content_text", "Content (text)")
proto.fields = { f_header_length, f_header, f_byteorder, f_content_type, f_content_encoding,
                 f_content_length, f_keep_alive, f_content, f_content_text }

local e_bad_header = ProtoExpert.new("socketkit.bad_header", "JSON header is not valid for the protocol",
                                     expert.group.MALFORMED, expert.severity.ERROR)
proto.experts = { e_bad_header }

-- The value of a string key in a flat JSON object, with the escapes the protocol's headers use undone.
local function json_string(json, key)
    local value = json:match('"' .. key .. '"%s*:%s*"(.-[^\\])"') or json:match('"' .. key .. '"%s*:%s*"()"') and ""
    if value == nil then return nil end
    return (value:gsub('\\"', '"'):gsub('\\\\', '\\'))
end

local function json_number(json, key)
    local digits = json:match('"' .. key .. '"%s*:%s*(%d+)')
    if digits == nil then return nil end
    return tonumber(digits)
end

-- Length of the whole message at offset, or 0 when more bytes are needed to know it.
local function message_length(tvb, pinfo, offset)
    local available = tvb:len() - offset
    if available < 2 then return 0 end
    local header_length = tvb(offset, 2):uint()
    if available < 2 + header_length then return 0 end
    local json = tvb(offset + 2, header_length):string()
    local content_length = json_number(json, "content%-length") or 0
    return 2 + header_length + content_length
end

local function dissect_message(tvb, pinfo, tree)
    local header_length = tvb(0, 2):uint()
    local json = tvb(2, header_length):string(ENC_UTF_8)
    local content_type = json_string(json, "content%-type")
    local content_encoding = json_string(json, "content%-encoding")
    local content_length = json_number(json, "content%-length")
    local byteorder = json_string(json, "byteorder")

    pinfo.cols.protocol = "SOCKETKIT"
    local direction = (pinfo.dst_port == pinfo.match_uint) and "Request" or "Response"
    local subtree = tree:add(proto, tvb(), "SocketKit " .. direction)
    subtree:add(f_header_length, tvb(0, 2))
    local header_tree = subtree:add(f_header, tvb(2, header_length), json)
    if byteorder then header_tree:add(f_byteorder, tvb(2, header_length), byteorder) end
    if content_type then header_tree:add(f_content_type, tvb(2, header_length), content_type) end
    if content_encoding then header_tree:add(f_content_encoding, tvb(2, header_length), content_encoding) end
    if content_length then header_tree:add(f_content_length, tvb(2, header_length), content_length) end
    local keep_alive = json:match('"keep%-alive"%s*:%s*(%a+)')
    if keep_alive then header_tree:add(f_keep_alive, tvb(2, header_length), keep_alive == "true") end
    if content_type == nil or content_encoding == nil or content_length == nil then
        header_tree:add_proto_expert_info(e_bad_header, "a header needs content-type, content-encoding and content-length")
    end

    local content_length_seen = tvb:len() - 2 - header_length
    if content_length_seen > 0 then
        local content = tvb(2 + header_length, content_length_seen)
        subtree:add(f_content, content)
        if content_type == "text/json" then
            subtree:add(f_content_text, content, content:string(ENC_UTF_8))
        end
    end
    pinfo.cols.info:append(string.format(" %s %s (%d bytes)", direction, content_type or "?", content_length or 0))
    return tvb:len()
end

function proto.dissector(tvb, pinfo, tree)
    pinfo.cols.info:set("")
    dissect_tcp_pdus(tvb, tree, 2, message_length, dissect_message)
    return tvb:len()
end

DissectorTable.get("tcp.port"):add(65432, proto)
