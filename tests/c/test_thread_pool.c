/*
 * The thread pool through the C API, as a program written against HP-Socket's HPSocket4C.h
 * would use it: 10 000 tasks through a bounded queue; each rejected policy on a full queue;
 * AdjustThreadCount while every worker is busy; Stop with tasks queued (they run) and with a
 * wait that runs out (they are dropped); socket tasks with each buffer type; the listener's
 * events; misuse (NULL and destroyed handles, Stop/Wait/Destroy from inside a task).
 */
#include "test.h"

/* Shared state, under t_mu. */
static int started_events, shutdown_events, worker_starts, worker_ends;
static int counter;
static int gate_open, blockers_running, blockers_done;
static int inside_stop, inside_wait, inside_destroy_alive, inside_err, inside_done;
static pthread_t caller_thread;
static int caller_ran;

static void on_startup(HP_ThreadPool p)
{
    (void)p;
    t_lock();
    started_events++;
    t_notify();
    t_unlock();
}

static void on_shutdown(HP_ThreadPool p)
{
    (void)p;
    t_lock();
    shutdown_events++;
    t_notify();
    t_unlock();
}

static void on_worker_start(HP_ThreadPool p, THR_ID id)
{
    (void)p;
    CHECK(id == (THR_ID)pthread_self());
    t_lock();
    worker_starts++;
    t_notify();
    t_unlock();
}

static void on_worker_end(HP_ThreadPool p, THR_ID id)
{
    (void)p;
    CHECK(id == (THR_ID)pthread_self());
    t_lock();
    worker_ends++;
    t_notify();
    t_unlock();
}

static void count_task(PVOID arg)
{
    (void)arg;
    t_lock();
    counter++;
    t_notify();
    t_unlock();
}

static void count_socket_task(HP_LPTSocketTask t)
{
    count_task(t->sender);
}

/* Runs until the gate opens. */
static void blocker_task(PVOID arg)
{
    (void)arg;
    t_lock();
    blockers_running++;
    t_notify();
    while (!gate_open)
        pthread_cond_wait(&t_cv, &t_mu);
    blockers_running--;
    blockers_done++;
    t_notify();
    t_unlock();
}

static void open_gate(void)
{
    t_lock();
    gate_open = 1;
    t_notify();
    t_unlock();
}

static void close_gate(void)
{
    t_lock();
    gate_open = 0;
    blockers_done = 0;
    t_unlock();
}

/* A started pool of `threads` workers, all blocked, with the queue holding `queued`
 * counting tasks. */
static HP_ThreadPool busy_pool(DWORD threads, DWORD max_queue, En_HP_RejectedPolicy policy,
                               int queued)
{
    HP_ThreadPool p = Create_HP_ThreadPool(NULL);
    CHECK(p != NULL);
    CHECK(HP_ThreadPool_Start(p, threads, max_queue, policy, 0));
    close_gate();
    for (DWORD i = 0; i < threads; i++)
        CHECK(HP_ThreadPool_Submit(p, blocker_task, NULL, INFINITE));
    WAIT_FOR(blockers_running == (int)threads);
    for (int i = 0; i < queued; i++)
        CHECK(HP_ThreadPool_Submit(p, count_task, NULL, INFINITE));
    CHECK_EQ(HP_ThreadPool_GetTaskCount(p), threads);
    CHECK_EQ(HP_ThreadPool_GetQueueSize(p), queued);
    return p;
}

