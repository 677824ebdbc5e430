/* error.c - generic text for the engine's status codes. */
#include "config.h"
#include "store/error.h"

const char *
pl_strerror(int code)
{
	switch (code) {
	case PL_OK: return "success";
	case PL_ENOTFOUND: return "not found";
	case PL_EEXISTS: return "already exists";
	case PL_EAMBIGUOUS: return "ambiguous";
	case PL_EBUSY: return "store is busy";
	case PL_EINVAL: return "invalid argument";
	case PL_ENOMEM: return "out of memory";
	case PL_EVERSION: return "store is newer than this plumb";
	case PL_ECORRUPT: return "store is damaged or not a plumb store";
	case PL_EIO: return "input/output error";
	case PL_EREADONLY: return "store is read-only";
	case PL_EFULL: return "disk full";
	case PL_ITEROVER: return "no more items";
	default: return "error";
	}
}
