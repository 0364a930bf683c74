//! Extensions HP-Socket lacks, named `HPX_*` so a porter can grep for what is not portable:
//! user data on any object (for wrappers mapping `pSender` back to their own object), and the
//! thread's last error (for failures with no valid object, such as a `Create_*` returning
//! NULL).

use std::ffi::c_int;

use crate::boundary;
use crate::last_error::{desc_ptr, thread_error, FfiError};
use crate::object;
use crate::types::*;

/// Attaches `pData` to any object (component or listener), replacing what was attached
/// before; the previous data's `fnFree` (if any) runs now, on this thread. `fnFree(pData)`
/// (may be NULL) runs exactly once: when the data is replaced, or when the object is
/// destroyed, after its last callback has returned. FALSE for an invalid or destroyed
/// object, in which case `fnFree` is not called and the caller keeps `pData`.
#[no_mangle]
pub extern "C" fn HPX_Object_SetUserData(
    pObject: HP_Object,
    pData: PVOID,
    fnFree: HPX_FN_FreeUserData,
) -> BOOL {
    boundary::call("HPX_Object_SetUserData", FALSE, || {
        object::with_object(pObject, |o| {
            if o.set_user_data(pData, fnFree) {
                Ok(TRUE)
            } else {
                Err(FfiError::illegal_state("the object is being destroyed"))
            }
        })
    })
}

/// The data attached with `HPX_Object_SetUserData` (NULL if none or for an invalid handle).
/// Callable from any thread and inside callbacks (`pSender` is the component's handle).
#[no_mangle]
pub extern "C" fn HPX_Object_GetUserData(pObject: HP_Object) -> PVOID {
    boundary::call("HPX_Object_GetUserData", std::ptr::null_mut(), || {
        object::with_object(pObject, |o| Ok(o.user_data()))
    })
}

/// The code of the last failure of any call of this library on this thread (`SE_OK` if
/// none), including failures that had no valid object to record them on.
#[no_mangle]
pub extern "C" fn HPX_GetLastError() -> En_HP_SocketError {
    boundary::call("HPX_GetLastError", SE_OK, || Ok(thread_error().code))
}

/// The description of the thread's last failure, naming the function and the bad parameter
/// or state. Valid until the next `*_GetLastErrorDesc` call on this thread; never NULL.
#[no_mangle]
pub extern "C" fn HPX_GetLastErrorDesc() -> LPCTSTR {
    boundary::desc_call("HPX_GetLastErrorDesc", || {
        Ok(desc_ptr(&thread_error().description))
    })
}

/// Test hook, not in the header: panics inside the boundary (`iMode` 0: a `&str` payload,
/// 1: a `String` payload) to show that no panic crosses into C. Returns FALSE with
/// `SE_DATA_PROC` then; any other `iMode` returns TRUE.
#[doc(hidden)]
#[no_mangle]
pub extern "C" fn HPX_Test_Panic(iMode: c_int) -> BOOL {
    boundary::call("HPX_Test_Panic", FALSE, || match iMode {
        0 => panic!("HPX_Test_Panic: a deliberate panic"),
        1 => panic!("HPX_Test_Panic: a deliberate panic with mode {iMode}"),
        _ => Ok(TRUE),
    })
}