static void test_many_tasks_and_listener(void)
{
    HP_ThreadPoolListener l = Create_HP_ThreadPoolListener();
    CHECK(l != NULL);
    HP_Set_FN_ThreadPool_OnStartup(l, on_startup);
    HP_Set_FN_ThreadPool_OnShutdown(l, on_shutdown);
    HP_Set_FN_ThreadPool_OnWorkerThreadStart(l, on_worker_start);
    HP_Set_FN_ThreadPool_OnWorkerThreadEnd(l, on_worker_end);
    HP_ThreadPool p = Create_HP_ThreadPool(l);
    CHECK(p != NULL);
    CHECK_EQ(HP_ThreadPool_GetState(p), SS_STOPPED);
    CHECK(!HP_ThreadPool_HasStarted(p));

    CHECK(HP_ThreadPool_Start(p, 4, 64, TRP_WAIT_FOR, 256 * 1024));
    CHECK(HP_ThreadPool_HasStarted(p));
    CHECK_EQ(HP_ThreadPool_GetState(p), SS_STARTED);
    CHECK_EQ(HP_ThreadPool_GetThreadCount(p), 4);
    CHECK_EQ(HP_ThreadPool_GetMaxQueueSize(p), 64);
    CHECK_EQ(HP_ThreadPool_GetRejectedPolicy(p), TRP_WAIT_FOR);
    CHECK(!HP_ThreadPool_Start(p, 1, 0, TRP_CALL_FAIL, 0));
    CHECK_EQ(HPX_GetLastError(), SE_ILLEGAL_STATE);

    t_lock();
    counter = 0;
    t_unlock();
    for (int i = 0; i < 10000; i++)
        CHECK(HP_ThreadPool_Submit(p, count_task, NULL, INFINITE));
    WAIT_FOR(counter == 10000);
    CHECK(HP_ThreadPool_Stop(p, INFINITE));
    CHECK(HP_ThreadPool_Wait(p, 0));
    CHECK_EQ(HP_ThreadPool_GetState(p), SS_STOPPED);
    CHECK_EQ(HP_ThreadPool_GetThreadCount(p), 0);
    CHECK_EQ(HP_ThreadPool_GetMaxQueueSize(p), 0);
    t_lock();
    CHECK_EQ(started_events, 1);
    CHECK_EQ(shutdown_events, 1);
    CHECK_EQ(worker_starts, 4);
    CHECK_EQ(worker_ends, 4);
    t_unlock();
    CHECK(!HP_ThreadPool_Stop(p, INFINITE));
    CHECK(!HP_ThreadPool_Submit(p, count_task, NULL, INFINITE));

    /* Restartable; default thread count (0: CPUs * 2 + 2). */
    CHECK(HP_ThreadPool_Start(p, 0, 0, TRP_CALL_FAIL, 0));
    CHECK(HP_ThreadPool_GetThreadCount(p) >= 4);
    Destroy_HP_ThreadPool(p); /* stops it first */
    t_lock();
    CHECK_EQ(shutdown_events, 2);
    CHECK_EQ(worker_starts, worker_ends);
    t_unlock();
    Destroy_HP_ThreadPoolListener(l);
}

static void test_call_fail(void)
{
    HP_ThreadPool p = busy_pool(1, 1, TRP_CALL_FAIL, 1);
    errno = 0;
    CHECK(!HP_ThreadPool_Submit(p, count_task, NULL, INFINITE));
    CHECK_EQ(SYS_GetLastError(), EXFULL);
    open_gate();
    CHECK(HP_ThreadPool_Stop(p, INFINITE));
    Destroy_HP_ThreadPool(p);
}

static void *open_gate_thread(void *arg)
{
    (void)arg;
    open_gate();
    return NULL;
}

static void test_wait_for(void)
{
    HP_ThreadPool p = busy_pool(1, 1, TRP_WAIT_FOR, 1);
    CHECK(!HP_ThreadPool_Submit(p, count_task, NULL, 20));
    CHECK_EQ(SYS_GetLastError(), EXFULL);
    pthread_t opener;
    CHECK_EQ(pthread_create(&opener, NULL, open_gate_thread, NULL), 0);
    /* Waits for room, however long the opener takes. */
    CHECK(HP_ThreadPool_Submit(p, count_task, NULL, INFINITE));
    pthread_join(opener, NULL);
    CHECK(HP_ThreadPool_Stop(p, INFINITE));
    Destroy_HP_ThreadPool(p);
}

static void caller_task(PVOID arg)
{
    (void)arg;
    t_lock();
    caller_ran = pthread_equal(pthread_self(), caller_thread) ? 1 : -1;
    t_unlock();
}

static void test_caller_run(void)
{
    HP_ThreadPool p = busy_pool(1, 1, TRP_CALLER_RUN, 1);
    caller_thread = pthread_self();
    CHECK(HP_ThreadPool_Submit(p, caller_task, NULL, INFINITE));
    t_lock();
    CHECK_EQ(caller_ran, 1);
    t_unlock();
    open_gate();
    CHECK(HP_ThreadPool_Stop(p, INFINITE));
    Destroy_HP_ThreadPool(p);
}

