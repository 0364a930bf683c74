#!/usr/bin/env python3
"""Generates the misuse matrix (C) from include/hpsocket.h, so every exported function is in it
and a function added to the header joins the matrix without anyone remembering to add it.

    gen_matrix.py include/hpsocket.h OUT.inc

For every prototype, the parameters are classified by type and name; each applicable misuse
becomes one case: a call with that one argument wrong and every other argument right, and the
documented outcome (docs/abi.md sections 2-6) to check. The cases are C statements for
tests/misuse/test_misuse_matrix.c, which provides the fixtures (live, destroyed and wrong-kind
objects, live and stale connection IDs) and the `CHECK_*` macros.

Misuses (the issue's list): NULL handle, destroyed handle, wrong-kind handle, stale connection
ID, out-of-range enum, NULL buffer with non-zero length, negative length.
A prototype the script cannot classify fails the generation (exit 1), so nothing is skipped
silently.
"""
import re
import sys

PROTO = re.compile(r"^(?!typedef|extern|#)([A-Za-z_][\w \*]*?[\s\*])(\w+)\((.*)\);\s*$")


def params(text):
    text = text.strip()
    if text in ("", "void"):
        return []
    out = []
    for p in text.split(","):
        p = p.strip()
        m = re.match(r"^(.*?)(\w+)$", p)
        out.append((m.group(1).strip(), m.group(2)))
    return out


# ---- which object a function takes -----------------------------------------------------------
ROLES = ("Server", "Agent", "Client")


