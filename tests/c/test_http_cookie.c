/*
 * The global HTTP cookie manager and the cookie helpers through HPSocket4C.h, as a program
 * written against HP-Socket would use them: SetCookie / DeleteCookie / ClearCookies, a
 * SaveToFile + LoadFromFile round trip through a temporary file (bKeepExists both ways),
 * ToString / MakeExpiresStr / ParseExpires and their count-query buffers, the Max-Age
 * helpers, the third-party switch, and NULL arguments (FALSE, never a crash; errno EINVAL).
 */
#include "test.h"

#include <sys/stat.h>

/* 2015-10-21 07:28:00 UTC; 2100-01-01 00:00:00 UTC. */
#define T2015 1445412480LL
#define FAR 4102444800LL

static char dir[256], file[300];

static void read_all(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    CHECK(f != NULL);
    size_t n = fread(out, 1, cap - 1, f);
    out[n] = 0;
    fclose(f);
}

static void write_all(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    CHECK(fputs(text, f) >= 0);
    fclose(f);
}

static void helpers(void)
{
    char buf[128];
    int len = sizeof buf;
    __time64_t t = 0;

    /* MakeExpiresStr: HP-Socket's text; count query on a short or NULL buffer. */
    CHECK(HP_HttpCookie_HLP_MakeExpiresStr(buf, &len, T2015));
    CHECK(strcmp(buf, "Wed, 21-Oct-2015 07:28:00 GMT") == 0);
    CHECK_EQ(len, strlen(buf) + 1);
    int need = len;
    len = 5;
    strcpy(buf, "keep");
    CHECK(!HP_HttpCookie_HLP_MakeExpiresStr(buf, &len, T2015));
    CHECK_EQ(len, need);
    CHECK(strcmp(buf, "keep") == 0);
    CHECK_EQ(SYS_GetLastError(), ENOBUFS);
    len = 0;
    CHECK(!HP_HttpCookie_HLP_MakeExpiresStr(NULL, &len, T2015));
    CHECK_EQ(len, need);
    len = need;
    CHECK(HP_HttpCookie_HLP_MakeExpiresStr(buf, &len, T2015));
    CHECK(!HP_HttpCookie_HLP_MakeExpiresStr(buf, NULL, T2015));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    len = sizeof buf;
    CHECK(HP_HttpCookie_HLP_MakeExpiresStr(buf, &len, 0));
    CHECK(strcmp(buf, "Thu, 01-Jan-1970 00:00:01 GMT") == 0);

    /* ParseExpires reads what MakeExpiresStr writes, and the usual forms. */
    len = sizeof buf;
    CHECK(HP_HttpCookie_HLP_MakeExpiresStr(buf, &len, FAR));
    CHECK(HP_HttpCookie_HLP_ParseExpires(buf, &t));
    CHECK_EQ(t, FAR);
    CHECK(HP_HttpCookie_HLP_ParseExpires("Wed, 21 Oct 2015 07:28:00 GMT", &t));
    CHECK_EQ(t, T2015);
    CHECK(HP_HttpCookie_HLP_ParseExpires("Wednesday, 21-Oct-15 07:28:00 GMT", &t));
    CHECK_EQ(t, T2015);
    CHECK(HP_HttpCookie_HLP_ParseExpires("Wed, 21 Oct 2015 15:28:00 +0800", &t));
    CHECK_EQ(t, T2015);
    t = 7;
    CHECK(!HP_HttpCookie_HLP_ParseExpires("not a date", &t));
    CHECK_EQ(t, 7);
    CHECK(!HP_HttpCookie_HLP_ParseExpires("", &t));
    CHECK(!HP_HttpCookie_HLP_ParseExpires("Sun, 06 Nov 1960 08:49:37 GMT", &t));
    CHECK(!HP_HttpCookie_HLP_ParseExpires(NULL, &t));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    CHECK(!HP_HttpCookie_HLP_ParseExpires("Wed, 21 Oct 2015 07:28:00 GMT", NULL));
    CHECK_EQ(SYS_GetLastError(), EINVAL);

    /* ToString: HP-Socket's text, normalised domain and path, count query. */
    len = sizeof buf;
    CHECK(HP_HttpCookie_HLP_ToString(buf, &len, "n", "v", ".Example.COM", "/a/b", -1, TRUE, TRUE, 2));
    CHECK(strcmp(buf, "n=v; domain=example.com; path=/a/; HttpOnly; secure; SameSite=Lax") == 0);
    CHECK_EQ(len, strlen(buf) + 1);
    len = sizeof buf;
    CHECK(HP_HttpCookie_HLP_ToString(buf, &len, "n", NULL, NULL, NULL, -1, FALSE, FALSE, 0));
    CHECK(strcmp(buf, "n=") == 0);
    len = sizeof buf;
    CHECK(HP_HttpCookie_HLP_ToString(buf, &len, "n", "v", NULL, "/", 300, FALSE, FALSE, 1));
    __time64_t exp = HP_HttpCookie_HLP_MaxAgeToExpires(300);
    char want[128], date[64];
    int dlen = sizeof date;
    CHECK(HP_HttpCookie_HLP_MakeExpiresStr(date, &dlen, exp));
    snprintf(want, sizeof want, "n=v; path=/; expires=%s; SameSite=Strict", date);
    /* The clock may tick between the two calls: accept the next second too. */
    if (strcmp(buf, want) != 0) {
        dlen = sizeof date;
        CHECK(HP_HttpCookie_HLP_MakeExpiresStr(date, &dlen, exp - 1));
        snprintf(want, sizeof want, "n=v; path=/; expires=%s; SameSite=Strict", date);
        CHECK(strcmp(buf, want) == 0);
    }
    len = 3;
    CHECK(!HP_HttpCookie_HLP_ToString(buf, &len, "name", "value", NULL, NULL, -1, FALSE, FALSE, 0));
    CHECK_EQ(len, 11);
    CHECK_EQ(SYS_GetLastError(), ENOBUFS);
    len = 0;
    CHECK(!HP_HttpCookie_HLP_ToString(NULL, &len, "name", "value", NULL, NULL, -1, FALSE, FALSE, 0));
    CHECK_EQ(len, 11);
    len = sizeof buf;
    CHECK(!HP_HttpCookie_HLP_ToString(buf, &len, NULL, "v", NULL, NULL, -1, FALSE, FALSE, 0));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    CHECK(!HP_HttpCookie_HLP_ToString(buf, &len, "", "v", NULL, NULL, -1, FALSE, FALSE, 0));
    CHECK(!HP_HttpCookie_HLP_ToString(buf, &len, "n", "v", NULL, NULL, -1, FALSE, FALSE, 3));
    CHECK(!HP_HttpCookie_HLP_ToString(buf, NULL, "n", "v", NULL, NULL, -1, FALSE, FALSE, 0));
    CHECK_EQ(SYS_GetLastError(), EINVAL);

    /* Max-Age helpers and the clock. */
    __time64_t now = HP_HttpCookie_HLP_CurrentUTCTime();
    CHECK(now > T2015);
    CHECK_EQ(HP_HttpCookie_HLP_MaxAgeToExpires(0), 0);
    CHECK_EQ(HP_HttpCookie_HLP_MaxAgeToExpires(-1), -1);
    CHECK(HP_HttpCookie_HLP_MaxAgeToExpires(100) >= now + 100);
    CHECK_EQ(HP_HttpCookie_HLP_ExpiresToMaxAge(-1), -1);
    CHECK_EQ(HP_HttpCookie_HLP_ExpiresToMaxAge(T2015), 0);
    int left = HP_HttpCookie_HLP_ExpiresToMaxAge(now + 100);
    CHECK(left >= 99 && left <= 100);
}