static void test_adjust_while_busy(void)
{
    t_lock();
    counter = 0;
    t_unlock();
    HP_ThreadPool p = busy_pool(2, 0, TRP_CALL_FAIL, 0);
    CHECK(HP_ThreadPool_AdjustThreadCount(p, 3));
    CHECK_EQ(HP_ThreadPool_GetThreadCount(p), 3);
    /* The new worker runs a task while both others are still blocked. */
    CHECK(HP_ThreadPool_Submit(p, count_task, NULL, INFINITE));
    WAIT_FOR(counter == 1);
    /* Shrink while the blockers run: they finish, nothing is lost. */
    CHECK(HP_ThreadPool_AdjustThreadCount(p, 1));
    CHECK_EQ(HP_ThreadPool_GetThreadCount(p), 1);
    open_gate();
    WAIT_FOR(blockers_done == 2);
    for (int i = 0; i < 100; i++)
        CHECK(HP_ThreadPool_Submit(p, count_task, NULL, INFINITE));
    CHECK(HP_ThreadPool_Stop(p, INFINITE));
    t_lock();
    CHECK_EQ(counter, 101);
    t_unlock();
    Destroy_HP_ThreadPool(p);
}

static void *open_gate_when_stopping(void *arg)
{
    HP_ThreadPool p = arg;
    POLL_FOR(HP_ThreadPool_GetState(p) == SS_STOPPING);
    /* Stopping: no new task; queued ones still run. */
    CHECK(!HP_ThreadPool_Submit(p, count_task, NULL, INFINITE));
    open_gate();
    return NULL;
}

static void test_stop_with_pending(void)
{
    t_lock();
    counter = 0;
    t_unlock();
    HP_ThreadPool p = busy_pool(1, 0, TRP_CALL_FAIL, 5);
    pthread_t opener;
    CHECK_EQ(pthread_create(&opener, NULL, open_gate_when_stopping, p), 0);
    CHECK(HP_ThreadPool_Stop(p, INFINITE));
    pthread_join(opener, NULL);
    t_lock();
    CHECK_EQ(counter, 5);
    t_unlock();

    /* A wait that runs out: the queued tasks are dropped, the pool stops anyway. */
    t_lock();
    counter = 0;
    t_unlock();
    close_gate();
    CHECK(HP_ThreadPool_Start(p, 1, 0, TRP_CALL_FAIL, 0));
    CHECK(HP_ThreadPool_Submit(p, blocker_task, NULL, INFINITE));
    WAIT_FOR(blockers_running == 1);
    for (int i = 0; i < 3; i++) {
        HP_LPTSocketTask t = Create_HP_SocketTaskObj(count_socket_task, NULL, 0,
                                                     (const BYTE *)"xyz", 3, TBT_COPY, 0, 0);
        CHECK(t != NULL);
        CHECK(HP_ThreadPool_Submit_Task(p, t, INFINITE));
    }
    CHECK(!HP_ThreadPool_Stop(p, 20));
    CHECK_EQ(SYS_GetLastError(), ECANCELED);
    CHECK_EQ(HP_ThreadPool_GetState(p), SS_STOPPED);
    CHECK_EQ(HP_ThreadPool_GetQueueSize(p), 0);
    open_gate();
    WAIT_FOR(blockers_done == 1);
    t_lock();
    CHECK_EQ(counter, 0);
    t_unlock();
    Destroy_HP_ThreadPool(p);
}

/* Socket tasks: what the procedure sees. */
static BYTE refer_buf[8] = "refer";
static BYTE *attach_buf;
static int socket_tasks_ok;

static void socket_task(HP_LPTSocketTask t)
{
    t_lock();
    CHECK(t->sender == (PVOID)&socket_tasks_ok);
    CHECK_EQ(t->connID, 42);
    CHECK_EQ(t->wparam, 7);
    CHECK_EQ(t->lparam, -7);
    switch (t->bufType) {
    case TBT_COPY:
        CHECK_EQ(t->bufLen, 4);
        CHECK(memcmp(t->buf, "copy", 4) == 0);
        break;
    case TBT_REFER:
        CHECK(t->buf == refer_buf);
        CHECK_EQ(t->bufLen, 5);
        break;
    case TBT_ATTACH:
        CHECK(t->buf == attach_buf);
        CHECK(memcmp(t->buf, "attach", 6) == 0);
        break;
    default:
        FAILF("unknown buffer type %d", (int)t->bufType);
    }
    socket_tasks_ok++;
    t_notify();
    t_unlock();
}

