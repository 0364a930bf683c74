/*
 * hpsocket: compatibility names for programs written against HP-Socket's C API.
 *
 * Include this header instead of HP-Socket's HPSocket4C.h and link with -lhpsocket: the
 * functions, types, enum values and callback typedefs are in hpsocket.h (generated from the
 * Rust sources); this file adds the basic Windows-style type names and macros that HP-Socket's
 * GlobalDef.h provides on Linux and that programs commonly use (LPCSTR, LPBYTE, TRUE, FALSE,
 * INFINITE, _T(), ...). Every macro is guarded, so a program or another library may define
 * it first.
 *
 * Hand-written and small on purpose; the contract is docs/abi.md.
 */
#ifndef HPSOCKET_HPSOCKET4C_H
#define HPSOCKET_HPSOCKET4C_H

#include <sys/types.h>
#include <wchar.h>

#include "hpsocket.h"

/* Basic types of HP-Socket's GlobalDef.h (Linux) not already declared by hpsocket.h. */
typedef short SHORT;
typedef unsigned short WORD;
typedef long LONG, LID;
typedef unsigned long ULONG, ULID;
typedef long long LONGLONG;

typedef int INT;
typedef void VOID;
typedef char CHAR;

typedef SHORT *PSHORT, *LPSHORT;
typedef USHORT *PUSHORT, *LPUSHORT;
typedef WORD *PWORD, *LPWORD;
typedef DWORD *PDWORD, *LPDWORD;
typedef LONG *PLONG, *LPLONG;
typedef ULONG *PULONG, *LPULONG;
typedef INT *PINT, *LPINT;
typedef UINT *PUINT, *LPUINT;
typedef PVOID LPVOID;
typedef CHAR *PCHAR, *LPCHAR, *PSTR, *LPSTR;
typedef const char *PCSTR;
typedef BYTE *PBYTE, *LPBYTE;
typedef const BYTE *PCBYTE;
typedef TCHAR *PTSTR, *LPTSTR;
typedef const TCHAR *PCTSTR;
typedef long INT_PTR, LONG_PTR;
typedef unsigned long ULONG_PTR, DWORD_PTR;

/* HP-Socket's feature macro: the SSL components are exported (see HPSocket4C-SSL.h). */
#ifndef _SSL_SUPPORT
#define _SSL_SUPPORT
#endif

#ifndef TRUE
#define TRUE 1
#endif
#ifndef FALSE
#define FALSE 0
#endif
#ifndef INFINITE
/* HP_*_Wait(x, INFINITE) waits for ever; the DWORD argument becomes 0xFFFFFFFF. */
#define INFINITE -1
#endif
#ifndef NO_ERROR
#define NO_ERROR 0
#endif
#ifndef HAS_ERROR
#define HAS_ERROR -1
#endif
#ifndef INVALID_FD
#define INVALID_FD -1
#endif
#ifndef MAX_PATH
#define MAX_PATH 256
#endif
#ifndef CONST
#define CONST const
#endif
#ifndef CALLBACK
#define CALLBACK
#endif
#ifndef WINAPI
#define WINAPI
#endif
#ifndef __T
#define __T(x) x
#endif
#ifndef _T
#define _T(x) __T(x)
#endif
#ifndef _TEXT
#define _TEXT(x) __T(x)
#endif
#ifndef _In_
#define _In_
#endif
#ifndef _Out_
#define _Out_
#endif
#ifndef _Inout_
#define _Inout_
#endif
#ifndef _In_opt_
#define _In_opt_
#endif
#ifndef _Out_opt_
#define _Out_opt_
#endif
#ifndef EXTERN_C
#ifdef __cplusplus
#define EXTERN_C extern "C"
#else
#define EXTERN_C extern
#endif
#endif
#ifndef MAKEWORD
#define MAKEWORD(a, b) ((WORD)(((BYTE)(((DWORD_PTR)(a)) & 0xff)) | ((WORD)((BYTE)(((DWORD_PTR)(b)) & 0xff))) << 8))
#endif
#ifndef LOWORD
#define LOWORD(l) ((WORD)(((DWORD_PTR)(l)) & 0xffff))
#endif
#ifndef HIWORD
#define HIWORD(l) ((WORD)((((DWORD_PTR)(l)) >> 16) & 0xffff))
#endif
#ifndef LOBYTE
#define LOBYTE(w) ((BYTE)(((DWORD_PTR)(w)) & 0xff))
#endif
#ifndef HIBYTE
#define HIBYTE(w) ((BYTE)((((DWORD_PTR)(w)) >> 8) & 0xff))
#endif

#endif /* HPSOCKET_HPSOCKET4C_H */
