-- vcp_skip.lua: mpv skips and mutes by the Kodi/MPlayer edit list (.edl) beside the film.
--
-- mpv does not read this kind of EDL itself (its own "edl://" format is a different thing), so
-- this script does. When a file starts it reads "<film without extension>.edl" from the film's
-- folder (or the file named by --script-opts=vcp_skip-edl=PATH): one "start end action" line per
-- edit, times in seconds, action 0 = skip the span, 1 = mute it (other actions are ignored).
--
-- Mutes: an audio filter (ffmpeg's volume, enabled between the edits' times) silences the sound
-- by its own timestamps, so a mute starts on time whatever the audio output buffers. (Setting
-- mpv's `mute` property when the time comes, as a player's EDL support does, acts on sound that
-- is decoded ahead: it starts late, by 0.1 s with mpv's defaults and more on some outputs.)
-- Skips: the script watches the playback time and seeks to a skip's end when one starts; mpv
-- reports the time once per video frame, so a skip due before the next frame gets a timer.
--
-- Use: mpv --script=/path/to/vcp_skip.lua movie.mp4       (`vcp export --mpv-script` prints it)
--  or: copy it into ~/.config/mpv/scripts/ to have it for every film.
-- What it does is logged ("vcp: ..."): see it with --msg-level=vcp_skip=info or in the console.

local mp = require "mp"
local msg = require "mp.msg"
local options = require "mp.options"
local utils = require "mp.utils"

local opts = { edl = "" }
options.read_options(opts, "vcp_skip")

local FILTER = "@vcp_skip"  -- the label of the audio filter this script adds
local FRAME_WAIT = 0.5      -- seconds: a skip further off waits for a later time report
local skips = {}            -- { start = s, stop = e }, sorted by start
local seeking_to = nil      -- the end of the skip being sought to: ignore times before it
local sought = false        -- a seek of ours is under way: say where playback resumes
local filtered = false      -- the mute filter is in the chain
local timer = nil

local function edl_path()
    if opts.edl ~= "" then
        return opts.edl
    end
    local path = mp.get_property("path", "")
    if path == "" or path:find("^%a[%w+.-]*://") then
        return nil  -- a stream, not a file: nothing beside it
    end
    if not path:find("^/") then
        path = utils.join_path(mp.get_property("working-directory", ""), path)
    end
    return (path:gsub("%.[^./\\]*$", "")) .. ".edl"
end

-- The file's skips and mutes, each a list of { start = s, stop = e } sorted by start.
local function read_edits(path)
    local found = { [0] = {}, [1] = {} }
    local file = io.open(path, "r")
    if file == nil then
        return found[0], found[1]
    end
    for line in file:lines() do
        local s, e, a = line:match("^%s*([%d.]+)%s+([%d.]+)%s+(%d+)%s*$")
        s, e, a = tonumber(s), tonumber(e), tonumber(a)
        if s and e and a and e > s and found[a] then
            table.insert(found[a], { start = s, stop = e })
        elseif line:match("%S") then
            msg.warn(string.format("vcp: ignored line of %s: %s", path, line))
        end
    end
    file:close()
    for _, list in pairs(found) do
        table.sort(list, function(x, y) return x.start < y.start end)
    end
    return found[0], found[1]
end

local function set_mute_filter(mutes)
    if filtered then
        mp.commandv("af", "remove", FILTER)
        filtered = false
    end
    if #mutes == 0 then
        return
    end
    local spans = {}
    for _, m in ipairs(mutes) do
        table.insert(spans, string.format("between(t,%.3f,%.3f)", m.start, m.stop))
    end
    -- Frames of 256 samples (5-12 ms): the filter is enabled or not for a whole frame.
    local graph = string.format(
        "asetnsamples=n=256:p=0,volume=volume=0:enable='%s'", table.concat(spans, "+"))
    filtered = mp.commandv("af", "add", FILTER .. ":lavfi=[" .. graph .. "]") ~= nil
    for _, m in ipairs(mutes) do
        msg.info(string.format("vcp: mute %.3f-%.3f", m.start, m.stop))
    end
end

local function skip_at(t)
    for _, skip in ipairs(skips) do
        if skip.start <= t and t < skip.stop then
            return skip
        end
    end
    return nil
end

local function skip(at, t)
    msg.info(string.format("vcp: skip %.3f-%.3f at %.3f", at.start, at.stop, t))
    seeking_to, sought = at.stop, true
    mp.commandv("seek", tostring(at.stop), "absolute+exact")
end

local function cancel_timer()
    if timer ~= nil then
        timer:kill()
        timer = nil
    end
end

-- A timer for the first skip that starts before the next time report (about a frame away).
local function arm(t)
    cancel_timer()
    local speed = mp.get_property_number("speed", 1)
    for _, next_skip in ipairs(skips) do
        if next_skip.start > t then
            if mp.get_property_bool("pause") or (next_skip.start - t) / speed > FRAME_WAIT then
                return
            end
            timer = mp.add_timeout((next_skip.start - t) / speed, function()
                timer = nil
                skip(next_skip, next_skip.start)
            end)
            return
        end
    end
end

local function on_time(_, t)
    if t == nil or #skips == 0 then
        return
    end
    if seeking_to ~= nil then
        if t < seeking_to - 0.05 then
            return  -- a frame shown before our seek landed
        end
        seeking_to = nil
    end
    local now = skip_at(t)
    if now ~= nil then
        cancel_timer()
        skip(now, t)
    else
        arm(t)
    end
end

local function on_restart()
    if sought then
        sought = false
        msg.info(string.format("vcp: playing from %.3f", mp.get_property_number("time-pos", -1)))
    end
end

local function on_pause(_, paused)
    if paused then
        cancel_timer()
    end
end

local function on_file_loaded()
    cancel_timer()
    seeking_to, sought = nil, false
    local path = edl_path()
    local mutes
    skips, mutes = {}, {}
    if path ~= nil then
        skips, mutes = read_edits(path)
    end
    if #skips + #mutes > 0 then
        msg.info(string.format("vcp: %d skip(s) and %d mute(s) from %s", #skips, #mutes, path))
    end
    set_mute_filter(mutes)
end

mp.register_event("file-loaded", on_file_loaded)
mp.register_event("playback-restart", on_restart)
mp.observe_property("time-pos", "number", on_time)
mp.observe_property("pause", "bool", on_pause)