static void test_socket_tasks(void)
{
    HP_ThreadPool p = Create_HP_ThreadPool(NULL);
    CHECK(HP_ThreadPool_Start(p, 2, 0, TRP_CALL_FAIL, 0));

    BYTE copy_src[4] = {'c', 'o', 'p', 'y'};
    HP_LPTSocketTask copy = Create_HP_SocketTaskObj(socket_task, &socket_tasks_ok, 42, copy_src,
                                                    4, TBT_COPY, 7, -7);
    CHECK(copy != NULL);
    CHECK(copy->buf != copy_src);
    CHECK(copy->fn == socket_task);
    memset(copy_src, 0, sizeof copy_src); /* the task has its own copy */

    HP_LPTSocketTask refer = Create_HP_SocketTaskObj(socket_task, &socket_tasks_ok, 42,
                                                     refer_buf, 5, TBT_REFER, 7, -7);
    CHECK(refer != NULL);
    CHECK(refer->buf == refer_buf);

    attach_buf = malloc(6); /* SYS_Malloc's memory */
    memcpy(attach_buf, "attach", 6);
    HP_LPTSocketTask attach = Create_HP_SocketTaskObj(socket_task, &socket_tasks_ok, 42,
                                                      attach_buf, 6, TBT_ATTACH, 7, -7);
    CHECK(attach != NULL);

    CHECK(HP_ThreadPool_Submit_Task(p, copy, INFINITE));
    CHECK(HP_ThreadPool_Submit_Task(p, refer, INFINITE));
    CHECK(HP_ThreadPool_Submit_Task(p, attach, INFINITE));
    WAIT_FOR(socket_tasks_ok == 3);
    CHECK(HP_ThreadPool_Stop(p, INFINITE));

    /* Refused by a stopped pool: still the caller's, to destroy. */
    HP_LPTSocketTask kept = Create_HP_SocketTaskObj(socket_task, NULL, 1, (const BYTE *)"k", 1,
                                                    TBT_COPY, 0, 0);
    CHECK(!HP_ThreadPool_Submit_Task(p, kept, INFINITE));
    Destroy_HP_SocketTaskObj(kept);
    Destroy_HP_SocketTaskObj(kept); /* a second destroy is refused, not a double free */
    CHECK_EQ(HPX_GetLastError(), SE_INVALID_PARAM);
    Destroy_HP_SocketTaskObj(NULL);

    /* Bad arguments. */
    CHECK(Create_HP_SocketTaskObj(NULL, NULL, 0, NULL, 0, TBT_COPY, 0, 0) == NULL);
    CHECK(Create_HP_SocketTaskObj(socket_task, NULL, 0, NULL, 5, TBT_COPY, 0, 0) == NULL);
    CHECK(Create_HP_SocketTaskObj(socket_task, NULL, 0, refer_buf, -1, TBT_COPY, 0, 0) == NULL);
    CHECK(Create_HP_SocketTaskObj(socket_task, NULL, 0, refer_buf, 1, 9, 0, 0) == NULL);
    CHECK_EQ(HPX_GetLastError(), SE_INVALID_PARAM);
    HP_LPTSocketTask empty = Create_HP_SocketTaskObj(socket_task, NULL, 0, NULL, 0, TBT_COPY, 0, 0);
    CHECK(empty != NULL && empty->buf == NULL);
    Destroy_HP_SocketTaskObj(empty);
    Destroy_HP_ThreadPool(p);
}

static HP_ThreadPool self_pool;

