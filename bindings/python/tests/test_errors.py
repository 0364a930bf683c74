"""Errors: HPSocketError with HP-Socket's code and text, or TypeError; never a crash."""

from __future__ import annotations

import errno
import socket

import pytest

import hpsocket
from conftest import HOST, wait_until

SocketError = hpsocket.SocketError


def test_error_type_and_attributes():
    server = hpsocket.TcpServer()
    server.start(HOST, 0)
    with pytest.raises(hpsocket.HPSocketError) as e:
        server.start(HOST, 0)  # already started
    server.stop()
    err = e.value
    assert isinstance(err, Exception)
    assert err.code is SocketError.ILLEGAL_STATE
    assert err.text == "Illegal State"
    assert err.errno == errno.EPERM
    assert err.context in str(err) and "(Illegal State)" in str(err)
    assert hpsocket.HPSocketError.__module__ == "hpsocket"


@pytest.mark.parametrize("address", ["999.1.1.1", "not an address", "1.2.3.4.5"])
def test_bad_address(address):
    server = hpsocket.TcpServer()
    with pytest.raises(hpsocket.HPSocketError) as e:
        server.start(address, 0)
    assert e.value.code in (SocketError.SOCKET_CREATE, SocketError.SOCKET_BIND)
    assert server.state == hpsocket.ServiceState.STOPPED
    # a failed start leaves the server usable
    server.start(HOST, 0)
    server.stop()


def test_client_bad_address_and_refused():
    client = hpsocket.TcpClient()
    with pytest.raises(hpsocket.HPSocketError):
        client.start("no-such-host.invalid", 80, async_connect=False)
    with socket.socket() as s:
        s.bind((HOST, 0))
        port = s.getsockname()[1]
    with pytest.raises(hpsocket.HPSocketError) as e:
        client.start(HOST, port, async_connect=False)
    assert e.value.code == SocketError.CONNECT_SERVER
    assert e.value.errno == errno.ECONNREFUSED
    assert client.state == hpsocket.ServiceState.STOPPED


def test_port_in_use(echo_server):
    _, port, _ = echo_server
    other = hpsocket.TcpServer()
    with pytest.raises(hpsocket.HPSocketError) as e:
        other.start(HOST, port)
    assert e.value.code == SocketError.SOCKET_BIND
    assert e.value.errno == errno.EADDRINUSE


def test_stale_connection_id(echo_server):
    server, port, _ = echo_server
    with socket.create_connection((HOST, port)):
        assert wait_until(lambda: server.connection_count == 1)
        (cid,) = server.all_connection_ids()
    assert wait_until(lambda: server.connection_count == 0)
    for call in (
        lambda: server.send(cid, b"x"),
        lambda: server.disconnect(cid),
        lambda: server.pause_receive(cid),
        lambda: server.remote_address(cid),
        lambda: server.get_connection_extra(cid),
        lambda: server.set_connection_extra(cid, 1),
        lambda: server.connect_period(cid),
        lambda: server.send(-1, b"x"),
        lambda: server.send(2**80, b"x"),
    ):
        with pytest.raises(hpsocket.HPSocketError) as e:
            call()
        assert e.value.code == SocketError.INVALID_PARAM
    assert server.is_connected(cid) is False


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.start(HOST, "80"),
        lambda s: s.start(5, 0),
        lambda s: s.send("1", b"x"),
        lambda s: s.send(1.0, b"x"),
        lambda s: s.send(1, "text"),
        lambda s: s.send(1, 5),
        lambda s: s.send(1, None),
        lambda s: s.send_packets(1, [b"a", "b"]),
        lambda s: s.send_packets(1, 7),
        lambda s: s.disconnect(None),
        lambda s: s.wait("1"),
        lambda s: setattr(s, "worker_thread_count", "4"),
        lambda s: setattr(s, "no_delay", 1),
        lambda s: hpsocket.TcpServer(no_such_setting=1),
        lambda s: hpsocket.TcpServer(worker_thread_count=2.5),
        lambda s: hpsocket.TcpServer(object(), 1),
    ],
)
def test_wrong_types_raise_type_error(call):
    server = hpsocket.TcpServer()
    with pytest.raises(TypeError):
        call(server)


def test_out_of_range_values():
    server = hpsocket.TcpServer()
    for call in (
        lambda: server.start(HOST, 70000),
        lambda: server.start(HOST, -1),
        lambda: setattr(server, "worker_thread_count", -1),
        lambda: setattr(server, "worker_thread_count", 2**40),
        lambda: setattr(server, "reuse_address_policy", 9),
        lambda: server.disconnect_long_connections(-5),
    ):
        with pytest.raises(hpsocket.HPSocketError) as e:
            call()
        assert e.value.code == SocketError.INVALID_PARAM
    with pytest.raises(ValueError):
        server.wait(-1)


