package org.hpsocket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Issue #14: one rule for use after {@code close()}, checked on every public instance method
 * of every component class by reflection, so that a method added later is held to it too.
 * Queries ({@code get…}, {@code is…}, {@code has…}) answer; {@code stop}, {@code await},
 * {@code close} return at once; every other method throws
 * {@code IllegalStateException("<Class> is closed")}.
 */
class ClosedRuleTest {
    /** Every concrete component class, each made never started (a closed, started one is below). */
    private static final List<Supplier<Component>> COMPONENTS = List.of(
            () -> new TcpServer(new ServerListener<TcpServer>() {}),
            () -> new TcpPullServer(new ServerListener<TcpPullServer>() {}),
            () -> new TcpPackServer(new ServerListener<TcpPackServer>() {}),
            () -> new SslServer(new ServerListener<SslServer>() {}),
            () -> new SslPullServer(new ServerListener<SslPullServer>() {}),
            () -> new SslPackServer(new ServerListener<SslPackServer>() {}),
            () -> new TcpAgent(new AgentListener<TcpAgent>() {}),
            () -> new TcpPullAgent(new AgentListener<TcpPullAgent>() {}),
            () -> new TcpPackAgent(new AgentListener<TcpPackAgent>() {}),
            () -> new SslAgent(new AgentListener<SslAgent>() {}),
            () -> new SslPullAgent(new AgentListener<SslPullAgent>() {}),
            () -> new SslPackAgent(new AgentListener<SslPackAgent>() {}),
            () -> new TcpClient(new ClientListener<TcpClient>() {}),
            () -> new TcpPullClient(new ClientListener<TcpPullClient>() {}),
            () -> new TcpPackClient(new ClientListener<TcpPackClient>() {}),
            () -> new SslClient(new ClientListener<SslClient>() {}),
            () -> new SslPullClient(new ClientListener<SslPullClient>() {}),
            () -> new SslPackClient(new ClientListener<SslPackClient>() {}),
            () -> new UdpServer(new ServerListener<UdpServer>() {}),
            () -> new UdpClient(new ClientListener<UdpClient>() {}),
            () -> new UdpArqServer(new ServerListener<UdpArqServer>() {}),
            () -> new UdpArqClient(new ClientListener<UdpArqClient>() {}),
            () -> new UdpArqAgent(new AgentListener<UdpArqAgent>() {}),
            () -> new HttpServer(new HttpServerListener<HttpServer>() {}),
            () -> new HttpsServer(new HttpServerListener<HttpsServer>() {}),
            () -> new HttpAgent(new HttpAgentListener<HttpAgent>() {}),
            () -> new HttpsAgent(new HttpAgentListener<HttpsAgent>() {}),
            () -> new HttpClient(new HttpClientListener<HttpClient>() {}),
            () -> new HttpsClient(new HttpClientListener<HttpsClient>() {}),
            HttpSyncClient::new,
            HttpsSyncClient::new);

    /** A method that only asks, and so answers after close. */
    static boolean isQuery(Method m) {
        String n = m.getName();
        return n.startsWith("get") || n.startsWith("is") || n.startsWith("has");
    }

    /** The life-cycle calls that a closed (so stopped) component has nothing left to do for. */
    static boolean isNoOp(Method m) {
        return m.getName().equals("stop") || m.getName().equals("stopAsync") || m.getName().equals("await")
                || m.getName().equals("close");
    }

    /** A harmless argument of each parameter type (valid where the method checks it first). */
    static Object dummy(Class<?> t) {
        if (t == long.class) {
            return 1L;
        } else if (t == int.class) {
            return 0;
        } else if (t == boolean.class) {
            return false;
        } else if (t == String.class) {
            return "127.0.0.1";
        } else if (t == byte[].class) {
            return new byte[] {1};
        } else if (t == ByteBuffer.class) {
            return ByteBuffer.wrap(new byte[] {1});
        } else if (t == ByteBuffer[].class) {
            return new ByteBuffer[] {ByteBuffer.wrap(new byte[] {1})};
        } else if (t == Path.class) {
            return Path.of("/nonexistent");
        } else if (t == Map.class) {
            return Map.of();
        } else if (t == Duration.class) {
            return Duration.ofSeconds(1);
        } else if (t == TimeUnit.class) {
            return TimeUnit.SECONDS;
        } else if (t == SslConfig.class) {
            return SslConfig.builder().build();
        } else if (t == Object.class) {
            return "attachment";
        } else if (t.isEnum()) {
            return t.getEnumConstants()[0];
        } else if (t.isInterface()) {
            // A callback (the SNI one): never called on a closed component.
            return Proxy.newProxyInstance(t.getClassLoader(), new Class<?>[] {t}, (p, m, a) -> {
                throw new AssertionError("called " + m);
            });
        }
        throw new AssertionError("no dummy for " + t);
    }

    /** Calls {@code m} on {@code c}; returns what it threw, or null. */
    static Throwable call(Component c, Method m) {
        Object[] args = Arrays.stream(m.getParameterTypes()).map(ClosedRuleTest::dummy).toArray();
        try {
            m.invoke(c, args);
            return null;
        } catch (InvocationTargetException e) {
            return e.getCause();
        } catch (IllegalAccessException e) {
            throw new AssertionError(e);
        }
    }