def handle_kind(name):
    """(kind of the right handle, kind of a wrong one) as K_* names, or None (no handle)."""
    m = re.match(r"^Create_HP_(Tcp|TcpPull|TcpPack|SSL|SSLPull|SSLPack)(Server|Agent|Client)$", name)
    if m:
        return ("K_%s_LISTENER" % m.group(2).upper(), "K_%s_LISTENER" % other_role(m.group(2)))
    m = re.match(r"^Destroy_HP_(Tcp|TcpPull|TcpPack|SSL|SSLPull|SSLPack)(Server|Agent|Client)(Listener)?$", name)
    if m:
        fam, role, lis = m.groups()
        if lis:
            return ("K_%s_LISTENER" % role.upper(), "K_%s_LISTENER" % other_role(role))
        # A destroyer takes every component of its role (any model, TLS or not); the wrong
        # kind is another role's.
        right = kind_name(fam, role)
        wrong = kind_name(fam, other_role(role))
        return (right, wrong)
    if name == "Create_HP_UdpNode":
        return ("K_NODE_LISTENER", "K_SERVER_LISTENER")
    if name == "Create_HP_ThreadPool" or name == "Destroy_HP_ThreadPoolListener" or \
            name.startswith("HP_Set_FN_ThreadPool_"):
        return ("K_POOL_LISTENER", "K_SERVER_LISTENER")
    if name == "Destroy_HP_ThreadPool" or name.startswith("HP_ThreadPool_"):
        return ("K_THREAD_POOL", "K_SERVER")
    if name == "Destroy_HP_UdpNodeListener" or name.startswith("HP_Set_FN_UdpNode_"):
        return ("K_NODE_LISTENER", "K_SERVER_LISTENER")
    if name == "Create_HP_UdpNodeListener":
        return None
    if name == "Destroy_HP_UdpNode" or name.startswith("HP_UdpNode_"):
        return ("K_UDP_NODE", "K_SERVER")
    if name == "Create_HPX_UdpArqAgent":
        return ("K_AGENT_LISTENER", "K_SERVER_LISTENER")
    if name == "Destroy_HPX_UdpArqAgent":
        return ("K_UDP_ARQ_AGENT", "K_SERVER")
    if name.startswith("HPX_UdpArqAgent_"):
        # The wrong kind is a TCP agent: the same role, not ARQ.
        return ("K_UDP_ARQ_AGENT", "K_AGENT")
    m = re.match(r"^Create_HP_UdpArq(Server|Client)$", name)
    if m:
        return ("K_%s_LISTENER" % m.group(1).upper(), "K_%s_LISTENER" % other_role(m.group(1)))
    m = re.match(r"^Destroy_HP_UdpArq(Server|Client)(Listener)?$", name)
    if m:
        role = m.group(1)
        if m.group(2):
            return ("K_%s_LISTENER" % role.upper(), "K_%s_LISTENER" % other_role(role))
        return ("K_UDP_ARQ_%s" % role.upper(), kind_name("Tcp", other_role(role).capitalize()))
    m = re.match(r"^HP_UdpArq(Server|Client)_", name)
    if m:
        # The wrong kind is a plain UDP component of the same role.
        return ("K_UDP_ARQ_%s" % m.group(1).upper(), "K_UDP_%s" % m.group(1).upper())
    m = re.match(r"^Create_HP_Udp(Server|Client|Cast)$", name)
    if m:
        role = udp_role(m.group(1))
        return ("K_%s_LISTENER" % role.upper(), "K_%s_LISTENER" % other_role(role))
    m = re.match(r"^Destroy_HP_Udp(Server|Client|Cast)(Listener)?$", name)
    if m:
        role = udp_role(m.group(1))
        if m.group(2):
            return ("K_%s_LISTENER" % role.upper(), "K_%s_LISTENER" % other_role(role))
        return ("K_UDP_%s" % m.group(1).upper(), kind_name("Tcp", other_role(role).capitalize()))
    m = re.match(r"^HPX_UdpArq(Server|Client)_", name)
    if m:
        # ARQ extensions: the wrong kind is a plain UDP component of the same role.
        return ("K_UDP_ARQ_%s" % m.group(1).upper(), "K_UDP_%s" % m.group(1).upper())
    m = re.match(r"^HPX_Udp(Server|Client)_", name)
    if m:
        # UDP extensions: the right kind is a UDP component, the wrong one a TCP server or a
        # cast (which `HP_UdpClient_*` refuses too).
        wrong = {"Server": "K_SERVER", "Client": "K_UDP_CAST"}[m.group(1)]
        return ("K_UDP_%s" % m.group(1).upper(), wrong)
    m = re.match(r"^HP_Udp(Server|Client|Cast)_", name)
    if m:
        # The wrong kind is a component of the same role over another transport.
        wrong = {"Server": "K_SERVER", "Client": "K_UDP_CAST", "Cast": "K_UDP_CLIENT"}[m.group(1)]
        return ("K_UDP_%s" % m.group(1).upper(), wrong)
    m = re.match(r"^(?:HP|HPX)_Set_FN_(Server|Agent|Client)_", name)
    if m:
        return ("K_%s_LISTENER" % m.group(1).upper(), "K_%s_LISTENER" % other_role(m.group(1)))
    m = re.match(r"^(?:HP|HPX)_(Server|Agent|Client)_", name) or re.match(r"^HP_Tcp(Server|Agent|Client)_", name)
    if m:
        role = m.group(1)
        return (kind_name("Tcp", role), kind_name("Tcp", other_role(role).capitalize()))
    m = re.match(r"^HP_Tcp(Pull|Pack)(Server|Agent|Client)_", name)
    if m:
        return (kind_name("Tcp" + m.group(1), m.group(2)), kind_name("Tcp", m.group(2)))
    m = re.match(r"^HP_SSL(Server|Agent|Client)_", name)
    if m:
        return (kind_name("SSL", m.group(1)), kind_name("Tcp", m.group(1)))
    m = re.match(r"^Create_HP_Https?(Server|Agent|Client|SyncClient)$", name)
    if m:
        role = "Client" if m.group(1) == "SyncClient" else m.group(1)
        return ("K_%s_LISTENER" % role.upper(), "K_%s_LISTENER" % other_role(role))
    m = re.match(r"^Destroy_HP_Http(Server|Agent|Client)Listener$", name) or re.match(
        r"^HPX?_Set_FN_Http(Server|Agent|Client)_", name)
    if m:
        return ("K_%s_LISTENER" % m.group(1).upper(), "K_%s_LISTENER" % other_role(m.group(1)))
    m = re.match(r"^Destroy_HP_(Https?)(Server|Agent|Client|SyncClient)$", name)
    if m:
        right = "K_%s_%s" % (m.group(1).upper(), "SYNC_CLIENT" if m.group(2) == "SyncClient"
                             else m.group(2).upper())
        role = "Client" if m.group(2) == "SyncClient" else m.group(2)
        return (right, kind_name("Tcp", other_role(role).capitalize()))
    m = re.match(r"^HPX?_Http(Server|Agent|Client)_", name)
    if m:
        # The wrong kind is a TCP component of the same role.
        return ("K_HTTP_%s" % m.group(1).upper(), kind_name("Tcp", m.group(1)))
    if name.startswith("HP_HttpSyncClient_"):
        return ("K_HTTP_SYNC_CLIENT", "K_HTTP_CLIENT")
    # The compressors: the wrong kind is the other direction.
    if name == "Destroy_HP_Compressor" or name.startswith("HP_Compressor_"):
        return ("K_COMPRESSOR", "K_DECOMPRESSOR")
    if name == "Destroy_HP_Decompressor" or name.startswith("HP_Decompressor_"):
        return ("K_DECOMPRESSOR", "K_COMPRESSOR")
    if name.startswith("HPX_Object_"):
        return ("K_SERVER", None)  # every object fits: no wrong kind
    if name == "HP_SSL_DefaultServerNameCallback":
        return ("K_SSL_SERVER", "K_SERVER")
    return None


