"""The tshark oracle itself: proof that the check used by test_peers
can fail.  A well-formed KEEPALIVE passes; an UPDATE whose attribute
length overruns the message is flagged."""

import os

import pytest

from checks import assert_tshark_clean
from lib import tshark
from lib.util import run

MARKER = bytes([0xFF] * 16)


def _msg(mtype, body):
    return MARKER + (19 + len(body)).to_bytes(2, "big") + bytes([mtype]) + body


def _pcap(tmp_path, name, messages):
    """Write BGP messages as one TCP segment 10.0.0.1 -> 10.0.0.2:179."""
    data = b"".join(messages)
    txt = tmp_path / f"{name}.txt"
    lines = []
    for i in range(0, len(data), 16):
        chunk = " ".join(f"{b:02x}" for b in data[i:i + 16])
        lines.append(f"{i:06x} {chunk}")
    txt.write_text("\n".join(lines) + "\n")
    out = tmp_path / f"{name}.pcap"
    run(["text2pcap", "-q", "-T", "179,179", "-4", "10.0.0.1,10.0.0.2",
         str(txt), str(out)])
    return str(out)


@pytest.fixture(autouse=True)
def _need_tools():
    for b in (tshark.TSHARK, "/usr/bin/text2pcap"):
        if not os.access(b, os.X_OK):
            pytest.skip(f"{b} not installed")


def _open():
    # Version 4, AS 65001, hold 9, id 10.0.0.1, capability 4-octet AS.
    caps = bytes([2, 6, 65, 4]) + (65001).to_bytes(4, "big")
    return _msg(1, bytes([4]) + (65001).to_bytes(2, "big") + (9).to_bytes(2, "big")
                + bytes([10, 0, 0, 1, len(caps)]) + caps)


def _update_ok():
    attrs = bytes([0x40, 1, 1, 0,                       # ORIGIN IGP
                   0x40, 2, 6, 2, 1]) + (65001).to_bytes(4, "big") + \
        bytes([0x40, 3, 4, 10, 0, 0, 1])                # NEXT_HOP
    return _msg(2, b"\0\0" + len(attrs).to_bytes(2, "big") + attrs
                + bytes([24, 198, 51, 100]))


def test_oracle_accepts_wellformed(tmp_path):
    pcap = _pcap(tmp_path, "good", [_open(), _update_ok(), _msg(4, b"")])
    assert tshark.message_types(pcap, "10.0.0.1") == {1, 2, 4}
    assert tshark.problems(pcap, "10.0.0.1") == []
    assert_tshark_clean(pcap, "10.0.0.1")


def test_oracle_flags_malformed(tmp_path):
    # Total path attribute length 20, but only 4 bytes follow.
    bad = _msg(2, b"\0\0" + (20).to_bytes(2, "big") + bytes([0x40, 1, 1, 0]))
    pcap = _pcap(tmp_path, "bad", [_open(), bad, _msg(4, b"")])
    assert tshark.problems(pcap, "10.0.0.1") != []
    with pytest.raises(AssertionError):
        assert_tshark_clean(pcap, "10.0.0.1")


def test_oracle_not_vacuous(tmp_path):
    # Only KEEPALIVEs: the clean check must refuse to pass.
    pcap = _pcap(tmp_path, "ka", [_msg(4, b""), _msg(4, b"")])
    with pytest.raises(AssertionError):
        assert_tshark_clean(pcap, "10.0.0.1")
