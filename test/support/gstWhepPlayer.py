#!/usr/bin/python3
"""A WHEP player made of GStreamer's webrtcbin (Debian's gstreamer1.0-plugins-bad with libnice).

Usage: gstWhepPlayer.py <whep-url> <bearer-token> <seconds>

Offers to receive H.264, waits until ICE gathering is complete (the offer then carries every
candidate, so no trickle is needed), POSTs it, applies the answer, decodes what arrives for
<seconds> and counts the decoded frames at a fakesink. Ends its session with DELETE and prints
one JSON line: {"status", "location", "frames", "firstFrameMs", "deleteStatus", "error"}.
libnice ignores loopback: run it in a network namespace that reaches the gateway over a veth.
"""
import json
import ssl
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import gi

gi.require_version('Gst', '1.0')
gi.require_version('GstWebRTC', '1.0')
gi.require_version('GstSdp', '1.0')
from gi.repository import GLib, Gst, GstSdp, GstWebRTC  # noqa: E402

URL, TOKEN, SECONDS = sys.argv[1], sys.argv[2], float(sys.argv[3])
# The test gateway's certificate is self-signed.
TLS = ssl.create_default_context()
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE

Gst.init(None)
loop = GLib.MainLoop()
pipe = Gst.Pipeline.new('whep')
webrtc = Gst.ElementFactory.make('webrtcbin', 'webrtc')
webrtc.set_property('bundle-policy', GstWebRTC.WebRTCBundlePolicy.MAX_BUNDLE)
pipe.add(webrtc)
caps = Gst.Caps.from_string('application/x-rtp,media=video,encoding-name=H264,payload=102,clock-rate=90000,'
                            'packetization-mode=(string)1,profile-level-id=(string)42e01f')
webrtc.emit('add-transceiver', GstWebRTC.WebRTCRTPTransceiverDirection.RECVONLY, caps)

result = {'status': None, 'location': None, 'frames': 0, 'firstFrameMs': None, 'deleteStatus': None, 'error': None}
started = time.monotonic()
posted = threading.Event()


def finish(error=None):
    if error and not result['error']:
        result['error'] = error
    loop.quit()
    return False


def request(method, url, body=None):
    headers = {'Authorization': f'Bearer {TOKEN}'}
    if body is not None:
        headers['Content-Type'] = 'application/sdp'
    req = urllib.request.Request(url, data=body.encode() if body is not None else None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, context=TLS, timeout=15) as reply:
            return reply.status, reply.headers, reply.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode()


def post(offer_sdp):
    try:
        status, headers, body = request('POST', URL, offer_sdp)
    except Exception as error:  # noqa: BLE001 - reported to the test
        GLib.idle_add(finish, f'POST failed: {error}')
        return
    result['status'] = status
    result['location'] = headers.get('Location')
    if status != 201:
        GLib.idle_add(finish, f'POST answered {status}: {body}')
        return
    GLib.idle_add(apply_answer, body)


def apply_answer(text):
    ok, message = GstSdp.SDPMessage.new_from_text(text)
    if ok != GstSdp.SDPResult.OK:
        return finish('the answer is not SDP')
    answer = GstWebRTC.WebRTCSessionDescription.new(GstWebRTC.WebRTCSDPType.ANSWER, message)
    webrtc.emit('set-remote-description', answer, None)
    GLib.timeout_add(int(SECONDS * 1000), finish)
    return False


def on_gathering(element, _param):
    if element.get_property('ice-gathering-state') != GstWebRTC.WebRTCICEGatheringState.COMPLETE or posted.is_set():
        return
    posted.set()
    sdp = element.get_property('local-description').sdp.as_text()
    threading.Thread(target=post, args=(sdp,), daemon=True).start()


def on_offer(promise, element, _data):
    reply = promise.get_reply()
    offer = reply.get_value('offer')
    element.emit('set-local-description', offer, None)


def on_negotiation_needed(element):
    promise = Gst.Promise.new_with_change_func(on_offer, element, None)
    element.emit('create-offer', None, promise)


def on_handoff(_sink, _buffer, _pad):
    result['frames'] += 1
    if result['firstFrameMs'] is None:
        result['firstFrameMs'] = round((time.monotonic() - started) * 1000)


def on_pad(_element, pad):
    if pad.direction != Gst.PadDirection.SRC:
        return
    decode = Gst.parse_bin_from_description(
        'rtph264depay ! h264parse ! avdec_h264 ! fakesink name=frames signal-handoffs=true sync=false', True)
    pipe.add(decode)
    decode.sync_state_with_parent()
    decode.get_by_name('frames').connect('handoff', on_handoff)
    pad.link(decode.get_static_pad('sink'))


def on_message(_bus, message):
    if message.type == Gst.MessageType.ERROR:
        error, _debug = message.parse_error()
        finish(f'pipeline error: {error.message}')


webrtc.connect('on-negotiation-needed', on_negotiation_needed)
webrtc.connect('notify::ice-gathering-state', on_gathering)
webrtc.connect('pad-added', on_pad)
bus = pipe.get_bus()
bus.add_signal_watch()
bus.connect('message', on_message)
pipe.set_state(Gst.State.PLAYING)
GLib.timeout_add(int((SECONDS + 20) * 1000), finish, 'timed out')
loop.run()
pipe.set_state(Gst.State.NULL)
if result['location']:
    parts = urllib.parse.urlsplit(URL)
    try:
        result['deleteStatus'] = request('DELETE', f'{parts.scheme}://{parts.netloc}{result["location"]}')[0]
    except Exception as error:  # noqa: BLE001
        result['error'] = result['error'] or f'DELETE failed: {error}'
print(json.dumps(result), flush=True)