def test_settings_defaults_validation_and_state():
    server = hpsocket.TcpServer()
    assert server.max_connection_count == 10000
    assert server.socket_buffer_size == 4096
    assert server.keep_alive_time == 60000
    assert server.keep_alive_interval == 20000
    assert server.free_socket_obj_pool == 600
    assert server.accept_socket_count == 64
    assert server.mark_silence is True and server.no_delay is False
    assert server.reuse_address_policy is hpsocket.ReuseAddressPolicy.ADDR_ONLY
    assert server.send_policy is hpsocket.SendPolicy.PACK
    assert 1 <= server.worker_thread_count <= 512
    client = hpsocket.TcpClient(sync_connect_timeout=3000, no_delay=True)
    assert (client.free_buffer_pool_size, client.sync_connect_timeout, client.no_delay) == (
        60,
        3000,
        True,
    )
    agent = hpsocket.TcpAgent(reuse_address_policy=hpsocket.ReuseAddressPolicy.NONE)
    assert agent.reuse_address_policy is hpsocket.ReuseAddressPolicy.NONE
    assert agent.sync_connect_timeout == 10000
    assert server.half_close_drain_timeout == 30000
    assert hpsocket.TcpClient(half_close_drain_timeout=250).half_close_drain_timeout == 250
    drainless = hpsocket.TcpAgent(half_close_drain_timeout=0)
    with pytest.raises(hpsocket.HPSocketError) as e:
        drainless.start()
    assert "HalfCloseDrainTimeout" in str(e.value)
    # validated by start, naming the setting
    bad = hpsocket.TcpServer(worker_thread_count=0)
    with pytest.raises(hpsocket.HPSocketError) as e:
        bad.start(HOST, 0)
    assert e.value.code == SocketError.INVALID_PARAM and "WorkerThreadCount" in str(e.value)
    # settings change only while stopped
    server.start(HOST, 0)
    with pytest.raises(hpsocket.HPSocketError) as e:
        server.max_connection_count = 5
    assert e.value.code == SocketError.ILLEGAL_STATE
    with pytest.raises(hpsocket.HPSocketError) as e:
        server.start(HOST, 0)
    assert e.value.code == SocketError.ILLEGAL_STATE
    server.stop()
    server.max_connection_count = 5
    assert server.max_connection_count == 5


def test_stop_and_wait_from_own_callback_fail(unraisable):
    seen = []

    class Selfish(hpsocket.TcpServerListener):
        def on_receive(self, sender, conn_id, data):
            for call in (sender.stop, sender.wait):
                try:
                    call()
                except hpsocket.HPSocketError as e:
                    seen.append(e.code)
            sender.send(conn_id, data)

    with hpsocket.TcpServer(Selfish()) as server:
        server.start(HOST, 0)
        with socket.create_connection(server.listen_address(), timeout=5) as s:
            s.sendall(b"x")
            assert s.recv(1) == b"x"
    assert seen == [SocketError.ILLEGAL_STATE, SocketError.ILLEGAL_STATE]
    assert unraisable.items == []


def test_listener_attribute_not_callable():
    class Broken:
        on_receive = 5

    with pytest.raises(TypeError):
        hpsocket.TcpServer(Broken())


def test_client_not_connected_errors():
    client = hpsocket.TcpPullClient()
    with pytest.raises(hpsocket.HPSocketError) as e:
        client.send(b"x")
    assert e.value.code == SocketError.ILLEGAL_STATE
    assert client.fetch(1) == (hpsocket.FetchResult.DATA_NOT_FOUND, b"")
    assert client.connection_id == 0 and client.is_connected is False


def test_stop_of_a_stopped_component_does_nothing(echo_server):
    # Never started, or stopped twice: no error, as close() in asyncio and socket.
    for cls in (hpsocket.TcpServer, hpsocket.TcpAgent, hpsocket.TcpClient, hpsocket.TcpPackClient):
        component = cls()
        component.stop()
        component.stop()
        assert component.state == hpsocket.ServiceState.STOPPED
    server, port, _ = echo_server
    # A client stops by itself when the peer hangs up; cleanup code may still call stop().
    closed = []

    class Hung(hpsocket.TcpClientListener):
        def on_close(self, sender, conn_id, operation, error_code):
            closed.append(error_code)

    client = hpsocket.TcpClient(Hung())
    client.start(HOST, port, async_connect=False)
    assert wait_until(lambda: server.connection_count == 1)
    server.disconnect(server.all_connection_ids()[0])
    assert wait_until(lambda: closed) and client.wait(5)
    client.stop()
    with client:  # __exit__ as well
        pass