static void self_task(PVOID arg)
{
    (void)arg;
    int stop = HP_ThreadPool_Stop(self_pool, INFINITE);
    int err = HPX_GetLastError();
    int wait = HP_ThreadPool_Wait(self_pool, INFINITE);
    Destroy_HP_ThreadPool(self_pool);
    int alive = HP_ThreadPool_HasStarted(self_pool);
    /* Adjusting from a task is fine. */
    int adjust = HP_ThreadPool_AdjustThreadCount(self_pool, 2);
    t_lock();
    inside_stop = stop;
    inside_wait = wait;
    inside_err = err;
    inside_destroy_alive = alive && adjust;
    inside_done = 1;
    t_notify();
    t_unlock();
}

static void test_misuse(void)
{
    CHECK(!HP_ThreadPool_Start(NULL, 1, 0, TRP_CALL_FAIL, 0));
    CHECK_EQ(HPX_GetLastError(), SE_INVALID_PARAM);
    CHECK(!HP_ThreadPool_Submit(NULL, count_task, NULL, 0));
    CHECK_EQ(HP_ThreadPool_GetState(NULL), SS_STOPPED);
    CHECK_EQ(HP_ThreadPool_GetRejectedPolicy(NULL), TRP_CALL_FAIL);
    Destroy_HP_ThreadPool(NULL);
    Destroy_HP_ThreadPoolListener(NULL);
    HP_Set_FN_ThreadPool_OnStartup(NULL, on_startup);
    CHECK_EQ(HPX_GetLastError(), SE_INVALID_PARAM);

    HP_ThreadPool p = Create_HP_ThreadPool(NULL);
    CHECK(!HP_ThreadPool_Start(p, 1, 0, 99, 0)); /* unknown policy */
    CHECK_EQ(HPX_GetLastError(), SE_INVALID_PARAM);
    CHECK(!HP_ThreadPool_AdjustThreadCount(p, 2)); /* not started */
    CHECK_EQ(HPX_GetLastError(), SE_ILLEGAL_STATE);
    CHECK(HP_ThreadPool_Start(p, 1, 0, TRP_CALL_FAIL, 0));
    CHECK(!HP_ThreadPool_Submit(p, NULL, NULL, 0));
    CHECK_EQ(HPX_GetLastError(), SE_INVALID_PARAM);
    CHECK(strstr(HPX_GetLastErrorDesc(), "fnTaskProc") != NULL);
    /* A NULL pool is named first, as by every call. */
    CHECK(!HP_ThreadPool_Submit(NULL, NULL, NULL, 0));
    CHECK(strstr(HPX_GetLastErrorDesc(), "handle is NULL") != NULL);
    CHECK(!HP_ThreadPool_Wait(p, 1));
    CHECK_EQ(SYS_GetLastError(), ETIMEDOUT);
    /* A pool is no listener, and the other way round. */
    HP_Set_FN_ThreadPool_OnStartup(p, on_startup);
    CHECK_EQ(HPX_GetLastError(), SE_INVALID_PARAM);
    HP_ThreadPoolListener l = Create_HP_ThreadPoolListener();
    CHECK(!HP_ThreadPool_Start(l, 1, 0, TRP_CALL_FAIL, 0));
    CHECK(Create_HP_ThreadPool(p) == NULL);

    /* Stop, Wait and Destroy from inside one of its tasks: refused, the pool goes on. */
    self_pool = p;
    CHECK(HP_ThreadPool_Submit(p, self_task, NULL, INFINITE));
    WAIT_FOR(inside_done);
    t_lock();
    CHECK(!inside_stop);
    CHECK(!inside_wait);
    CHECK_EQ(inside_err, SE_ILLEGAL_STATE);
    CHECK(inside_destroy_alive);
    t_unlock();
    CHECK(HP_ThreadPool_HasStarted(p));

    Destroy_HP_ThreadPool(p);
    Destroy_HP_ThreadPool(p); /* twice: harmless */
    CHECK(!HP_ThreadPool_Start(p, 1, 0, TRP_CALL_FAIL, 0));
    CHECK_EQ(HPX_GetLastError(), SE_INVALID_PARAM);
    CHECK(!HP_ThreadPool_HasStarted(p));
    Destroy_HP_ThreadPoolListener(l);
}

int main(void)
{
    test_many_tasks_and_listener();
    test_call_fail();
    test_wait_for();
    test_caller_run();
    test_adjust_while_busy();
    test_stop_with_pending();
    test_socket_tasks();
    test_misuse();
    printf("test_thread_pool: ok\n");
    return 0;
}
