/*
 * Description strings live with their object, as in HP-Socket: two objects' descriptions
 * fetched one after the other are both readable afterwards; a failure of the object on
 * another thread does not free a pointer already handed out; HPX_GetLastErrorDesc (the
 * thread's) and HP_GetSocketErrorDesc (static) are separate. Run under valgrind as well
 * (tests/c/run.sh), which flags any read of freed memory.
 */
#include "test.h"

static HP_TcpServerListener listener;

static void fail_policy(HP_Server s, int policy)
{
    HP_Server_SetReuseAddressPolicy(s, (En_HP_ReuseAddressPolicy)policy);
    CHECK_EQ(HP_Server_GetLastError(s), SE_INVALID_PARAM);
}

static void check_names(const char *desc, int policy)
{
    char want[64];
    snprintf(want, sizeof want, "enReusePolicy %d", policy);
    if (strstr(desc, want) == NULL)
        FAILF("description \"%s\" lacks \"%s\"", desc, want);
}

static void *other_thread(void *arg)
{
    HP_Server a = arg;
    fail_policy(a, 93);
    check_names(HP_Server_GetLastErrorDesc(a), 93);
    return NULL;
}

int main(void)
{
    listener = Create_HP_TcpServerListener();
    HP_TcpServer a = Create_HP_TcpServer(listener);
    HP_TcpServer b = Create_HP_TcpServer(listener);
    CHECK(a != NULL && b != NULL);

    fail_policy(a, 91);
    fail_policy(b, 92);

    /* The case HP-Socket programs write: both pointers used after both calls. */
    LPCTSTR da = HP_Server_GetLastErrorDesc(a);
    LPCTSTR db = HP_Server_GetLastErrorDesc(b);
    LPCTSTR dx = HPX_GetLastErrorDesc();
    LPCTSTR ds = HP_GetSocketErrorDesc(SE_INVALID_PARAM);
    printf("a: %s\nb: %s\nthread: %s\ncode: %s\n", da, db, dx, ds);
    check_names(da, 91);
    check_names(db, 92);
    check_names(dx, 92);
    CHECK(strcmp(ds, "Invalid Parameter") == 0);
    CHECK(HP_Server_GetLastErrorDesc(a) == da); /* same text, same string */

    /* A later failure of `a` on another thread leaves `da` readable. */
    pthread_t t;
    CHECK(pthread_create(&t, NULL, other_thread, a) == 0);
    CHECK(pthread_join(t, NULL) == 0);
    check_names(da, 91);
    check_names(db, 92);
    check_names(dx, 92);
    LPCTSTR da2 = HP_Server_GetLastErrorDesc(a);
    check_names(da2, 93);

    /* An invalid handle: the text of that failure, kept by the thread; it survives reads of
     * object descriptions. */
    LPCTSTR dn = HP_Server_GetLastErrorDesc(NULL);
    CHECK(strstr(dn, "NULL") != NULL);
    CHECK(HPX_GetLastErrorDesc() == dn);
    (void)HP_Server_GetLastErrorDesc(a);
    (void)HP_Server_GetLastErrorDesc(b);
    printf("null: %s\na: %s\nb: %s\nthread before: %s\n", dn, da, db, dx);
    CHECK(strstr(dn, "NULL") != NULL);
    check_names(da, 91);
    check_names(dx, 92);

    /* Static texts outlive everything. */
    Destroy_HP_TcpServer(a);
    Destroy_HP_TcpServer(b);
    Destroy_HP_TcpServerListener(listener);
    CHECK(strcmp(ds, "Invalid Parameter") == 0);
    printf("test_last_error_desc: ok\n");
    return 0;
}