static void manager(void)
{
    char text[4096];

    CHECK(HP_HttpCookie_MGR_IsEnableThirdPartyCookie());
    HP_HttpCookie_MGR_SetEnableThirdPartyCookie(FALSE);
    CHECK(!HP_HttpCookie_MGR_IsEnableThirdPartyCookie());
    HP_HttpCookie_MGR_SetEnableThirdPartyCookie(TRUE);
    CHECK(HP_HttpCookie_MGR_IsEnableThirdPartyCookie());

    CHECK(HP_HttpCookie_MGR_ClearCookies(NULL, NULL));
    CHECK(HP_HttpCookie_MGR_SetCookie("a", "1", ".Example.com", "/docs/x", 3600, TRUE, FALSE, 2, TRUE));
    CHECK(HP_HttpCookie_MGR_SetCookie("b", "", "example.com", "/docs/", 3600, FALSE, TRUE, 0, TRUE));
    CHECK(HP_HttpCookie_MGR_SetCookie("s", "session", "example.com", "/", -1, FALSE, FALSE, 0, TRUE));
    CHECK(HP_HttpCookie_MGR_SetCookie("o", "other", "other.org", "/", 3600, FALSE, FALSE, 1, TRUE));
    /* Invalid: no name, domain or path; unknown SameSite. */
    CHECK(!HP_HttpCookie_MGR_SetCookie(NULL, "1", "example.com", "/", -1, FALSE, FALSE, 0, TRUE));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    CHECK(!HP_HttpCookie_MGR_SetCookie("a", "1", NULL, "/", -1, FALSE, FALSE, 0, TRUE));
    CHECK(!HP_HttpCookie_MGR_SetCookie("a", "1", "example.com", NULL, -1, FALSE, FALSE, 0, TRUE));
    CHECK(!HP_HttpCookie_MGR_SetCookie("a", "1", "example.com", "nodir", -1, FALSE, FALSE, 0, TRUE));
    CHECK(!HP_HttpCookie_MGR_SetCookie("a", "1", "example.com", "/", -1, FALSE, FALSE, 9, TRUE));
    /* Max-Age 0 deletes: TRUE only if the cookie was there. */
    CHECK(HP_HttpCookie_MGR_SetCookie("o", NULL, "other.org", "/", 0, FALSE, FALSE, 0, TRUE));
    CHECK(!HP_HttpCookie_MGR_SetCookie("o", NULL, "other.org", "/", 0, FALSE, FALSE, 0, TRUE));
    CHECK_EQ(SYS_GetLastError(), ENOENT);

    /* Save: session cookies are not written; an empty value is written as one space. */
    CHECK(HP_HttpCookie_MGR_SaveToFile(file, FALSE));
    read_all(file, text, sizeof text);
    CHECK(strncmp(text, "example.com /docs/\n\ta;1;", 24) == 0);
    CHECK(strstr(text, ";1;0;2\n\tb; ;") != NULL);
    CHECK(strstr(text, ";0;1;0\n") != NULL);
    CHECK(strstr(text, "session") == NULL);

    /* Load without keeping: the store is replaced by the file's cookies. */
    CHECK(HP_HttpCookie_MGR_SetCookie("gone", "1", "gone.org", "/", 3600, FALSE, FALSE, 0, TRUE));
    CHECK(HP_HttpCookie_MGR_LoadFromFile(file, FALSE));
    CHECK(!HP_HttpCookie_MGR_DeleteCookie("gone.org", "/", "gone"));
    CHECK_EQ(SYS_GetLastError(), ENOENT);
    CHECK(!HP_HttpCookie_MGR_DeleteCookie("example.com", "/", "s"));
    CHECK(HP_HttpCookie_MGR_DeleteCookie("EXAMPLE.com", "/docs/index.html", "a"));
    CHECK(!HP_HttpCookie_MGR_DeleteCookie("example.com", "/docs/", "a"));

    /* Load keeping: a stored cookie wins over the file's. */
    CHECK(HP_HttpCookie_MGR_SetCookie("b", "mine", "example.com", "/docs/", 7200, FALSE, FALSE, 0, FALSE));
    CHECK(HP_HttpCookie_MGR_LoadFromFile(file, TRUE));
    char file2[320];
    snprintf(file2, sizeof file2, "%s/second.txt", dir);
    CHECK(HP_HttpCookie_MGR_SaveToFile(file2, TRUE)); /* a missing file is fine */
    read_all(file2, text, sizeof text);
    CHECK(strstr(text, "\tb;mine;") != NULL);
    CHECK(strstr(text, "\ta;1;") != NULL);

    /* SaveToFile keeping: the file's cookies join the store first. */
    CHECK(HP_HttpCookie_MGR_ClearCookies(NULL, NULL));
    CHECK(HP_HttpCookie_MGR_SetCookie("z", "1", "z.org", "/", 3600, FALSE, FALSE, 0, TRUE));
    CHECK(HP_HttpCookie_MGR_SaveToFile(file2, TRUE));
    read_all(file2, text, sizeof text);
    CHECK(strstr(text, "z.org /\n\tz;1;") != NULL);
    CHECK(strstr(text, "\tb;mine;") != NULL);
    CHECK(HP_HttpCookie_MGR_DeleteCookie("example.com", "/docs/", "b"));

    /* Clear and RemoveExpired by domain / path. */
    CHECK(HP_HttpCookie_MGR_ClearCookies("z.org", NULL));
    CHECK(!HP_HttpCookie_MGR_DeleteCookie("z.org", "/", "z"));
    CHECK(HP_HttpCookie_MGR_ClearCookies(NULL, "/docs/"));
    CHECK(!HP_HttpCookie_MGR_DeleteCookie("example.com", "/docs/", "a"));
    CHECK(!HP_HttpCookie_MGR_ClearCookies("...", NULL));
    CHECK(!HP_HttpCookie_MGR_ClearCookies(NULL, "nodir"));
    CHECK(HP_HttpCookie_MGR_RemoveExpiredCookies(NULL, NULL));
    CHECK(HP_HttpCookie_MGR_RemoveExpiredCookies("example.com", "/"));
    CHECK(!HP_HttpCookie_MGR_RemoveExpiredCookies("", NULL));

    /* Files: expired lines are skipped; a malformed file or a missing one is refused and
     * changes nothing. */
    char good[256];
    snprintf(good, sizeof good, "x.org /\n\tlive;1;%lld;0;0;0\n\told;1;1000;0;0;0\n", FAR);
    write_all(file, good);
    CHECK(HP_HttpCookie_MGR_LoadFromFile(file, TRUE));
    CHECK(!HP_HttpCookie_MGR_DeleteCookie("x.org", "/", "old"));
    write_all(file, "\tno;domain;line;0;0;0\n");
    CHECK(!HP_HttpCookie_MGR_LoadFromFile(file, FALSE));
    CHECK_EQ(SYS_GetLastError(), EBADMSG);
    CHECK(HP_HttpCookie_MGR_DeleteCookie("x.org", "/", "live"));
    snprintf(file2, sizeof file2, "%s/missing.txt", dir);
    CHECK(!HP_HttpCookie_MGR_LoadFromFile(file2, TRUE));
    CHECK_EQ(SYS_GetLastError(), ENOENT);
    CHECK(!HP_HttpCookie_MGR_SaveToFile(file, TRUE)); /* the malformed file is not overwritten */
    CHECK_EQ(SYS_GetLastError(), EBADMSG);
    snprintf(file2, sizeof file2, "%s/no/such/dir.txt", dir);
    CHECK(!HP_HttpCookie_MGR_SaveToFile(file2, FALSE));
    CHECK_EQ(SYS_GetLastError(), ENOENT);

    /* NULL arguments. */
    CHECK(!HP_HttpCookie_MGR_LoadFromFile(NULL, TRUE));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    CHECK(!HP_HttpCookie_MGR_SaveToFile(NULL, FALSE));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    CHECK(!HP_HttpCookie_MGR_DeleteCookie(NULL, "/", "a"));
    CHECK_EQ(SYS_GetLastError(), EINVAL);
    CHECK(!HP_HttpCookie_MGR_DeleteCookie("a.org", NULL, "a"));
    CHECK(!HP_HttpCookie_MGR_DeleteCookie("a.org", "/", NULL));
}

int main(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/hpsocket-cookie-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    CHECK(mkdtemp(dir) != NULL);
    snprintf(file, sizeof file, "%s/cookies.txt", dir);

    helpers();
    manager();

    char path[320];
    snprintf(path, sizeof path, "%s/second.txt", dir);
    unlink(path);
    unlink(file);
    CHECK(rmdir(dir) == 0);
    printf("test_http_cookie: ok\n");
    return 0;
}
