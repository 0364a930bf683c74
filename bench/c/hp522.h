/*
 * The HP-Socket 5.2.2 C API functions the bench peers call, declared from HP-Socket 5.2.2's
 * HPSocket4C.h (the library is the prebuilt libhpsocket4c_amd64_64.so of PyPI's
 * HPSocket==0.9.3). Declared here rather than taken from our include/: 5.2.2 predates some
 * 6.x functions (no SetNoDelay: TCP_NODELAY is set on the socket in OnAccept /
 * OnPrepareConnect), and the peers must not depend on our header to drive the original.
 *
 * With -DHPS_OWN_HEADER the same peers compile against our include/HPSocket4C.h instead and
 * link libhpsocket.so: that is "the C echo through the C ABI" row.
 */
#ifndef BENCH_HP522_H
#define BENCH_HP522_H

#ifdef HPS_OWN_HEADER
#include "HPSocket4C.h"
#else
#include <stdint.h>

typedef int BOOL;
typedef unsigned char BYTE;
typedef unsigned short USHORT;
typedef unsigned int DWORD; /* 32-bit on LP64 Linux in HP-Socket's GlobalDef.h */
typedef uintptr_t UINT_PTR;
typedef uintptr_t ULONG_PTR;
typedef char TCHAR;
typedef const char *LPCTSTR;
typedef ULONG_PTR HP_CONNID;

typedef void *HP_Object;
typedef HP_Object HP_Server;
typedef HP_Object HP_Agent;
typedef HP_Object HP_TcpServer;
typedef HP_Object HP_TcpAgent;
typedef HP_Object HP_TcpPullServer;
typedef HP_Object HP_TcpPackServer;
typedef HP_Object HP_Listener;
typedef HP_Object HP_ServerListener;
typedef HP_Object HP_AgentListener;
typedef HP_Object HP_TcpServerListener;
typedef HP_Object HP_TcpAgentListener;
typedef HP_Object HP_TcpPullServerListener;
typedef HP_Object HP_TcpPackServerListener;

typedef enum En_HP_HandleResult { HR_OK = 0, HR_IGNORE = 1, HR_ERROR = 2 } En_HP_HandleResult;
typedef enum En_HP_FetchResult {
    FR_OK = 0, FR_LENGTH_TOO_LONG = 1, FR_DATA_NOT_FOUND = 2
} En_HP_FetchResult;
typedef enum En_HP_SocketOperation {
    SO_UNKNOWN = 0, SO_ACCEPT = 1, SO_CONNECT = 2, SO_SEND = 3, SO_RECEIVE = 4, SO_CLOSE = 5
} En_HP_SocketOperation;

typedef En_HP_HandleResult (*HP_FN_Server_OnAccept)(HP_Server, HP_CONNID, UINT_PTR);
typedef En_HP_HandleResult (*HP_FN_Server_OnReceive)(HP_Server, HP_CONNID, const BYTE *, int);
typedef En_HP_HandleResult (*HP_FN_Server_OnPullReceive)(HP_Server, HP_CONNID, int);
typedef En_HP_HandleResult (*HP_FN_Agent_OnPrepareConnect)(HP_Agent, HP_CONNID, UINT_PTR);
typedef En_HP_HandleResult (*HP_FN_Agent_OnConnect)(HP_Agent, HP_CONNID);
typedef En_HP_HandleResult (*HP_FN_Agent_OnReceive)(HP_Agent, HP_CONNID, const BYTE *, int);
typedef En_HP_HandleResult (*HP_FN_Agent_OnClose)(HP_Agent, HP_CONNID, En_HP_SocketOperation,
                                                  int);

DWORD HP_GetHPSocketVersion(void);

HP_TcpServerListener Create_HP_TcpServerListener(void);
HP_TcpPullServerListener Create_HP_TcpPullServerListener(void);
HP_TcpPackServerListener Create_HP_TcpPackServerListener(void);
HP_TcpServer Create_HP_TcpServer(HP_TcpServerListener);
HP_TcpPullServer Create_HP_TcpPullServer(HP_TcpPullServerListener);
HP_TcpPackServer Create_HP_TcpPackServer(HP_TcpServerListener);
void HP_Set_FN_Server_OnAccept(HP_ServerListener, HP_FN_Server_OnAccept);
void HP_Set_FN_Server_OnReceive(HP_ServerListener, HP_FN_Server_OnReceive);
void HP_Set_FN_Server_OnPullReceive(HP_ServerListener, HP_FN_Server_OnPullReceive);
void HP_Server_SetWorkerThreadCount(HP_Server, DWORD);
void HP_Server_SetMaxConnectionCount(HP_Server, DWORD);
void HP_TcpServer_SetSocketListenQueue(HP_TcpServer, DWORD);
BOOL HP_Server_Start(HP_Server, LPCTSTR, USHORT);
BOOL HP_Server_GetListenAddress(HP_Server, TCHAR[], int *, USHORT *);
BOOL HP_Server_Send(HP_Server, HP_CONNID, const BYTE *, int);
LPCTSTR HP_Server_GetLastErrorDesc(HP_Server);
En_HP_FetchResult HP_TcpPullServer_Fetch(HP_TcpPullServer, HP_CONNID, BYTE *, int);

HP_TcpAgentListener Create_HP_TcpAgentListener(void);
HP_TcpAgent Create_HP_TcpAgent(HP_TcpAgentListener);
void HP_Set_FN_Agent_OnPrepareConnect(HP_AgentListener, HP_FN_Agent_OnPrepareConnect);
void HP_Set_FN_Agent_OnConnect(HP_AgentListener, HP_FN_Agent_OnConnect);
void HP_Set_FN_Agent_OnReceive(HP_AgentListener, HP_FN_Agent_OnReceive);
void HP_Set_FN_Agent_OnClose(HP_AgentListener, HP_FN_Agent_OnClose);
void HP_Agent_SetWorkerThreadCount(HP_Agent, DWORD);
void HP_Agent_SetMaxConnectionCount(HP_Agent, DWORD);
BOOL HP_Agent_Start(HP_Agent, LPCTSTR, BOOL);
BOOL HP_Agent_Connect(HP_Agent, LPCTSTR, USHORT, HP_CONNID *);
BOOL HP_Agent_Send(HP_Agent, HP_CONNID, const BYTE *, int);
LPCTSTR HP_Agent_GetLastErrorDesc(HP_Agent);
#endif /* HPS_OWN_HEADER */

#endif /* BENCH_HP522_H */