def udp_role(component):
    """The role of a UDP component: a cast is a client."""
    return "Server" if component == "Server" else "Client"


def other_role(role):
    return {"Server": "AGENT", "Agent": "CLIENT", "Client": "SERVER"}[role]


def kind_name(fam, role):
    prefix = {"Tcp": "", "TcpPull": "PULL_", "TcpPack": "PACK_", "SSL": "SSL_",
              "SSLPull": "SSL_PULL_", "SSLPack": "SSL_PACK_"}[fam]
    return "K_%s%s" % (prefix, role.upper())


# ---- arguments ----------------------------------------------------------------------------------
def ok_arg(fn, ty, nm, first):
    """C expression of a right value for the parameter (the handle is `H`)."""
    if first and (ty.startswith("HP_") and not ty.startswith(("HP_CONNID", "HP_LPTSocketTask", "HP_LPTIPAddr"))
                  or ty == "HPX_UdpArqAgent" or nm == "pObject"):
        return "H"
    if nm == "pContext":
        return "H"
    if ty == "HP_CONNID" and nm == "dwConnID":
        return "ID"
    if ty == "HP_CONNID *" and nm == "pdwConnID":
        return "&cid"
    if ty == "HP_CONNID *" and nm == "pIDs":
        return "ids"
    if ty == "DWORD *" and nm == "pdwCount":
        return "&count"
    if ty in ("LPCTSTR", "LPCSTR"):
        return {
            "lpszBindAddress": '"127.0.0.1"',
            "lpszRemoteAddress": '"127.0.0.1"',
            "lpszLocalAddress": '"127.0.0.1"',
            "lpszFileName": "small_file",
            "lpszServerName": '"example.org"',
            "lpszCipherList": '"DEFAULT"',
            "lpszPemCertFile": "cert_file",
            "lpszPemKeyFile": "key_file",
            "lpszPemCert": "TEST_CERT",
            "lpszPemKey": "TEST_KEY",
            "lpszKeyPassword": "NULL",
            "lpszCAPemCertFileOrPath": "NULL",
            "lpszCAPemCert": "NULL",
            "lpszCastAddress": '"127.255.255.255"',
            # The cookie manager and helpers (no handle).
            "lpszFile": "small_file",
            "lpszName": '"n"',
            "lpszValue": '"v"',
            "lpszDomain": '"example.org"',
            "lpszPath": '"/"',
            "lpszExpires": '"Wed, 21 Oct 2015 07:28:00 GMT"',
            # HTTP.
            "lpszDesc": "NULL",
            "lpszMethod": '"GET"',
            "lpszUrl": '"http://127.0.0.1:1/"',
            "lpszHost": '"example.org:443"',
            "lpszExtensions": "NULL",
            # The SYS_* helpers (no handle).
            "lpszAddress": '"127.0.0.1"',
            "lpszFromCharset": '"UTF-8"',
            "lpszToCharset": '"GBK"',
            "lpszInBuf": '"text"',
            # The WebSocket mode.
            "lpszReason": '"bye"',
            "lpszProtocols": '"chat"',
        }[nm]
    if ty in ("TCHAR *", "char *"):
        return "text"
    # The compressors and SYS_* helpers.
    if ty in ("Fn_CompressDataCallback", "Fn_DecompressDataCallback"):
        return "data_cb"
    if ty in ("SOCKET", "FD"):
        return "-1"
    if ty == "long":
        return "0"
    if ty == "unsigned long *":
        return "&ulval"
    if ty == "const char *":
        return '"text"'
    if ty == "const WCHAR *":
        return "wtext"
    if ty == "WCHAR *":
        return "wout"
    if ty == "HP_LPTIPAddr **":
        return "&iplist"
    if ty == "HP_LPTIPAddr *":
        return "iplist"
    if ty == "En_HP_IPAddrType *":
        return "&ipt"
    if ty == "const HP_THeader *":
        return "NULL"
    if ty in ("HP_THeader *", "HP_TCookie *"):
        return "pairs"
    if ty == "LPCSTR *":
        return "strs"
    if ty == "LPCBYTE *":
        return "&bytes_out"
    if ty == "ULONGLONG":
        return "0"
    if ty == "ULONGLONG *":
        return "&ullval"
    if ty == "BYTE":
        return {"iReserved": "0", "iOperationCode": "1"}[nm]
    if ty == "__time64_t *":
        return "&tval"
    if ty == "__time64_t":
        return "0"
    if ty == "int *" and nm == "piCount":
        return "&ival"
    if ty == "int *" and nm in ("piAddressLen", "piHostLen", "piBuffLen", "piLength"):
        return "&text_len"
    if ty == "USHORT *":
        return "&port"
    if ty == "USHORT":
        return {"value": "1", "l_onoff": "0", "l_linger": "0", "usPort": "PORT", "usLocalPort": "0", "usPackHeaderFlag": "0",
                "usRemotePort": "PORT", "usStatusCode": "200", "usCode": "1000"}[nm]
    if ty == "BOOL":
        return "FALSE"
    if ty == "DWORD":
        return {"dwMilliseconds": "0", "dwPeriod": "1000000", "dwMaxPackSize": "0x1000",
                "dwWorkerThreadCount": "2", "dwMaxConnectionCount": "100"}.get(nm, "1")
    if ty == "BOOL *":
        return "&bval"
    if ty == "int *":
        return "&ival"
    if ty == "DWORD *":
        return "&dval"
    if ty == "const BYTE *":
        return "buf"
    if ty == "BYTE *":
        return "out"
    if ty == "int":
        return {"iLength": "4", "iOffset": "0", "iCount": "2", "iVerifyMode": "SSL_VM_NONE",
                "iContextIndex": "0", "iMCTtl": "1", "iMaxAge": "-1", "enSameSite": "0",
                "iHeaderCount": "0", "iBuffLen": "4", "iWindowBits": "15", "iLevel": "-1", "iMethod": "8",
                "iMemLevel": "8", "iStrategy": "0", "iQuality": "11", "iWindow": "22", "iMode": "0",
                "level": "0", "name": "0", "len": "4", "size": "4", "ms": "0", "fl": "0",
                "number": "1", "iSrcLength": "-1", "iInBufLen": "4", "iLogLevel": "0",
                "iMaxRetransmits": "-1"}[nm]
    if ty == "const struct WSABUF *":
        return "wsabufs"
    if ty == "LPWSABUF":
        return "NULL"
    if ty == "PVOID":
        return "(PVOID)1"
    if ty == "PVOID *":
        return "&pv"
    if ty == "HPX_FN_FreeUserData":
        return "count_free"
    if ty.startswith("HP_FN_") or ty.startswith("HPX_FN_") or ty == "HP_Fn_SNI_ServerNameCallback":
        return "NULL"
    if ty.startswith("En_HP_"):
        return {"En_HP_SSLSessionInfo": "SSL_SSI_VERSION", "En_HP_HttpVersion": "HV_1_1",
                "En_HP_HttpUrlField": "HUF_PATH"}.get(ty, "0")
    if ty == "THR_ID":
        return "0"
    # The thread pool: a live socket task and task procedures of the fixture.
    if ty == "HP_LPTSocketTask":
        return "pool_task"
    if ty == "HP_Fn_TaskProc":
        return "pool_task_proc"
    if ty == "Fn_SocketTaskProc":
        return "pool_socket_task_proc"
    if ty == "LPCBYTE":
        return "buf"
    if ty in ("WPARAM", "LPARAM"):
        return "0"
    raise SystemExit("gen_matrix.py: %s: no right value for parameter %s %s" % (fn, ty, nm))