def test_stop_from_own_callback_still_fails(unraisable):
    seen = []
    done = socket.socket()

    class StopSelf(hpsocket.TcpServerListener):
        def on_accept(self, sender, conn_id, fd):
            try:
                sender.stop()
            except hpsocket.HPSocketError as e:
                seen.append(e.code)

    server = hpsocket.TcpServer(StopSelf())
    server.start(HOST, 0)
    try:
        done.connect(server.listen_address())
        assert wait_until(lambda: seen)
        assert seen == [SocketError.ILLEGAL_STATE]
        assert server.state == hpsocket.ServiceState.STARTED
    finally:
        done.close()
        server.stop()


def test_connection_id_out_of_range_is_named(echo_server):
    server, _, _ = echo_server
    for bad in (-5, 2**80):
        with pytest.raises(hpsocket.HPSocketError) as e:
            server.send(bad, b"x")
        assert e.value.code == SocketError.INVALID_PARAM
        assert "connection id %d " % bad in str(e.value)
        assert "connection id 0" not in str(e.value)


def test_listener_type_is_checked():
    for bad in (42, "on_receive", object()):
        with pytest.raises(TypeError, match="listener must be a TcpServerListener"):
            hpsocket.TcpServer(listener=bad)
    # Another role's listener works by method names (on_receive, on_close, ...), but says so.
    with pytest.warns(UserWarning, match="a TcpServer got a TcpClientListener"):
        hpsocket.TcpServer(hpsocket.TcpClientListener())
    with pytest.warns(UserWarning, match="a SslClient got a TcpAgentListener"):
        hpsocket.SslClient(hpsocket.TcpAgentListener())
    # The right base classes, duck typing and None are fine, and silent.
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hpsocket.TcpServer(hpsocket.TcpServerListener())
        hpsocket.TcpPullAgent(hpsocket.TcpPullAgentListener())
        hpsocket.TcpClient(hpsocket.TcpClientListener())
        hpsocket.TcpServer(None)


def test_misspelt_listener_methods_warn():
    class Typo(hpsocket.TcpServerListener):
        def on_recieve(self, sender, conn_id, data):
            pass

    with pytest.warns(UserWarning, match=r"Typo\.on_recieve matches no event of a TcpServer"):
        hpsocket.TcpServer(Typo())

    class Duck:
        def on_receive(self, sender, conn_id, data):
            pass

        def on_conect(self, sender, conn_id):
            pass

    with pytest.warns(UserWarning, match=r"Duck\.on_conect matches no event of a TcpAgent"):
        hpsocket.TcpAgent(Duck())
    # on_accept is a server event, not a client one.

    class ServerOnly:
        def on_accept(self, sender, conn_id, fd):
            pass

    with pytest.warns(UserWarning, match=r"on_accept matches no event of a TcpClient"):
        hpsocket.TcpClient(ServerOnly())


def _component_classes():
    for name in hpsocket.__all__:
        cls = getattr(hpsocket, name)
        if isinstance(cls, type) and hasattr(cls, "start") and hasattr(cls, "stop"):
            yield cls


def test_every_connection_id_argument_names_a_bad_value():
    """Every method taking a ``conn_id`` (servers, agents, PULL, HTTP, SSL, UDP, ARQ):
    a negative or too large ID is INVALID_PARAM naming the value, never "connection 0"."""
    import inspect

    checked = 0
    for cls in _component_classes():
        component = cls()
        for attr in dir(cls):
            try:
                params = list(inspect.signature(getattr(cls, attr)).parameters.values())
            except (TypeError, ValueError):
                continue
            if len(params) < 2 or params[1].name != "conn_id":
                continue
            required = [p for p in params[2:] if p.default is inspect.Parameter.empty
                        and p.kind is not inspect.Parameter.VAR_KEYWORD]
            for bad in (-1, 2**64):
                with pytest.raises(hpsocket.HPSocketError) as e:
                    getattr(component, attr)(bad, *[b"x"] * len(required))
                assert e.value.code == SocketError.INVALID_PARAM, (cls, attr)
                assert "connection id %d " % bad in str(e.value), (cls, attr, str(e.value))
                assert e.value.errno == errno.EINVAL
            checked += 1
    assert checked > 100  # the sweep found the methods


