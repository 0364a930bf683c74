/*
 * HP-Socket 5.2.2 declarations the examples need beyond bench/c/hp522.h (which declares what
 * the bench peers call), taken from 5.2.2's HPSocket4C.h (the signatures are also in the
 * HPSocket==0.9.3 wheel's HPSocketAPI.py). With these, examples/c/{pack,pull,udp}_echo_*.c build
 * unchanged against 5.2.2's libhpsocket4c (tests/interop, through hp522-include/HPSocket4C.h).
 *
 * 5.2.2 on Linux: BOOL is int, DWORD 32-bit, handles void*, enums int-sized, as in 6.x.
 * It has no SetNoDelay (6.x): HP_SOCKET_5_2_2 tells the examples to set TCP_NODELAY on the
 * socket with SYS_SSO_NoDelay instead.
 */
#ifndef TESTS_INTEROP_HP522_EXT_H
#define TESTS_INTEROP_HP522_EXT_H

#include "hp522.h"

#define HP_SOCKET_5_2_2 1

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif

typedef void *PVOID;
typedef int SOCKET;

typedef HP_Object HP_Client;
typedef HP_Object HP_TcpClient;
typedef HP_Object HP_TcpPullClient;
typedef HP_Object HP_TcpPackClient;
typedef HP_Object HP_ClientListener;
typedef HP_Object HP_TcpClientListener;
typedef HP_Object HP_TcpPullClientListener;
typedef HP_Object HP_TcpPackClientListener;

typedef En_HP_HandleResult (*HP_FN_Server_OnClose)(HP_Server, HP_CONNID, En_HP_SocketOperation,
                                                   int);
typedef En_HP_HandleResult (*HP_FN_Client_OnPrepareConnect)(HP_Client, HP_CONNID, UINT_PTR);
typedef En_HP_HandleResult (*HP_FN_Client_OnReceive)(HP_Client, HP_CONNID, const BYTE *, int);
typedef En_HP_HandleResult (*HP_FN_Client_OnPullReceive)(HP_Client, HP_CONNID, int);
typedef En_HP_HandleResult (*HP_FN_Client_OnClose)(HP_Client, HP_CONNID, En_HP_SocketOperation,
                                                   int);

/* Servers. */
void Destroy_HP_TcpPullServer(HP_TcpPullServer);
void Destroy_HP_TcpPackServer(HP_TcpPackServer);
void Destroy_HP_TcpPullServerListener(HP_TcpPullServerListener);
void Destroy_HP_TcpPackServerListener(HP_TcpPackServerListener);
void HP_Set_FN_Server_OnClose(HP_ServerListener, HP_FN_Server_OnClose);
BOOL HP_Server_Stop(HP_Server);
BOOL HP_Server_SetConnectionExtra(HP_Server, HP_CONNID, PVOID);
BOOL HP_Server_GetConnectionExtra(HP_Server, HP_CONNID, PVOID *);
void HP_TcpPackServer_SetMaxPackSize(HP_TcpPackServer, DWORD);
void HP_TcpPackServer_SetPackHeaderFlag(HP_TcpPackServer, USHORT);

/* Clients. */
HP_TcpPullClientListener Create_HP_TcpPullClientListener(void);
HP_TcpPackClientListener Create_HP_TcpPackClientListener(void);
HP_TcpPullClient Create_HP_TcpPullClient(HP_TcpPullClientListener);
HP_TcpPackClient Create_HP_TcpPackClient(HP_TcpClientListener);
void Destroy_HP_TcpPullClient(HP_TcpPullClient);
void Destroy_HP_TcpPackClient(HP_TcpPackClient);
void Destroy_HP_TcpPullClientListener(HP_TcpPullClientListener);
void Destroy_HP_TcpPackClientListener(HP_TcpPackClientListener);
void HP_Set_FN_Client_OnPrepareConnect(HP_ClientListener, HP_FN_Client_OnPrepareConnect);
void HP_Set_FN_Client_OnReceive(HP_ClientListener, HP_FN_Client_OnReceive);
void HP_Set_FN_Client_OnPullReceive(HP_ClientListener, HP_FN_Client_OnPullReceive);
void HP_Set_FN_Client_OnClose(HP_ClientListener, HP_FN_Client_OnClose);
BOOL HP_Client_Start(HP_Client, LPCTSTR, USHORT, BOOL);
BOOL HP_Client_Stop(HP_Client);
BOOL HP_Client_Send(HP_Client, const BYTE *, int);
LPCTSTR HP_Client_GetLastErrorDesc(HP_Client);
En_HP_FetchResult HP_TcpPullClient_Fetch(HP_TcpPullClient, BYTE *, int);
void HP_TcpPackClient_SetMaxPackSize(HP_TcpPackClient, DWORD);
void HP_TcpPackClient_SetPackHeaderFlag(HP_TcpPackClient, USHORT);