def default_check(fn, ret):
    """(C type to hold the result, C condition that it is the documented failure default)."""
    if ret == "void":
        return (None, None)
    if fn.startswith("Create_"):
        return ("void *", "r == NULL")
    if fn == "HP_UdpNode_GetCastMode":
        return ("En_HP_CastMode", "r == CM_UNICAST")  # a node without a cast
    table = {
        "BOOL": "r == FALSE",
        "DWORD": "r == 0",
        "USHORT": "r == 0",
        "HP_CONNID": "r == 0",
        "PVOID": "r == NULL",
        "En_HP_ServiceState": "r == SS_STOPPED",
        "En_HP_SocketError": "r == SE_INVALID_PARAM",
        "En_HP_FetchResult": "r == FR_DATA_NOT_FOUND",
        "En_HP_ReuseAddressPolicy": "r == 0",
        "En_HP_SendPolicy": "r == 0",
        "En_HP_OnSendSyncPolicy": "r == 0",
        "En_HP_CastMode": "r == 0",
        "En_HP_HttpVersion": "r == 0",
        "En_HP_HttpUpgradeType": "r == HUT_NONE",
        "En_HP_RejectedPolicy": "r == TRP_CALL_FAIL",
        "ULONGLONG": "r == 0",
        "BYTE *": "r == NULL",
        "LPCSTR": "r != NULL",
        "LPCTSTR": "r != NULL",  # never NULL (descriptions: the failure's text; lists: "")
    }
    if ret == "LPCSTR" and fn.startswith("HP_Http"):
        # A message's texts: NULL when there is no message (HP-Socket returns nullptr).
        return ("LPCSTR", "r == NULL")
    if ret == "__time64_t":
        # The cookie clock and Max-Age helpers cannot fail; they take no handle, so no case
        # checks this (-1 is what a session time reads as).
        return ("__time64_t", "r == -1")
    if ret == "int":
        if "AddSSLContext" in fn:
            return ("int", "r == -1")
        return ("int", "r == 0")
    if ret in table:
        return (ret, table[ret])
    raise SystemExit("gen_matrix.py: %s: no failure default for return type %s" % (fn, ret))


