/*
 * For the interop builds only: the examples include "HPSocket4C.h"; built against HP-Socket
 * 5.2.2 (tests/interop, -I this directory) they get 5.2.2's declarations instead of ours.
 */
#include "hp522_ext.h"