/* Helpers. */
int SYS_SSO_NoDelay(SOCKET, BOOL);

/* HTTP (examples/c/http_server.c and http_get.c). */
typedef const char *LPCSTR;
typedef const BYTE *LPCBYTE;
typedef HP_Object HP_Http;
typedef HP_Object HP_HttpServer;
typedef HP_Object HP_HttpSyncClient;
typedef HP_Object HP_HttpServerListener;
typedef HP_Object HP_HttpClientListener;
typedef struct TNVPair {
    LPCSTR name;
    LPCSTR value;
} HP_THeader;
typedef enum { HPR_OK = 0, HPR_SKIP_BODY = 1, HPR_UPGRADE = 2, HPR_ERROR = -1 } En_HP_HttpParseResult;
typedef enum { HUF_SCHEMA, HUF_HOST, HUF_PORT, HUF_PATH, HUF_QUERY, HUF_FRAGMENT, HUF_USERINFO } En_HP_HttpUrlField;
#define HSC_OK 200
typedef En_HP_HttpParseResult (*HP_FN_HttpServer_OnMessageBegin)(HP_Http, HP_CONNID);
typedef En_HP_HttpParseResult (*HP_FN_HttpServer_OnBody)(HP_Http, HP_CONNID, const BYTE *, int);
typedef En_HP_HttpParseResult (*HP_FN_HttpServer_OnMessageComplete)(HP_Http, HP_CONNID);
typedef En_HP_HttpParseResult (*HP_FN_HttpServer_OnParseError)(HP_Http, HP_CONNID, int, LPCSTR);
HP_HttpServerListener Create_HP_HttpServerListener(void);
void Destroy_HP_HttpServerListener(HP_HttpServerListener);
HP_HttpServer Create_HP_HttpServer(HP_HttpServerListener);
void Destroy_HP_HttpServer(HP_HttpServer);
void HP_Set_FN_HttpServer_OnMessageBegin(HP_HttpServerListener, HP_FN_HttpServer_OnMessageBegin);
void HP_Set_FN_HttpServer_OnBody(HP_HttpServerListener, HP_FN_HttpServer_OnBody);
void HP_Set_FN_HttpServer_OnMessageComplete(HP_HttpServerListener,
                                            HP_FN_HttpServer_OnMessageComplete);
void HP_Set_FN_HttpServer_OnParseError(HP_HttpServerListener, HP_FN_HttpServer_OnParseError);
void HP_Set_FN_HttpServer_OnClose(HP_HttpServerListener, HP_FN_Server_OnClose);
BOOL HP_HttpServer_SendResponse(HP_HttpServer, HP_CONNID, USHORT, LPCSTR, const HP_THeader[], int,
                                const BYTE *, int);
BOOL HP_HttpServer_Release(HP_HttpServer, HP_CONNID);
LPCSTR HP_HttpServer_GetUrlField(HP_HttpServer, HP_CONNID, En_HP_HttpUrlField);
BOOL HP_HttpServer_IsKeepAlive(HP_HttpServer, HP_CONNID);
BOOL HP_HttpServer_GetAllHeaders(HP_HttpServer, HP_CONNID, HP_THeader[], DWORD *);
HP_HttpClientListener Create_HP_HttpClientListener(void);
void Destroy_HP_HttpClientListener(HP_HttpClientListener);
HP_HttpSyncClient Create_HP_HttpSyncClient(HP_HttpClientListener);
void Destroy_HP_HttpSyncClient(HP_HttpSyncClient);
BOOL HP_HttpSyncClient_OpenUrl(HP_HttpSyncClient, LPCSTR, LPCSTR, const HP_THeader[], int,
                               const BYTE *, int, BOOL);
BOOL HP_HttpSyncClient_GetResponseBody(HP_HttpSyncClient, LPCBYTE *, int *);
USHORT HP_HttpClient_GetStatusCode(HP_HttpSyncClient);
BOOL HP_HttpClient_GetHeader(HP_HttpSyncClient, LPCSTR, LPCSTR *);

/* HttpAgent and what tests/interop/http_echo_server.c and http_agent.c use besides. 5.2.2 has
 * no SendChunkData: those programs write chunk framing with HP_Server_Send/HP_Agent_Send. */