def test_misspelt_method_gets_the_close_event_name():
    class Typo(hpsocket.TcpServerListener):
        def on_recieve(self, sender, conn_id, data):
            pass

        def on_clsoe(self, sender, conn_id, operation, error_code):
            pass

    with pytest.warns(UserWarning) as record:
        hpsocket.TcpServer(Typo())
    messages = sorted(str(w.message) for w in record)
    assert len(messages) == 2, messages
    assert "Typo.on_clsoe matches no event of a TcpServer and is never called: did you mean on_close?" in messages[0]
    assert "Typo.on_recieve matches no event of a TcpServer and is never called: did you mean on_receive?" in messages[1]
    # stacklevel: the warning points at the line that made the component.
    assert all(w.filename == __file__ for w in record)

    class Far:
        def on_receive(self, sender, conn_id, data):
            pass

        def on_zzz(self):
            pass

    with pytest.warns(UserWarning, match="on_zzz matches no event of a TcpClient and is never called: no event has a close name"):
        hpsocket.TcpClient(Far())

    class ServerOnly:
        def on_accept(self, sender, conn_id, fd):
            pass

        def on_request_line(self, sender, conn_id, method, url):
            pass

    with pytest.warns(UserWarning) as record:
        hpsocket.TcpAgent(ServerOnly())
    messages = sorted(str(w.message) for w in record)
    assert "on_accept is an event of servers only" in messages[0], messages
    assert "on_request_line is an event of servers (HTTP components) only" in messages[1], messages
    # An HTTP agent has on_status_line, not on_request_line.
    with pytest.warns(UserWarning) as record:
        hpsocket.HttpAgent(ServerOnly())
    assert len(record) == 2
    assert any("on_request_line is an event of servers" in str(w.message) for w in record)


def test_errno_names_itself_and_stays_an_int():
    E = hpsocket.Errno
    reset = E(errno.ECONNRESET)
    assert isinstance(reset, int)
    assert reset == errno.ECONNRESET and reset == 104 and hash(reset) == hash(104)
    assert reset.name == "ECONNRESET"
    assert reset.strerror == "Connection reset by peer"
    assert str(reset) == "ECONNRESET (Connection reset by peer)"
    assert "%s" % reset == f"{reset}" == str(reset)
    assert "%d" % reset == f"{reset:d}" == "104"
    assert repr(reset) == "<Errno 104 ECONNRESET: Connection reset by peer>"
    assert type(reset + 1) is int and {104: "x"}[reset] == "x"
    import json
    import pickle

    assert json.dumps(reset) == "104"
    again = pickle.loads(pickle.dumps(reset))
    assert again == reset and type(again) is E
    assert str(E(0)) == "0 (no error)" and E(0).name is None and not E(0)
    assert E(99999).name is None and str(E(99999)).startswith("99999 (")
    assert E(2**40).strerror.startswith("Unknown error")


def test_close_reasons_carry_errno_names():
    closes = []

    class Watch(hpsocket.TcpServerListener):
        def on_close(self, sender, conn_id, operation, error_code):
            closes.append((operation, error_code))

    with hpsocket.TcpServer(Watch()) as server:
        server.start(HOST, 0)
        with socket.create_connection(server.listen_address()) as s:
            assert wait_until(lambda: server.connection_count == 1)
        assert wait_until(lambda: len(closes) == 1)
        s = socket.create_connection(server.listen_address())
        assert wait_until(lambda: server.connection_count == 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\0\0\0\0\0\0\0")
        s.close()  # a reset
        assert wait_until(lambda: len(closes) == 2)
    (op, code), (op2, code2) = closes
    assert isinstance(op, hpsocket.SocketOperation) and op is hpsocket.SocketOperation.CLOSE
    assert type(code) is hpsocket.Errno and code == 0 and str(code) == "0 (no error)"
    assert type(code2) is hpsocket.Errno and code2 == errno.ECONNRESET
    assert str(code2) == "ECONNRESET (Connection reset by peer)"
    assert "%s, %s" % (op2.name, code2) in ("CLOSE, ECONNRESET (Connection reset by peer)",
                                              "RECEIVE, ECONNRESET (Connection reset by peer)")
    # HPSocketError.errno is one too.
    with pytest.raises(hpsocket.HPSocketError) as e:
        hpsocket.TcpServer().send(1, b"x")
    assert type(e.value.errno) is hpsocket.Errno