BUFFER_PAIRS = [  # (pointer name, length name, kind)
    ("pBuffer", "iLength", "send"),
    ("pData", "iLength", "fetch"),
    ("pBuffers", "iCount", "packets"),
    ("lpszAddress", "piAddressLen", "text"),
    ("lpszHost", "piHostLen", "text"),
    ("lpszBuff", "piBuffLen", "text"),
    ("pIDs", "pdwCount", "ids"),
    ("pBody", "iLength", "send"),
    ("lpHeaders", "iHeaderCount", "send"),
]

# Creators that take a NULL listener (the HTTP sync clients and the thread pool: the listener
# is optional).
NULL_LISTENER_OK = {"Create_HP_HttpSyncClient", "Create_HP_HttpsSyncClient", "Create_HP_ThreadPool"}

# The stale-ID outcome: FALSE (or FR_DATA_NOT_FOUND) with SE_INVALID_PARAM / EBADSLT
# (docs/abi.md section 4). IsConnected is a query: FALSE is its answer, nothing is recorded.
STALE_QUERY = {"HP_Server_IsConnected", "HP_Agent_IsConnected"}


def main():
    header, out = sys.argv[1], sys.argv[2]
    protos = []
    for line in open(header):
        m = PROTO.match(line.rstrip("\n"))
        if m:
            protos.append((m.group(1).strip(), m.group(2), params(m.group(3))))
    cases = []
    counts = {}

    def add(cat, fn, kind, body):
        counts[cat] = counts.get(cat, 0) + 1
        cases.append("    /* %s: %s */\n    {\n%s    }\n" % (fn, cat, body))

    functions = []
    for ret, fn, ps in protos:
        functions.append(fn)
        hk = handle_kind(fn)
        has_handle = bool(ps) and (ok_arg(fn, ps[0][0], ps[0][1], True) == "H" or fn == "HP_SSL_DefaultServerNameCallback")
        if has_handle and hk is None:
            raise SystemExit("gen_matrix.py: %s takes a handle of unknown kind" % fn)
        rtype, cond = default_check(fn, ret)
        args = [ok_arg(fn, t, n, i == 0) for i, (t, n) in enumerate(ps)]
        names = [n for _, n in ps]

        def call(over):
            a = [over.get(n, args[i]) for i, n in enumerate(names)]
            return "%s(%s)" % (fn, ", ".join(a))

        def case(cat, kind_expr, over, want_code, want_errno, extra="", id_expr="1", ret_cond=None,
                 check_code=True):
            c = ret_cond if ret_cond is not None else cond
            body = "        HP_Object H = %s; HP_CONNID ID = %s; RESET();\n" % (kind_expr, id_expr)
            body += "        (void)H; (void)ID;\n"
            if rtype:
                body += "        errno = 0;\n        %s r = %s;\n        int e = errno;\n" % (rtype, call(over))
                body += '        VERDICT("%s", "%s", %s, "%s", %s, %s, e, %d);\n' % (
                    fn, cat, c, c.replace('"', '\\"'), want_code, want_errno, 1 if check_code else 0)
            else:
                body += "        errno = 0;\n        %s;\n        int e = errno;\n" % call(over)
                body += '        VERDICT("%s", "%s", 1, "-", %s, %s, e, %d);\n' % (
                    fn, cat, want_code, want_errno, 1 if check_code else 0)
            body += extra
            add(cat, fn, kind_expr, body)

        # 1-3: handles.
        if has_handle:
            right, wrong = hk
            hname = names[1] if fn == "HP_SSL_DefaultServerNameCallback" else names[0]
            if fn.startswith("Destroy_"):
                # NULL is ignored like free(NULL); stale: nothing changes, recorded on the
                # thread; wrong kind (another role): refused, the object lives on.
                case("NULL handle", "NULL", {hname: "NULL"}, "-1", "-1", check_code=False)
                case("destroyed handle", "dead_of(%s)" % right, {}, "SE_INVALID_PARAM", "EINVAL")
                case("wrong-kind handle", "live_of(%s)" % wrong, {}, "SE_INVALID_PARAM", "EINVAL",
                     extra='        CHECK_ALIVE("%s", H);\n' % fn)
            else:
                if fn == "HP_SSL_DefaultServerNameCallback":
                    over_null = {hname: "NULL"}
                else:
                    over_null = {}
                if fn not in NULL_LISTENER_OK:
                    case("NULL handle", "NULL", over_null, "SE_INVALID_PARAM", "EINVAL")
                case("destroyed handle", "dead_of(%s)" % right, {}, "SE_INVALID_PARAM", "EINVAL")
                if wrong:
                    case("wrong-kind handle", "live_of(%s)" % wrong, {}, "SE_INVALID_PARAM", "EINVAL")
                else:
                    case("made-up handle", "(HP_Object)(uintptr_t)0xdeadbeefu", {}, "SE_INVALID_PARAM",
                         "EINVAL")
            if fn == "HPX_Object_SetUserData":
                cases.append('    CHECK_NO_FREE("%s");\n' % fn)
        if not has_handle:
            # Functions without a handle (the cookie helpers) still get the buffer misuses.
            if "lpszBuff" in names and "piBuffLen" in names:
                case("NULL buffer, length 64", "NULL", {"lpszBuff": "NULL"}, "SE_INVALID_PARAM",
                     "ENOBUFS", extra='        CHECK_SAME("%s", text_len > 1 && text_len <= 64);\n' % fn)
                case("negative length", "NULL", {}, "SE_INVALID_PARAM", "ENOBUFS",
                     extra='        CHECK_SAME("%s", text_len > 1 && text_len <= 64);\n' % fn)
                cases[-1] = cases[-1].replace("RESET();", "RESET(); text_len = -1;")
                case("NULL length", "NULL", {"piBuffLen": "NULL"}, "SE_INVALID_PARAM", "EINVAL")
            continue
        right = hk[0]
        started = "started_of(%s)" % right
        # 4: stale connection ID (on a started component of the right kind).
        if "dwConnID" in names:
            if fn in STALE_QUERY:
                case("stale connection id", started, {}, "-1", "-1", id_expr="stale_id(%s)" % right,
                     check_code=False)
            else:
                case("stale connection id", started, {}, "SE_INVALID_PARAM", "EBADSLT",
                     id_expr="stale_id(%s)" % right)
        elif right.endswith("_CLIENT") and re.search(
                r"_(Send|SendPart|SendPackets|SendSmallFile|Fetch|Peek|PauseReceive|GetLocalAddress|"
                r"GetRemoteHost|GetPendingDataLength|IsPauseReceive|StartSSLHandShake)$", fn):
            # A client has no ID argument: its closed connection is the stale one. A client stops
            # itself when its connection closes, so the call meets a stopped component (EPERM).
            if fn.endswith(("_Fetch", "_Peek")):
                case("stale connection (client not connected)", "closed_of(%s)" % right, {},
                     "SE_INVALID_PARAM", "EBADSLT")
            else:
                case("stale connection (client not connected)", "closed_of(%s)" % right, {},
                     "SE_ILLEGAL_STATE", "EPERM")
        # 5: out-of-range enums.
        for i, (t, n) in enumerate(ps):
            if t.startswith("En_HP_") or n == "iVerifyMode":
                for bad in ("99", "-1"):
                    v = "0x100" if n == "iVerifyMode" and bad == "99" else bad
                    if n == "enCastMode" and bad == "-1":
                        v = "-2"  # -1 is CM_UNICAST
                    extra = ""
                    getter = fn.replace("_Set", "_Get", 1)
                    if fn.startswith(("HP_Server_Set", "HP_Agent_Set", "HP_Client_Set")) and getter in functions:
                        extra = '        CHECK_SAME("%s", %s(H) != %s);\n' % (fn, getter, v)
                    case("out-of-range enum %s=%s" % (n, v), "live_of(%s)" % right if "SessionInfo" not in fn
                         else started, {n: v}, "SE_INVALID_PARAM", "EINVAL", extra=extra,
                         id_expr="live_id(%s)" % right)
        # 6, 7: NULL buffer with non-zero length, negative length (on a live connection).
        for p, l, k in BUFFER_PAIRS:
            if p not in names or l not in names:
                continue
            target = started
            idx = "live_id(%s)" % right
            if right.endswith("_CLIENT"):
                target = "started_of(%s)" % right
            if right in ("K_COMPRESSOR", "K_DECOMPRESSOR"):
                target = "live_of(%s)" % right  # nothing to start
                idx = "1"
            if k in ("send", "fetch", "packets"):
                case("NULL buffer, length 4", target, {p: "NULL", l: "4"}, "SE_INVALID_PARAM", "EINVAL",
                     id_expr=idx)
                case("negative length", target, {l: "-1"}, "SE_INVALID_PARAM", "EINVAL", id_expr=idx)
                if k == "packets":
                    case("WSABUF with NULL buf, len 4", target, {p: "bad_wsabufs"}, "SE_INVALID_PARAM",
                         "EINVAL", id_expr=idx)
                if "iOffset" in names:
                    case("negative offset", target, {"iOffset": "-1"}, "SE_INVALID_PARAM", "EINVAL",
                         id_expr=idx)
            elif k == "text":
                # NULL buffer with a non-zero length: FALSE, ENOBUFS, the needed length written.
                case("NULL buffer, length 64", target, {p: "NULL"}, "SE_INVALID_PARAM", "ENOBUFS",
                     id_expr=idx, extra='        CHECK_SAME("%s", text_len > 1 && text_len <= 64);\n' % fn)
                body_over = {p: "text"}
                # negative *piAddressLen: the buffer is "too short".
                case("negative length", target, body_over, "SE_INVALID_PARAM", "ENOBUFS", id_expr=idx,
                     extra='        CHECK_SAME("%s", text_len > 1 && text_len <= 64);\n' % fn)
                cases[-1] = cases[-1].replace("RESET();", "RESET(); text_len = -1;")
            elif k == "ids":
                case("NULL buffer, count 16", target, {p: "NULL"}, "SE_INVALID_PARAM", "ENOBUFS",
                     id_expr=idx)
        if "pHead" in names:
            case("WSABUF head with NULL buf, len 4", started, {"pHead": "bad_wsabufs"}, "SE_INVALID_PARAM",
                 "-1", id_expr="live_id(%s)" % right)

    with open(out, "w") as f:
        f.write("/* Generated by tests/misuse/gen_matrix.py from include/hpsocket.h: do not edit. */\n")
        f.write("#define MATRIX_FUNCTIONS %d\n" % len(functions))
        f.write("static const char *const matrix_functions[] = {\n")
        for fn in functions:
            f.write('    "%s",\n' % fn)
        f.write("};\n")
        f.write("static void run_matrix(void)\n{\n")
        f.write("".join(cases))
        f.write("}\n")
    summary = ", ".join("%s %d" % (k, v) for k, v in sorted(counts.items()))
    print("gen_matrix.py: %d functions, %d cases (%s)" % (len(functions), len(cases), summary))


if __name__ == "__main__":
    main()
