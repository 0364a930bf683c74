/*
 * hpsocket: the SSL part of HP-Socket's C API, for programs that include <HPSocket4C-SSL.h>.
 *
 * HP-Socket keeps its SSL declarations in a header of their own; here hpsocket.h (generated
 * from the Rust sources) already declares them all: the SSL components
 * (Create_HP_SSL{,Pull,Pack}{Server,Agent,Client}), HP_SSLServer_*, HP_SSLAgent_*,
 * HP_SSLClient_*, HP_SSL_DefaultServerNameCallback, HP_SSL_RemoveThreadLocalState, the enums
 * En_HP_SSLSessionMode, En_HP_SSLVerifyMode and En_HP_SSLSessionInfo, and the callback
 * typedef HP_Fn_SNI_ServerNameCallback. So this file only includes HPSocket4C.h, which lets
 * an SSL program written for HP-Socket compile unchanged. The HTTPS components are not
 * exported yet.
 *
 * Hand-written; the contract is docs/abi.md.
 */
#ifndef HPSOCKET_HPSOCKET4C_SSL_H
#define HPSOCKET_HPSOCKET4C_SSL_H

#include "HPSocket4C.h"

#endif /* HPSOCKET_HPSOCKET4C_SSL_H */
