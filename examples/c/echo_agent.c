/*
 * echo_agent: one TcpAgent opens several connections to an echo server, sends a message on
 * each and checks that each connection gets exactly its own message back.
 *
 *   echo_agent [host] [port] [connections]      defaults: 127.0.0.1, 5555, 4
 *
 * Exits 0 when every connection's echo matched within 10 seconds, 1 otherwise.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "HPSocket4C.h"

#define MAX_CONNS 64
#define MSG_SIZE 64

/* Per connection, attached to it as its "extra" pointer. */
typedef struct {
    char sent[MSG_SIZE], received[MSG_SIZE];
    int nsent, nreceived;
} conn_t;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static conn_t conns[MAX_CONNS];
static int pending; /* connections still waiting for their echo */

static En_HP_HandleResult OnReceive(HP_Agent sender, HP_CONNID id, const BYTE *data, int len)
{
    PVOID extra = NULL; /* the conn_t given to HP_Agent_ConnectWithExtra */
    if (!HP_Agent_GetConnectionExtra(sender, id, &extra) || extra == NULL)
        return HR_ERROR;
    conn_t *c = extra;
    pthread_mutex_lock(&mu);
    int was_short = c->nreceived < c->nsent;
    if (c->nreceived + len > MSG_SIZE)
        len = MSG_SIZE - c->nreceived; /* more than was sent: the comparison will fail */
    memcpy(c->received + c->nreceived, data, (size_t)len);
    c->nreceived += len;
    if (was_short && c->nreceived >= c->nsent) {
        pending--;
        pthread_cond_signal(&cv);
    }
    pthread_mutex_unlock(&mu);
    return HR_OK;
}

int main(int argc, char **argv)
{
    const char *host = argc > 1 ? argv[1] : "127.0.0.1";
    USHORT port = (USHORT)(argc > 2 ? atoi(argv[2]) : 5555);
    int nconns = argc > 3 ? atoi(argv[3]) : 4;
    if (nconns < 1 || nconns > MAX_CONNS) {
        fprintf(stderr, "echo_agent: connections must be 1..%d\n", MAX_CONNS);
        return 1;
    }

    HP_TcpAgentListener listener = Create_HP_TcpAgentListener();
    HP_Set_FN_Agent_OnReceive(listener, OnReceive);
    HP_TcpAgent agent = Create_HP_TcpAgent(listener);

    int ok = 0;
    HP_CONNID ids[MAX_CONNS];
    if (!HP_Agent_Start(agent, NULL, FALSE)) { /* FALSE: Connect is synchronous */
        fprintf(stderr, "echo_agent: start failed: %s\n", HP_Agent_GetLastErrorDesc(agent));
        goto out;
    }
    pending = nconns;
    for (int i = 0; i < nconns; i++) {
        conn_t *c = &conns[i];
        c->nsent = snprintf(c->sent, MSG_SIZE, "hello from connection %d\n", i);
        if (!HP_Agent_ConnectWithExtra(agent, host, port, &ids[i], c)) {
            fprintf(stderr, "echo_agent: connect to %s:%u failed: %s\n", host, (unsigned)port,
                    HP_Agent_GetLastErrorDesc(agent));
            goto out;
        }
    }
    for (int i = 0; i < nconns; i++)
        if (!HP_Agent_Send(agent, ids[i], (const BYTE *)conns[i].sent, conns[i].nsent)) {
            fprintf(stderr, "echo_agent: send on connection %d failed\n", i);
            goto out;
        }

    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 10;
    pthread_mutex_lock(&mu);
    while (pending > 0)
        if (pthread_cond_timedwait(&cv, &mu, &deadline) == ETIMEDOUT)
            break;
    ok = 1;
    for (int i = 0; i < nconns; i++)
        if (conns[i].nreceived != conns[i].nsent ||
            memcmp(conns[i].sent, conns[i].received, (size_t)conns[i].nsent) != 0)
            ok = 0;
    printf("echo_agent: %d connections, %d echoed%s\n", nconns, nconns - pending,
           ok ? ", all correct" : " - MISMATCH");
    pthread_mutex_unlock(&mu);

out:
    HP_Agent_Stop(agent);
    Destroy_HP_TcpAgent(agent);
    Destroy_HP_TcpAgentListener(listener);
    return ok ? 0 : 1;
}