    static List<Method> publicInstanceMethods(Class<?> cls) {
        List<Method> out = new ArrayList<>();
        for (Method m : cls.getMethods()) {
            if (m.getDeclaringClass() == Object.class || Modifier.isStatic(m.getModifiers())
                    || m.isBridge() || m.isSynthetic()) {
                continue;
            }
            out.add(m);
        }
        out.sort(Comparator.comparing(Method::toString));
        return out;
    }

    /** Checks every public method of a closed component; returns the number of calls made. */
    static int checkClosed(Component c, List<String> wrong) {
        String cls = c.getClass().getSimpleName();
        int calls = 0;
        for (Method m : publicInstanceMethods(c.getClass())) {
            Throwable t = call(c, m);
            calls++;
            String what = cls + "." + m.getName() + Arrays.toString(m.getParameterTypes());
            if (isNoOp(m)) {
                if (t != null) {
                    wrong.add(what + " threw " + t);
                }
            } else if (isQuery(m)) {
                if (t != null && !(t instanceof HPSocketException)) {
                    wrong.add(what + " (a query) threw " + t);
                }
            } else if (!(t instanceof IllegalStateException) || !(cls + " is closed").equals(t.getMessage())) {
                wrong.add(what + " threw " + t + ", not IllegalStateException(\"" + cls + " is closed\")");
            }
        }
        return calls;
    }

    @Test
    void everyPublicMethodOfEveryClosedComponentFollowsTheRule() {
        List<String> wrong = new ArrayList<>();
        int calls = 0;
        TreeSet<String> classes = new TreeSet<>();
        for (Supplier<Component> make : COMPONENTS) {
            Component c = make.get();
            c.close();
            assertTrue(c.isClosed());
            classes.add(c.getClass().getSimpleName());
            calls += checkClosed(c, wrong);
        }
        assertEquals(COMPONENTS.size(), classes.size());
        assertTrue(calls > 30 * COMPONENTS.size(), "calls made: " + calls);
        assertEquals(List.of(), wrong, wrong.size() + " of " + calls + " calls break the rule");
    }

    /** The same on a server, agent and client closed while running and connected. */
    @Test
    void componentsClosedWhileConnectedFollowTheRule() throws Exception {
        CountDownLatch connected = new CountDownLatch(2);
        TcpServer server = TestSupport.echoServer(new TcpServer(TestSupport.echo()));
        TcpAgent agent = new TcpAgent(new AgentListener<TcpAgent>() {
            @Override
            public HandleResult onConnect(TcpAgent a, long connId) {
                connected.countDown();
                return HandleResult.OK;
            }
        });
        TcpClient client = new TcpClient(new ClientListener<TcpClient>() {
            @Override
            public HandleResult onConnect(TcpClient c, long connId) {
                connected.countDown();
                return HandleResult.OK;
            }
        });
        agent.start(null, true);
        long agentConn = agent.connect(TestSupport.HOST, TestSupport.port(server));
        client.start(TestSupport.HOST, TestSupport.port(server), true);
        TestSupport.await(connected, "agent and client connected");
        agent.close();
        client.close();
        server.close();
        List<String> wrong = new ArrayList<>();
        int calls = checkClosed(server, wrong) + checkClosed(agent, wrong) + checkClosed(client, wrong);
        assertEquals(List.of(), wrong, wrong.size() + " of " + calls + " calls break the rule");
        // Queries answer as for a stopped component.
        assertEquals(ServiceState.STOPPED, server.getState());
        assertEquals(0, agent.getConnectionCount());
        assertFalse(agent.isConnected(agentConn));
        assertFalse(client.hasStarted());
        assertTrue(client.await(0, TimeUnit.SECONDS));
    }

    /**
     * The callbacks that close() still delivers are part of the close: there the component
     * may still be used (setAttachment in onClose, getRemoteAddress), as on a stopping one.
     */
    @Test
    void callbacksDeliveredByTheCloseAreNotRefused() throws Exception {
        CountDownLatch accepted = new CountDownLatch(1);
        AtomicReference<Throwable> inClose = new AtomicReference<>();
        AtomicReference<Object> attachmentSeen = new AtomicReference<>();
        TcpServer server = new TcpServer(new ServerListener<TcpServer>() {
            @Override
            public HandleResult onAccept(TcpServer s, long connId, int fd) {
                s.setAttachment(connId, "conn " + connId);
                accepted.countDown();
                return HandleResult.OK;
            }

            @Override
            public HandleResult onClose(TcpServer s, long connId, SocketOperation op, int err) {
                try {
                    assertTrue(s.isClosed());
                    attachmentSeen.set(s.getAttachment(connId));
                    s.setAttachment(connId, null);
                    s.getRemoteAddress(connId);
                } catch (Throwable t) {
                    inClose.set(t);
                }
                return HandleResult.OK;
            }
        });
        server.start(TestSupport.HOST, 0);
        try (TcpClient client = new TcpClient(new ClientListener<TcpClient>() {})) {
            client.start(TestSupport.HOST, TestSupport.port(server), false);
            TestSupport.await(accepted, "accept");
            server.close(); // delivers onClose for the connection before it returns
            assertEquals(null, inClose.get());
            assertTrue(String.valueOf(attachmentSeen.get()).startsWith("conn "), String.valueOf(attachmentSeen.get()));
        }
    }
}