typedef HP_Object HP_HttpAgent;
typedef HP_Object HP_HttpAgentListener;
typedef HP_FN_HttpServer_OnMessageBegin HP_FN_HttpAgent_OnMessageBegin;
typedef HP_FN_HttpServer_OnBody HP_FN_HttpAgent_OnBody;
typedef HP_FN_HttpServer_OnMessageComplete HP_FN_HttpAgent_OnMessageComplete;
typedef HP_FN_HttpServer_OnParseError HP_FN_HttpAgent_OnParseError;
typedef HP_FN_Agent_OnConnect HP_FN_HttpAgent_OnConnect;
typedef HP_FN_Agent_OnClose HP_FN_HttpAgent_OnClose;
HP_HttpAgentListener Create_HP_HttpAgentListener(void);
void Destroy_HP_HttpAgentListener(HP_HttpAgentListener);
HP_HttpAgent Create_HP_HttpAgent(HP_HttpAgentListener);
void Destroy_HP_HttpAgent(HP_HttpAgent);
void HP_Set_FN_HttpAgent_OnMessageBegin(HP_HttpAgentListener, HP_FN_HttpAgent_OnMessageBegin);
void HP_Set_FN_HttpAgent_OnBody(HP_HttpAgentListener, HP_FN_HttpAgent_OnBody);
void HP_Set_FN_HttpAgent_OnMessageComplete(HP_HttpAgentListener,
                                           HP_FN_HttpAgent_OnMessageComplete);
void HP_Set_FN_HttpAgent_OnParseError(HP_HttpAgentListener, HP_FN_HttpAgent_OnParseError);
void HP_Set_FN_HttpAgent_OnConnect(HP_HttpAgentListener, HP_FN_HttpAgent_OnConnect);
void HP_Set_FN_HttpAgent_OnClose(HP_HttpAgentListener, HP_FN_HttpAgent_OnClose);
BOOL HP_Agent_Stop(HP_Agent);
BOOL HP_HttpAgent_SendRequest(HP_HttpAgent, HP_CONNID, LPCSTR, LPCSTR, const HP_THeader[], int,
                              const BYTE *, int);
USHORT HP_HttpAgent_GetStatusCode(HP_HttpAgent, HP_CONNID);
BOOL HP_HttpAgent_IsKeepAlive(HP_HttpAgent, HP_CONNID);
LPCSTR HP_HttpAgent_GetTransferEncoding(HP_HttpAgent, HP_CONNID);
BOOL HP_HttpAgent_GetHeader(HP_HttpAgent, HP_CONNID, LPCSTR, LPCSTR *);
BOOL HP_HttpServer_SendLocalFile(HP_HttpServer, HP_CONNID, LPCSTR, USHORT, LPCSTR,
                                 const HP_THeader[], int);
LPCSTR HP_HttpServer_GetMethod(HP_HttpServer, HP_CONNID);
LPCSTR HP_HttpServer_GetTransferEncoding(HP_HttpServer, HP_CONNID);
BOOL HP_HttpServer_GetHeader(HP_HttpServer, HP_CONNID, LPCSTR, LPCSTR *);
/* UDP (examples/c/udp_echo_server.c and udp_echo_client.c). 5.2.2's UDP components differ from
 * 6.x in ways those examples handle: DetectInterval counts seconds (6.x: milliseconds), the
 * default MaxDatagramSize is 1472 (6.x: 1432), and there is no close-notify datagram. */
typedef HP_Object HP_UdpServer;
typedef HP_Object HP_UdpClient;
typedef HP_Object HP_UdpServerListener;
typedef HP_Object HP_UdpClientListener;
HP_UdpServerListener Create_HP_UdpServerListener(void);
void Destroy_HP_UdpServerListener(HP_UdpServerListener);
HP_UdpServer Create_HP_UdpServer(HP_UdpServerListener);
void Destroy_HP_UdpServer(HP_UdpServer);
void HP_UdpServer_SetMaxDatagramSize(HP_UdpServer, DWORD);
DWORD HP_UdpServer_GetMaxDatagramSize(HP_UdpServer);
void HP_UdpServer_SetDetectAttempts(HP_UdpServer, DWORD);
DWORD HP_UdpServer_GetDetectAttempts(HP_UdpServer);
void HP_UdpServer_SetDetectInterval(HP_UdpServer, DWORD);
DWORD HP_UdpServer_GetDetectInterval(HP_UdpServer);
DWORD HP_Server_GetConnectionCount(HP_Server);
BOOL HP_Server_GetRemoteAddress(HP_Server, HP_CONNID, TCHAR[], int *, USHORT *);
HP_UdpClientListener Create_HP_UdpClientListener(void);
void Destroy_HP_UdpClientListener(HP_UdpClientListener);
HP_UdpClient Create_HP_UdpClient(HP_UdpClientListener);
void Destroy_HP_UdpClient(HP_UdpClient);
void HP_UdpClient_SetMaxDatagramSize(HP_UdpClient, DWORD);
DWORD HP_UdpClient_GetMaxDatagramSize(HP_UdpClient);
void HP_UdpClient_SetDetectAttempts(HP_UdpClient, DWORD);
DWORD HP_UdpClient_GetDetectAttempts(HP_UdpClient);
void HP_UdpClient_SetDetectInterval(HP_UdpClient, DWORD);
DWORD HP_UdpClient_GetDetectInterval(HP_UdpClient);
DWORD SYS_GetLastError(void);

#endif /* TESTS_INTEROP_HP522_EXT_H */
